"""Query latency at BBC scale: retrieval and full extractive answers (p50/p95),
and the cold-start wall time of `assistant ask`.

    .venv/bin/python bench/query.py [--data-dir DIR] [--runs N]

Uses the index bench/quality.py builds (default /tmp/news-assistant-bench-2225,
the two shipped articles among 2,225 BBC ones), with the questions of both sets
(bench/questions.json, bench/questions_bbc.json). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402

QUESTIONS = json.loads((ROOT / "bench" / "questions.json").read_text())
BBC_QUESTIONS = json.loads((ROOT / "bench" / "questions_bbc.json").read_text())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--runs", type=int, default=5, help="cold starts of `assistant ask`")
    args = parser.parse_args()
    bot = Assistant(Settings.load(data_dir=args.data_dir))
    status = bot.status()
    questions = [
        q["question"]
        for q in QUESTIONS["answerable"]
        + QUESTIONS["unanswerable"]
        + BBC_QUESTIONS["answerable"]
        + BBC_QUESTIONS["unanswerable"]
    ]
    bot.ask(questions[0])  # warm: model loaded, BM25 mirror built
    retrieval, answers = [], []
    for q in questions:
        started = time.perf_counter()
        bot.retrieve(q)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        bot.ask(q)
        answers.append((time.perf_counter() - started) * 1000)
    embedding = []  # the part of retrieval no ranking change can cut: one ONNX call per question
    for q in questions:
        started = time.perf_counter()
        bot.index.embedder.embed_batch([q])
        embedding.append((time.perf_counter() - started) * 1000)
    env = {**os.environ, "ASSISTANT_DATA_DIR": args.data_dir}
    exe = Path(sys.executable).parent / "assistant"
    cold = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run([str(exe), "ask", "What does ILMU stand for?"], env=env, capture_output=True, check=True)
        cold.append(time.perf_counter() - started)
    started = time.perf_counter()
    subprocess.run([str(exe), "--help"], capture_output=True, check=True)
    help_s = time.perf_counter() - started
    result = {
        "documents": status["documents"],
        "chunks": status["chunks"],
        "questions": len(questions),
        "retrieval_ms": {"p50": statistics.median(retrieval), "p95": pct(retrieval, 0.95)},
        "question_embedding_ms": {"p50": statistics.median(embedding)},
        "extractive_answer_ms": {"p50": statistics.median(answers), "p95": pct(answers, 0.95)},
        "cold_ask_s": {"median": statistics.median(cold), "max": max(cold)},
        "help_s": help_s,
    }
    print(f"index: {status['documents']} documents, {status['chunks']} chunks; {len(questions)} questions")
    print(
        f"retrieval          p50 {result['retrieval_ms']['p50']:7.1f} ms   p95 {result['retrieval_ms']['p95']:7.1f} ms   (goal p50 <= 15)"
    )
    print(f"  of which embedding the question: p50 {result['question_embedding_ms']['p50']:7.1f} ms")
    print(
        f"extractive answer  p50 {result['extractive_answer_ms']['p50']:7.1f} ms   p95 {result['extractive_answer_ms']['p95']:7.1f} ms   (goal p50 <= 150, p95 <= 300)"
    )
    print(
        f"`assistant ask` cold start: median {result['cold_ask_s']['median']:.2f} s, max {result['cold_ask_s']['max']:.2f} s (goal <= 3)"
    )
    print(f"`assistant --help`: {help_s:.2f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
