"""One writer at a time: Chroma's PersistentClient is not safe across processes."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from index.models import IndexBusyError


class WriterLock:
    """An exclusive ``flock`` on ``<data dir>/index.lock``, released by the kernel
    even when the holder is killed with -9 (so a crash never leaves it stuck)."""

    def __init__(self, data_dir: Path, wait_seconds: float = 0.0) -> None:
        self.path = Path(data_dir) / "index.lock"
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    os.close(fd)
                    raise IndexBusyError(
                        f"another `assistant index` (pid {holder}) is writing {self.path.parent}; "
                        "wait for it to finish or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
