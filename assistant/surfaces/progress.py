"""Progress of a long job on the console: a live bar on a terminal, plain lines in a log.

A bar redraws itself with carriage returns, which a log file keeps as one long line of
frames; so when the stream is not a terminal, a line is written at every tenth of the
way (and at the end) with the counts and the rate.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[int, int], None]  # (done, total)


def console_progress(desc: str, unit: str = "chunks", stream: TextIO | None = None) -> Progress:
    """A ``progress(done, total)`` callback for one job; nothing is shown for an empty one."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    return _bar(desc, unit, stream) if isatty is not None and isatty() else _lines(desc, unit, stream)


def _bar(desc: str, unit: str, stream: TextIO) -> Progress:
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if total == 0:
            return
        if bar is None:
            bar = tqdm(total=total, unit=unit.rstrip("s"), desc=desc, file=stream, dynamic_ncols=True)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _lines(desc: str, unit: str, stream: TextIO) -> Progress:
    started = time.monotonic()
    shown = -1  # the last tenth written

    def update(done: int, total: int) -> None:
        nonlocal shown
        if total == 0:
            return
        tenth = 10 if done >= total else done * 10 // total
        if tenth <= shown:
            return
        shown = tenth
        seconds = time.monotonic() - started
        rate = f", {done / seconds:.1f} {unit}/s" if done and seconds > 0 else ""
        stream.write(f"{desc}: {done}/{total} {unit} ({done * 100 // total}%{rate})\n")
        stream.flush()

    return update
