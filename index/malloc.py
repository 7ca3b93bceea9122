"""Keeping a long-running process's memory close to what it uses (glibc's malloc only;
elsewhere, musl or macOS, these do nothing).

glibc keeps what a process frees for reuse. Three habits of its defaults cost a server like
``assistant serve`` ~100 MB that it never uses again (bench/memory.py measures them):

- one malloc arena per thread that ever allocated (up to 8 per core): the request threads,
  ONNX Runtime's and Chroma's pools each fragment their own;
- the mmap threshold rises to the largest block freed so far (up to 32 MB), so after one
  big tensor every later one comes from the heap and stays there;
- a burst of loading (optimising the ONNX graph, reading every row of the collection,
  unpickling the BM25 mirror) leaves tens of MB free in the middle of the heap, which only
  ``malloc_trim`` hands back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # from glibc's malloc.h
ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value, kept fixed
IDLE_SECONDS = 1.0


@functools.cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def tune_malloc(fixed_mmap_threshold: bool = False) -> None:
    """At most ARENAS malloc arenas; with ``fixed_mmap_threshold`` blocks from 128 kB up are
    always mmap'ed (so returned to the system when freed). That suits answering (small
    tensors), not bulk embedding, where page-faulting every big tensor afresh cost ~30% of
    the throughput. Call early, before the process starts threads."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_ARENA_MAX, ARENAS)
        if fixed_mmap_threshold:
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            libc.mallopt(M_TRIM_THRESHOLD, MMAP_THRESHOLD)


def release_free_memory() -> None:
    """Return malloc's free pages, in every arena, to the system (``malloc_trim``)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


class IdleTrim:
    """Calls :func:`release_free_memory` once nothing has called :meth:`soon` for
    IDLE_SECONDS: after a burst of answers, not in the middle of one."""

    def __init__(self, idle: float = IDLE_SECONDS) -> None:
        self.idle = idle
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def soon(self) -> None:
        if _libc() is None:
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.idle, release_free_memory)
            self._timer.daemon = True
            self._timer.start()
