"""Indexing throughput: the raw ONNX embedder against the whole sync pipeline, on
the same chunks in one run, plus the cost of a no-change re-index.

    .venv/bin/python bench/indexing.py            # 300 sampled BBC articles + the shipped ones
    .venv/bin/python bench/indexing.py --n 1000
    .venv/bin/python bench/indexing.py --all      # all 2,225 BBC articles
    .venv/bin/python bench/indexing.py --bbc-data-dir DIR   # + no-change `assistant index` of the whole BBC corpus

(a) raw: MiniLMEmbedder.embed_batch over the chunk texts, batches of 32 in the
    length-sorted order index/sync.py uses (model already loaded);
(b) pipeline: Index.sync into a fresh data dir (load, clean, chunk, embed, write
    to Chroma), chunks_embedded / seconds, with the same warm embedder;
(c) pipeline / raw (goal >= 0.9);
(e) the pipeline without named entities (what indexing cost before the reader
    needed them), and with / without (goal >= 0.65);
(f) the pipeline without sentence vectors (an embedder that only embeds whole chunks,
    as before index/sentence_vectors.py), and with / without;
(d) a second Index.sync of the same corpus (nothing changed), and the wall time
    of the `assistant index` command (a new process) with nothing to do on the
    shipped corpus; with --bbc-data-dir, also on an index of the shipped corpus
    and the whole BBC corpus (built there first if it is empty: ~5 min).

(a) and (b) alternate --repeat times and the best of each counts (as timeit
does): on a shared 2-core machine another process easily takes a third of the
CPU for a minute, which says nothing about our code. CPU ms per chunk (this
process, all threads) is printed too; it is much less sensitive to that.

Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import SHIPPED_CORPUS, load_path  # noqa: E402
from index import Index, MiniLMEmbedder, chunk_article  # noqa: E402
from index.sync import BATCH  # noqa: E402

BBC = ROOT.parent / "shared" / "bench-corpus" / "bbc"


def sample_corpus(target: Path, n: int | None, seed: int) -> Path:
    """Copy ``n`` BBC articles (all when None) into ``target/bbc`` as <topic>-<file>."""
    files = sorted(BBC.glob("*/*.txt"))
    chosen = files if n is None else sorted(random.Random(seed).sample(files, min(n, len(files))))
    folder = target / "bbc"
    folder.mkdir(parents=True)
    for src in chosen:
        shutil.copy(src, folder / f"{src.parent.name}-{src.name}")
    return folder


def chunk_texts(roots: list[Path], chunk_tokens: int, overlap_tokens: int) -> list[str]:
    """The texts the pipeline will embed, in the order it embeds them."""
    texts = []
    for root in roots:
        for article in load_path(root, lambda r: r.name).articles:
            texts.extend(c.text for c in chunk_article(article, chunk_tokens, overlap_tokens))
    return sorted(texts, key=len)


def raw_pass(embedder: MiniLMEmbedder, texts: list[str]) -> tuple[float, float]:
    """(chunks/s, CPU ms per chunk) straight through the ONNX session."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), BATCH):
        embedder.embed_batch(texts[i : i + BATCH])
    return len(texts) / (time.perf_counter() - wall), 1000 * (time.process_time() - cpu) / len(texts)


def pipeline_pass(index: Index, roots: list[Path]):
    """(report, chunks/s, CPU ms per chunk) of a sync into a fresh data dir."""
    cpu = time.process_time()
    report = index.sync(roots)
    chunks = max(report.chunks_embedded, 1)
    return report, report.chunks_embedded / report.seconds, 1000 * (time.process_time() - cpu) / chunks


def cli_no_change_seconds(work: Path) -> float:
    data = work / "cli-data"
    command = [sys.executable, "-m", "assistant", "index", "--json", "--data-dir", str(data)]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)  # first run: indexes the shipped corpus
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def cli_no_change_bbc_seconds(data: Path) -> tuple[float, dict]:
    """`assistant index` with nothing to do on an index of the shipped corpus + all of BBC."""
    command = [sys.executable, "-m", "assistant", "index", "--json", "--data-dir", str(data)]
    subprocess.run([*command, str(SHIPPED_CORPUS), str(BBC)], check=True, capture_output=True, cwd=ROOT)
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, cwd=ROOT, text=True)
    return time.perf_counter() - started, json.loads(done.stdout)


