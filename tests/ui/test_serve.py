"""`assistant serve` as a user starts and stops it.

The start after an indexing that was killed part-way finishes that indexing before serving
(not half an index), and Ctrl-C stops serving with exit status 130, as `python3 dev.py run`
does, also when it runs as a shell's background job (`assistant serve &`, then `kill -INT`),
where SIGINT starts out ignored. A start over an index whose last sync completed leaves it
as it is, even when the user removed a shipped article on purpose."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BBC, ROOT, free_port, stop
from tests.ui.conftest import _clean_env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT are POSIX")

ARTICLES = 30  # ~90 chunks: three batches of 32, and a kill after the second leaves most of one
PROGRESS = re.compile(r"embedding: (\d+)/(\d+) chunks")


def _kill_part_way(corpus: Path, env: dict) -> int:
    """Run `assistant index CORPUS` and kill it (SIGKILL: no clean-up of any kind) once two
    batches are embedded, so the first one is surely written; returns the chunks it meant to write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", str(corpus)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline, seen = time.monotonic() + 180, ""
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if select.select([proc.stderr], [], [], 0.5)[0]:
                seen += os.read(proc.stderr.fileno(), 65536).decode()
            done = [(int(a), int(b)) for a, b in PROGRESS.findall(seen)]
            if done and 64 <= done[-1][0] < done[-1][1]:
                proc.kill()
                return done[-1][1]
        pytest.fail(f"`assistant index` was not caught part-way:\n{seen}")
    finally:
        proc.kill()
        proc.wait(30)


def _as_a_background_job() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a non-interactive shell does for `cmd &`


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(process, its log, chunks of the whole corpus) of an `assistant serve` started as a
    background job over a data dir whose first indexing was killed."""
    base = tmp_path_factory.mktemp("serve-start")
    corpus, env, log_path = base / "bbc", _clean_env(base / "data"), base / "serve.log"
    corpus.mkdir()
    for src in sorted((BBC / "business").glob("*.txt"))[:ARTICLES]:
        shutil.copy(src, corpus / src.name)
    total = _kill_part_way(corpus, env)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(free_port())],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_as_a_background_job,
        )
    try:
        deadline = time.monotonic() + 180
        while "Press Ctrl+C" not in log_path.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield proc, log_path, total
    finally:
        stop(proc)


def test_the_next_start_finishes_an_indexing_that_was_killed(served):
    _, log_path, total = served
    log = log_path.read_text()
    embedded = re.search(r"indexed \d+ articles \((\d+) chunks\)", log)
    assert embedded, log
    assert 0 < int(embedded[1]) < total, log  # what the kill left out, and only that
    assert f"{ARTICLES} articles indexed ({total} chunks)" in log, log


def test_ctrl_c_stops_serving_with_exit_status_130(served):
    proc, log_path, _ = served
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(30) == 130
    assert "Traceback" not in log_path.read_text()


def test_a_start_leaves_a_finished_index_as_it_is(make_index):
    index = make_index(entities=False)
    assert index.unfinished()  # nothing indexed yet: the first start indexes the shipped articles
    index.sync()
    index.remove([sorted(index.store.documents())[0]])  # on purpose: a start must not put it back
    assert not index.unfinished()
