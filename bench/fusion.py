"""Where each answering passage ranks, and fit the retriever's fused score
(assistant.retrieval.hybrid.WEIGHTS) on the dev half of the BBC questions.

    .venv/bin/python bench/fusion.py                     # dev: misses, the current weights, a 5-fold fit
    .venv/bin/python bench/fusion.py --fit               # ... and print the weights fitted on all of dev
    .venv/bin/python bench/fusion.py --report bbc-test,shipped   # only report these sets (never fit on them)

Reads the index bench/quality.py builds, without syncing it (--data-dir, default /tmp/news-assistant-bench-2225).
For every answerable question, the retriever's own candidates and features
(HybridRetriever.features) are read; a candidate answers when it holds most of the evidence
(bench/quality.py's rank_of). Printed, per question the current weights miss: where the
answering passage ranks by cosine and by BM25 over the whole corpus, and whether it is a
candidate at all. Then hit@5 and MRR of the current WEIGHTS and of the fitted ones.
The fit is a conditional logit (a softmax over each question's candidates, the answering ones
the target), by gradient descent with a small L2 penalty on standardised features, like
bench/fit_reader.py. The honest figure is the cross-validated one. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.engine import clean_question  # noqa: E402
from assistant.retrieval import hybrid as R  # noqa: E402
from corpus import SHIPPED_CORPUS, load_path  # noqa: E402

# The L2 penalty on standardised weights: 5-fold cross-validated MRR on bbc-dev (three fold
# assignments) was 0.862-0.873 at 0.01, 0.872-0.875 at 0.03 and 0.860-0.866 at 0.1.
L2 = 0.03


def table(bot, texts: dict[str, str], questions: list[dict]) -> list[dict]:
    """Per question: its candidates' features, which candidates answer, and full-corpus ranks."""
    retriever = bot.engine.retriever
    passages = retriever.mirror.passages
    mirror = retriever.mirror.current()
    vectors = bot.index.embedder.embed_batch([clean_question(q["question"]) for q in questions])
    rows = []
    for q, vector in zip(questions, vectors):
        query = clean_question(q["question"])
        candidates, feats, cosines = retriever.features(query, vector)
        places = quality.targets(texts, q)
        docs = {doc for doc, _, _ in places}
        answering = [
            i
            for i, p in enumerate(mirror.passages)
            if p.doc_id in docs and quality.rank_of([(p.doc_id, p.start, p.end)], places)
        ]
        lexical = mirror.bm25.scores(query)
        rows.append(
            {
                "q": q,
                "candidates": candidates,
                "x": feats,
                "gold": np.isin(candidates, answering).astype(float),
                "dense_rank": _best_rank(cosines, answering),
                "bm25_rank": _best_rank(lexical, answering),
            }
        )
    assert passages is mirror.passages
    return rows


def _best_rank(values: np.ndarray, wanted: list[int]) -> int | None:
    if not wanted:
        return None
    return int((values > values[wanted].max()).sum()) + 1


def ranks(rows: list[dict], w: np.ndarray) -> list[int | None]:
    out = []
    for row in rows:
        order = np.argsort(-(row["x"] @ w), kind="stable")
        hits = np.nonzero(row["gold"][order])[0]
        out.append(int(hits[0]) + 1 if len(hits) else None)
    return out


def figures(found: list[int | None]) -> tuple[float, float]:
    n = max(len(found), 1)
    return sum(r is not None and r <= 5 for r in found) / n, sum(1 / r for r in found if r and r <= 5) / n


def fit(rows: list[dict], l2: float = L2, steps: int = 600, rate: float = 0.5) -> np.ndarray:
    """Weights over raw features (the standardisation is folded back in)."""
    groups = [(row["x"], row["gold"]) for row in rows if row["gold"].sum()]
    scale = np.concatenate([x for x, _ in groups]).std(axis=0) + 1e-9
    w = np.zeros(len(R.FEATURES))
    for _ in range(steps):
        grad = l2 * w
        for x, gold in groups:
            z = x / scale
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = p * gold / (p * gold).sum()
            grad += (z.T @ (p - target)) / len(groups)
        w -= rate * grad
    return w / scale


def cross_validated(rows: list[dict], folds: int = 5) -> list[int | None]:
    found: list[int | None] = [None] * len(rows)
    for f in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != f]
        w = fit(train)
        for i in range(f, len(rows), folds):
            found[i] = ranks([rows[i]], w)[0]
    return found


def current() -> np.ndarray:
    return np.array([R.WEIGHTS.get(name, 0.0) for name in R.FEATURES])


def show_misses(rows: list[dict], found: list[int | None]) -> None:
    print("answering passage not in the top 5 (rank by cosine / by BM25 over the whole corpus):")
    for row, rank in zip(rows, found):
        if rank is None or rank > 5:
            where = "not a candidate" if not row["gold"].sum() else f"ranked {rank}"
            print(
                f"  {row['q']['id']} {row['q']['kind']:<12} dense {row['dense_rank']}, BM25 {row['bm25_rank']}, "
                f"{where}: {row['q']['question']}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--fit", action="store_true", help="print the weights fitted on all of bbc-dev")
    parser.add_argument("--report", default="", help="sets to report with the current weights (bbc-test, shipped)")
    args = parser.parse_args()
    bot = Assistant(Settings.load(data_dir=args.data_dir))  # the index as bench/quality.py left it
    texts = {
        a.doc_id: a.text
        for path, label in ((SHIPPED_CORPUS, "articles"), (quality.BBC, "bbc"))
        for a in load_path(path, lambda r, label=label: label).articles
    }
    bot.engine.retriever.mirror.passages  # noqa: B018 (loads the mirror)
    sets = quality.load_sets()
    dev = table(bot, texts, sets["bbc-dev"]["answerable"])
    in_pool = sum(bool(r["gold"].sum()) for r in dev)
    print(f"bbc-dev: {len(dev)} questions, answering passage among the candidates for {in_pool}\n")
    found = ranks(dev, current())
    show_misses(dev, found)
    print(f"\n{'bbc-dev':<36} {'hit@5':>6} {'MRR':>6}")
    print(f"{'current WEIGHTS':<36} {figures(found)[0]:>6.3f} {figures(found)[1]:>6.3f}")
    cv = figures(cross_validated(dev))
    print(f"{'fitted, 5-fold cross-validated':<36} {cv[0]:>6.3f} {cv[1]:>6.3f}")
    if args.fit:
        w = fit(dev)
        fitted = figures(ranks(dev, w))
        print(f"{'fitted on all of dev (optimistic)':<36} {fitted[0]:>6.3f} {fitted[1]:>6.3f}")
        print("WEIGHTS = {" + ", ".join(f'"{n}": {v:.4g}' for n, v in zip(R.FEATURES, w)) + "}")
    for name in filter(None, args.report.split(",")):
        rows = table(bot, texts, sets[name]["answerable"])
        hit5, mrr = figures(ranks(rows, current()))
        print(f"{name + ', current WEIGHTS':<36} {hit5:>6.3f} {mrr:>6.3f}")


if __name__ == "__main__":
    main()
