"""Console progress: a line per tenth of the way when the stream is not a terminal."""

from __future__ import annotations

import io

from assistant.surfaces.progress import console_progress


def test_a_log_gets_a_plain_line_per_tenth_with_counts_and_rate():
    log = io.StringIO()  # not a terminal
    progress = console_progress("embedding", stream=log)
    for done in range(0, 201):
        progress(done, 200)

    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert len(lines) == 11, lines  # 0%, 10%, ..., 100%
    assert lines[-1].startswith("embedding: 200/200 chunks (100%") and "chunks/s" in lines[-1]


def test_nothing_to_do_shows_nothing():
    log = io.StringIO()
    console_progress("embedding", stream=log)(0, 0)
    assert log.getvalue() == ""