class WholeChunksOnly:
    """The same embedder without ``embed_with_sentences``: the sync stores no sentence vectors."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner, self.identity, self.dim = inner, inner.identity, inner.dim

    def embed_batch(self, texts: list[str]):
        return self.inner.embed_batch(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="BBC articles to sample (default 300)")
    parser.add_argument("--all", action="store_true", help="use all 2,225 BBC articles")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed")
    parser.add_argument("--repeat", type=int, default=2, help="alternating raw/pipeline passes (best counts)")
    parser.add_argument("--bbc-data-dir", type=Path, help="an index dir for the shipped corpus + all of BBC (kept)")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        folder = sample_corpus(work, None if args.all else args.n, args.seed)
        roots = [folder, SHIPPED_CORPUS]
        embedder = MiniLMEmbedder()
        probe = Index(work / "probe", embedder=embedder)
        texts = chunk_texts(roots, probe.chunk_tokens, probe.overlap_tokens)
        embedder.embed_batch(texts[:BATCH])  # load the model outside the timings

        raws, pipes, plain, unpooled = [], [], [], []
        Index(work / "warm", embedder=embedder).tagger.tag("Load spaCy outside the timings.")
        for rep in range(args.repeat):
            raws.append(raw_pass(embedder, texts))
            plain.append(pipeline_pass(Index(work / f"plain-{rep}", embedder=embedder, entities=False), roots))
            unpooled.append(pipeline_pass(Index(work / f"unpooled-{rep}", embedder=WholeChunksOnly(embedder)), roots))
            index = Index(work / f"data-{rep}", embedder=embedder)
            pipes.append(pipeline_pass(index, roots))
        report = pipes[-1][0]
        resync = index.sync(roots)
        fresh_resync = Index(index.data_dir, embedder=embedder).sync(roots)
        cli = cli_no_change_seconds(work)
        bbc_cli, bbc_report = cli_no_change_bbc_seconds(args.bbc_data_dir) if args.bbc_data_dir else (None, {})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    raw, raw_cpu = max(r[0] for r in raws), min(r[1] for r in raws)
    pipeline, pipe_cpu = max(p[1] for p in pipes), min(p[2] for p in pipes)
    without, without_cpu = max(p[1] for p in plain), min(p[2] for p in plain)
    whole, whole_cpu = max(p[1] for p in unpooled), min(p[2] for p in unpooled)
    summary = {
        "articles": report.added,
        "chunks": len(texts),
        "chunks_embedded": report.chunks_embedded,
        "raw_chunks_per_s": round(raw, 1),
        "pipeline_chunks_per_s": round(pipeline, 1),
        "ratio": round(pipeline / raw, 3),
        "raw_cpu_ms_per_chunk": round(raw_cpu, 1),
        "pipeline_cpu_ms_per_chunk": round(pipe_cpu, 1),
        "cpu_ratio": round(raw_cpu / pipe_cpu, 3),
        "pipeline_without_entities_chunks_per_s": round(without, 1),
        "with_over_without_entities": round(pipeline / without, 3),
        "pipeline_without_sentence_vectors_chunks_per_s": round(whole, 1),
        "with_over_without_sentence_vectors": round(pipeline / whole, 3),
        "passes_chunks_per_s": {"raw": [round(r[0], 1) for r in raws], "pipeline": [round(p[1], 1) for p in pipes],
                                "without_entities": [round(p[1], 1) for p in plain],
                                "without_sentence_vectors": [round(p[1], 1) for p in unpooled]},
        "resync_seconds": resync.seconds,
        "resync_new_index_object_seconds": fresh_resync.seconds,
        "resync_unchanged": resync.unchanged,
        "cli_no_change_wall_seconds": round(cli, 3),
        "bbc_cli_no_change_wall_seconds": bbc_cli and round(bbc_cli, 3),
        "bbc_cli_no_change_unchanged": bbc_report.get("unchanged"),
        "load_avg_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    passes = lambda xs: ", ".join(f"{x:.1f}" for x in xs)  # noqa: E731
    rows = [
        ("articles indexed", f"{report.added}"),
        ("chunks (same for a and b)", f"{len(texts)}"),
        (
            "(a) raw embedder",
            f"{raw:8.1f} chunks/s  {raw_cpu:6.1f} CPU ms/chunk  (passes: {passes(r[0] for r in raws)})",
        ),
        (
            "(b) pipeline Index.sync",
            f"{pipeline:8.1f} chunks/s  {pipe_cpu:6.1f} CPU ms/chunk  (passes: {passes(p[1] for p in pipes)})",
        ),
        ("(c) ratio b/a (goal >= 0.9)", f"{pipeline / raw:8.3f}           by CPU time: {raw_cpu / pipe_cpu:.3f}"),
        (
            "(e) pipeline without entities",
            f"{without:8.1f} chunks/s  {without_cpu:6.1f} CPU ms/chunk  (passes: {passes(p[1] for p in plain)})",
        ),
        ("    with / without (goal >= 0.65)", f"{pipeline / without:8.3f}           by CPU time: {without_cpu / pipe_cpu:.3f}"),
        (
            "(f) pipeline without sentence vectors",
            f"{whole:8.1f} chunks/s  {whole_cpu:6.1f} CPU ms/chunk  (passes: {passes(p[1] for p in unpooled)})",
        ),
        ("    with / without", f"{pipeline / whole:8.3f}           by CPU time: {whole_cpu / pipe_cpu:.3f}"),
        ("(d) no-change re-sync", f"{resync.seconds:8.3f} s  (new Index object: {fresh_resync.seconds:.3f} s)"),
        ("    `assistant index`, no change", f"{cli:8.3f} s wall (shipped corpus, new process)"),
        (
            "load average before / after",
            f"{load_before:8.2f} / {os.getloadavg()[0]:.2f}  (2 cores: > 2 means a busy machine)",
        ),
    ]
    if bbc_cli is not None:
        rows.insert(-1, ("    the same, whole BBC corpus", f"{bbc_cli:8.3f} s wall ({bbc_report.get('unchanged')} documents unchanged)"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
