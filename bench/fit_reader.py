"""Fit the reader's sentence ranker (assistant.reading.reader.WEIGHTS) on the dev half of
bench/questions_bbc.json, and say how well it ranks.

For every answerable dev question, every sentence of the retrieved passages gets the
reader's features (assistant.reading.reader.features, with its cosine to the question); the
sentence holding all of the expected answer strings is the target. The weights are a
conditional logit (a softmax over each question's sentences), fitted by gradient
descent with a small L2 penalty. Printed: 5-fold cross-validated top-1 on dev (the
honest figure), top-1 of the current WEIGHTS and of the new ones, and the new weights.
The test half is never fitted on; `--report-test` prints its top-1 for the closing note.

    .venv/bin/python bench/fit_reader.py [--data-dir /tmp/news-assistant-bench-2225]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality  # noqa: E402

from assistant.core.memory import Memory  # noqa: E402
from assistant.core.question import Filters  # noqa: E402
from assistant.reading import reader  # noqa: E402
from assistant.reading.evidence import sentence_vectors_of, sentences_of  # noqa: E402

NAMES = list(reader.WEIGHTS)


def sentence_table(bot, questions: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: a features matrix over its sentences and which of them hold the answer."""
    engine, groups = bot.engine, []
    for q in questions:
        question = engine.question(q["question"], Memory(), Filters(), None)
        retrieved = engine.retriever.retrieve(question.standalone, 5, vector=question.vector)
        evidence = sentences_of(retrieved.passages)
        if not evidence:
            continue
        reading = reader.Reading.of(question, question.names, engine.retriever.mirror.bm25(), evidence)
        vectors = sentence_vectors_of(evidence, engine.index.embedder)  # as ScoreSentences reads them
        rows = []
        for item, vector in zip(evidence, vectors):
            item.cosine = float(np.dot(vector, question.vector))
            item.kind_bonus = reader.type_score(item, question.asked, reading.asked_terms)
            values = reader.features(item, reading)
            rows.append([values[n] for n in NAMES])
        gold = np.array([quality.contains_all(e.text, q["expected"]) for e in evidence], float)
        if gold.sum():
            groups.append((np.array(rows), gold))
    return groups


def fit(groups, l2: float = 0.01, steps: int = 800, rate: float = 0.5) -> np.ndarray:
    w = np.zeros(len(NAMES))
    for _ in range(steps):
        grad = l2 * w
        for x, gold in groups:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = p * gold / (p * gold).sum()  # posterior over the sentences that hold the answer
            grad += (x.T @ (p - target)) / len(groups)
        w -= rate * grad
    return w


def top1(groups, w: np.ndarray) -> float:
    return float(np.mean([gold[np.argmax(x @ w)] for x, gold in groups]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--report-test", action="store_true")
    args = parser.parse_args()
    with contextlib.redirect_stderr(io.StringIO()):
        bot, _ = quality.build(argparse.Namespace(data_dir=args.data_dir, backend="extractive", llm_url=None))
    sets = quality.load_sets()
    dev = sentence_table(bot, sets["bbc-dev"]["answerable"])
    order = np.random.default_rng(0).permutation(len(dev))
    folds = np.array_split(order, 5)
    cv = [top1([dev[i] for i in f], fit([dev[i] for i in order if i not in set(f)])) for f in folds]
    w = fit(dev)
    current = np.array([reader.WEIGHTS[n] for n in NAMES])
    print(f"dev questions: {len(dev)}; top-1 sentence: 5-fold CV {np.mean(cv):.3f}, "
          f"current WEIGHTS {top1(dev, current):.3f}, refit {top1(dev, w):.3f}")
    print("WEIGHTS = {" + ", ".join(f'"{n}": {v:.3f}' for n, v in zip(NAMES, w)) + "}")
    if args.report_test:
        test = sentence_table(bot, sets["bbc-test"]["answerable"])
        print(f"test questions: {len(test)}; top-1 with current WEIGHTS {top1(test, current):.3f}")


if __name__ == "__main__":
    main()
