"""Crash safety: the real `assistant index`, killed with SIGKILL at seeded random
points while the corpus keeps changing, always converges to a clean build.

Each kill is aimed at one phase of a run:

- ``startup``: a random delay after spawn (imports, opening Chroma, taking the
  lock, loading files, deleting removed documents, chunking);
- ``work``: once the progress bar shows how many chunks are to be embedded, at a
  random point of that work (the main thread embeds the next batch while the
  writer thread upserts the previous one, so this lands in both).

Between runs one file is edited, one deleted and one added, so interrupted
updates and removals are part of the mix.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from index import Index
from tests.conftest import BBC, ROOT, run_cli

# tqdm on a terminal ("53/120 [") or a plain line when stderr is a pipe ("53/120 chunks (44%")
PROGRESS = re.compile(r"(\d+)/(\d+) (?:\[|\w+ \()")
STARTUP_SECONDS = 1.0  # time from spawn to the first progress line, roughly, on 2 cores


@dataclass
class Kill:
    phase: str
    landed: bool  # the process was still running when it got SIGKILL
    done: int | None = None  # chunks embedded when killed, as far as the progress bar said
    total: int | None = None


@dataclass
class IndexRun:
    """One `assistant index` subprocess whose stderr progress is followed."""

    folder: Path
    data: Path
    proc: subprocess.Popen = field(init=False)
    done: int | None = None
    total: int | None = None
    progressed: threading.Condition = field(default_factory=threading.Condition)
    stderr: str = ""

    def __post_init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "index", str(self.folder), "--data-dir", str(self.data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=os.environ.copy(),
        )
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self) -> None:
        for block in iter(lambda: self.proc.stderr.read1(4096), b""):
            text = block.decode(errors="replace")
            with self.progressed:
                self.stderr += text
                for done, total in PROGRESS.findall(text):
                    self.done, self.total = int(done), int(total)
                self.progressed.notify_all()
        with self.progressed:
            self.total = self.total if self.total is not None else -1  # ended: stop waiting
            self.progressed.notify_all()

    def wait_for(self, predicate, timeout: float = 120) -> None:
        with self.progressed:
            self.progressed.wait_for(lambda: predicate() or self.proc.poll() is not None, timeout)

    def kill(self) -> bool:
        landed = self.proc.poll() is None
        self.proc.kill()
        self.proc.wait(30)
        return landed


def kill_one_run(folder: Path, data: Path, rng: random.Random) -> Kill:
    run = IndexRun(folder, data)
    phase = rng.choice(("startup", "work", "work"))
    if phase == "startup":
        time.sleep(rng.uniform(0.05, STARTUP_SECONDS))
    else:
        run.wait_for(lambda: run.total is not None)
        target = rng.randint(0, max(run.total or 0, 0))
        run.wait_for(lambda: (run.done or 0) >= target)
        time.sleep(rng.uniform(0, 0.3))  # somewhere inside the next embed / write
    seen = (run.done, run.total)  # before the kill: the reader marks the end of output
    return Kill(phase, run.kill(), *seen)


def mutate(folder: Path, rng: random.Random, step: int, spare: list[Path]) -> None:
    """Edit one article, delete one, add one."""
    files = sorted(folder.glob("*.txt"))
    edited, deleted = rng.sample(files, 2)
    edited.write_text(edited.read_text() + f"\nCorrection {step}: an earlier version of this story misstated a date.\n")
    deleted.unlink()
    shutil.copy(spare.pop(), folder / f"added-{step:02d}.txt")


def rows(index: Index) -> dict[str, tuple[dict, str]]:
    found: dict[str, tuple[dict, str]] = {}
    for chunk_id, meta, text in index.store.rows(["metadatas", "documents"]):
        assert chunk_id not in found, f"duplicate chunk id {chunk_id}"
        found[chunk_id] = (meta, text)
    return found


def vectors(index: Index, ids: list[str]) -> np.ndarray:
    by_id = index.store.vectors(ids)
    return np.array([by_id[i] for i in ids], dtype=np.float32)


def assert_same_as_clean_build(crashed: Index, clean: Index) -> None:
    got, want = rows(crashed), rows(clean)
    assert crashed.store.count() == clean.store.count() == len(want)
    assert sorted(got) == sorted(want)
    for chunk_id, (meta, text) in want.items():
        assert got[chunk_id] == (meta, text), chunk_id

    got_docs, want_docs = crashed.store.documents(), clean.store.documents()
    assert sorted(got_docs) == sorted(want_docs)
    for doc_id, state in got_docs.items():
        digest = want_docs[doc_id].complete_hash()
        assert digest is not None
        assert state.complete_hash() == digest, f"{doc_id} is incomplete"
        assert set(state.chunks_by_hash) == {digest}, f"{doc_id} keeps chunks of another version"

    # every stored vector belongs to its chunk (not to one written by a killed run)
    ids = sorted(want)
    got_v, want_v = vectors(crashed, ids), vectors(clean, ids)
    assert np.min(np.sum(got_v * want_v, axis=1)) > 0.999
    assert_vector_index_agrees(crashed, ids, got_v)


def assert_vector_index_agrees(index: Index, ids: list[str], vecs: np.ndarray) -> None:
    """Each chunk is found by its own vector.

    Tolerates two unreachable chunks: Chroma's embedded HNSW (1.5.9) replays its
    write log into the graph on every open (it persists the graph only every 1,000
    writes), and for some logs -- ids upserted several times by interrupted runs,
    then deletions -- an occasional open leaves one element out of the graph. It is
    a different element on each open of the same files and none on most opens; the
    rows are intact. Anything beyond that would be our bug.
    """
    unreachable = set(ids) - {p.chunk_id for p in index.search(vecs[0].tolist(), k=len(ids))}
    texts = {p.chunk_id: p.text for p in index.passages()}
    lost = {cid for cid, vec in zip(ids, vecs) if texts[index.search(vec.tolist(), k=1)[0].chunk_id] != texts[cid]}
    assert lost <= unreachable and len(unreachable) <= 2, f"lost {sorted(lost)}; unreachable {sorted(unreachable)}"


def crash_loop(bbc_sample, tmp_path, embedder, kills: int, seed: int) -> list[Kill]:
    rng = random.Random(seed)
    folder = bbc_sample(40, name="news")
    spare = sorted((BBC / "tech").glob("*.txt"))[:kills]
    data = tmp_path / "crashed"
    log: list[Kill] = []
    for step in range(kills):
        if step:
            mutate(folder, rng, step, spare)
        log.append(kill_one_run(folder, data, rng))
    print(describe(log))  # pytest shows it when the test fails (or with -s)

    run_cli("index", str(folder), "--data-dir", str(data), "--json")  # to completion
    again = json.loads(run_cli("index", str(folder), "--data-dir", str(data), "--json").stdout)
    assert (again["unchanged"], again["chunks_embedded"]) == (40, 0), again

    clean = Index(tmp_path / "clean", embedder=embedder)
    clean.sync([folder])
    assert_same_as_clean_build(Index(data, embedder=embedder), clean)
    return log


def describe(log: list[Kill]) -> str:
    return "; ".join(
        f"{k.phase}:{'landed' if k.landed else 'missed'}" + (f"@{k.done}/{k.total}" if k.total else "") for k in log
    )


def test_index_killed_at_random_points_converges_to_a_clean_build(bbc_sample, tmp_path, embedder):
    log = crash_loop(bbc_sample, tmp_path, embedder, kills=5, seed=20250101)
    assert sum(k.landed for k in log) >= 3, describe(log)
    assert any(k.landed and k.total and k.total > 0 for k in log), describe(log)  # at least one mid-embedding


@pytest.mark.slow
def test_twenty_kills_converge_to_a_clean_build(bbc_sample, tmp_path, embedder):
    log = crash_loop(bbc_sample, tmp_path, embedder, kills=20, seed=7)
    assert sum(k.landed for k in log) >= 12, describe(log)
    assert sum(1 for k in log if k.landed and k.phase == "startup") >= 2, describe(log)
    assert sum(1 for k in log if k.landed and k.total and k.total > 0) >= 6, describe(log)
