"""Can the reader's own signals tell an unanswerable question from an answerable one?

For every question of the dev half of bench/questions_bbc.json that gets past the
relevance floor, the best sentence the reader finds is described by the ranker's features
(assistant.reader.features), its raw score and the runner-up's share, the refusal
policy's predicate coverage and subject check, and the retrieval cosine. A logistic
regression over all of them is fitted on the dev half and scored by 5-fold cross
validation. Printed: at false-refusal rates of 3-10% on answerable questions, the share
of unanswerable ones it would refuse, beside what the shipped refusal policy does.
If no operating point is far better than the policy, a threshold over these signals
cannot be the way to the issue's targets (unanswerable refused >= 0.85 with false
refusals <= 5%). Asserts nothing.

    .venv/bin/python bench/refusal_signals.py [--data-dir /tmp/news-assistant-bench-2225]
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

from assistant import reader  # noqa: E402
from assistant.evidence import sentences_of  # noqa: E402
from assistant.memory import Memory  # noqa: E402
from assistant.questions import key_terms  # noqa: E402
from assistant.retrieval import Filters  # noqa: E402


def signals(bot, question: str) -> tuple[dict[str, float], bool] | None:
    """The best sentence's signals and whether the policy refuses; None if refused before."""
    engine = bot.engine
    draft = engine.draft(question, Memory(), 5, Filters(), None)
    *scoring, policy = engine.steps
    for step in scoring:
        draft = step(draft)
        if draft.refusal:
            return None
    best = draft.evidence[0]
    reading = reader.Reading.of(draft.asked, draft.asked_terms, key_terms(draft.question),
                                engine.retriever.bm25(), sentences_of(draft.passages))
    values = reader.features(best, reading)
    values.update(
        raw=reader.score(values),
        runner_up=draft.evidence[1].score if len(draft.evidence) > 1 else 0.0,
        predicate_coverage=policy._predicate(draft, best),
        about_subject=float(policy._about_subject(draft, best)),
        retrieval_cosine=draft.retrieved.best_cosine,
        confident_kind=float(draft.asked.confident and draft.asked.wants_span),
    )
    return values, bool(policy(draft).refusal)


def logistic(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 3000, rate: float = 0.3):
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float((p - y).mean())
    return w, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    args = parser.parse_args()
    with contextlib.redirect_stderr(io.StringIO()):
        bot, _ = quality.build(argparse.Namespace(data_dir=args.data_dir, backend="extractive", llm_url=None))
    dev = quality.load_sets()["bbc-dev"]
    rows, labels, refused = [], [], []
    for unanswerable, items in ((0, dev["answerable"]), (1, dev["unanswerable"])):
        for q in items:
            found = signals(bot, q["question"])
            if found is not None:
                rows.append(found[0])
                labels.append(unanswerable)
                refused.append(found[1])
    names = list(rows[0])
    x = np.array([[r[n] for n in names] for r in rows])
    x = (x - x.mean(0)) / (x.std(0) + 1e-9)
    y, policy = np.array(labels, float), np.array(refused)
    print(f"dev questions past the relevance floor: {int((y == 0).sum())} answerable, {int(y.sum())} unanswerable")
    print(f"refusal policy: refuses {policy[y == 1].mean():.3f} of unanswerable, {policy[y == 0].mean():.3f} of answerable")
    order = np.random.default_rng(0).permutation(len(y))
    for l2 in (0.03, 0.1, 0.3):
        p = np.zeros(len(y))
        for fold in np.array_split(order, 5):
            train = np.setdiff1d(order, fold)
            w, b = logistic(x[train], y[train], l2)
            p[fold] = 1 / (1 + np.exp(-(x[fold] @ w + b)))
        points = []
        for rate in (0.03, 0.05, 0.08, 0.10):
            cut = np.quantile(p[y == 0], 1 - rate)
            points.append(f"{np.mean(p[y == 0] > cut):.2f} -> {np.mean(p[y == 1] > cut):.2f}")
        print(f"logistic (l2 {l2}), 5-fold CV, false refusals -> unanswerable refused: {', '.join(points)}")


if __name__ == "__main__":
    main()
