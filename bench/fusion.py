"""Where each answering passage ranks, and what other ways of fusing dense and BM25
would have scored, on the index bench/quality.py builds (run that first).

    .venv/bin/python bench/fusion.py                     # 2,225 BBC distractors
    .venv/bin/python bench/fusion.py --title-prefix      # also: chunks embedded with their title (~5-10 min)

Exact (brute-force) cosine over every stored vector, BM25 over every chunk, the same
30 + 30 candidates the retriever takes. Prints, per question the shipped retriever
misses, the dense and BM25 rank of its passage over the whole corpus, then hit@5 and
MRR of each fusion variant. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from assistant import retrieval as R  # noqa: E402
from assistant.lexical import lexical_coverage, terms  # noqa: E402
from bench.quality import QUESTIONS, hit, span_location  # noqa: E402
from corpus import SHIPPED_CORPUS, load_path  # noqa: E402

TEXTS = {a.doc_id: a.text for a in load_path(SHIPPED_CORPUS, lambda r: "articles").articles}


def is_answering(passage, question: dict) -> bool:
    """The same test as bench/quality.py: the passage holds most of the answering span."""
    return hit(passage.doc_id, passage.start, passage.end, span_location(TEXTS, question["doc"], question["span"]))


def embed_all(embedder, passages, with_title: bool) -> np.ndarray:
    def text(p):
        title = (p.title or "").strip()
        return f"{title}\n{p.text}" if with_title and title and not p.text.lstrip().startswith(title) else p.text

    return np.concatenate([embedder.embed_batch([text(p) for p in passages[i : i + 32]]) for i in range(0, len(passages), 32)])


def features(passages, vectors: np.ndarray, bm25, embedder) -> list[tuple[dict, list[int], dict]]:
    """Per question: its candidates and, per candidate, what a fusion may use."""
    rows, doc_rows = [], defaultdict(list)
    for i, p in enumerate(passages):
        doc_rows[p.doc_id].append(i)
    questions = QUESTIONS["answerable"]
    for q, qv in zip(questions, embedder.embed_batch([q["question"] for q in questions])):
        cos, lex = vectors @ qv, bm25.scores(q["question"])
        dense = list(np.argsort(-cos)[: R.CANDIDATES])
        sparse = [i for i in np.argsort(-lex)[: R.CANDIDATES] if lex[i] > 0]
        q_terms, best_bm25 = terms(q["question"]), max(float(lex.max()), 1e-9)
        feats = {}
        for i in dict.fromkeys(dense + sparse):
            p = passages[i]
            feats[i] = {
                "cos": float(cos[i]),
                "bm25": float(lex[i]) / best_bm25,
                "dense_rank": dense.index(i) if i in dense else None,
                "bm25_rank": sparse.index(i) if i in sparse else None,
                "sentence": max((lexical_coverage(q_terms, s, bm25) for s in R._sentences(p.text)), default=0.0),
                "chunk": lexical_coverage(q_terms, p.text, bm25),
                "doc_best_cos": float((vectors[doc_rows[p.doc_id]] @ qv).max()),
            }
        answering = [i for i, p in enumerate(passages) if is_answering(p, q)]
        full = {"dense": _best_rank(np.argsort(-cos), answering), "bm25": _best_rank(np.argsort(-lex), answering)}
        rows.append((q, list(feats), feats, full))
    return rows


def _best_rank(order: np.ndarray, wanted: list[int]) -> int | None:
    where = [int(np.where(order == w)[0][0]) + 1 for w in wanted]
    return min(where) if where else None


def rrf(f: dict, sentence=R.SENTENCE_WEIGHT, chunk=R.CHUNK_WEIGHT, cosine=R.COSINE_WEIGHT) -> float:
    """The shipped fusion: reciprocal rank plus the re-rank bonuses."""
    score = sum(1 / (R.RRF_K + f[side]) for side in ("dense_rank", "bm25_rank") if f[side] is not None)
    dense_cos = f["cos"] if f["dense_rank"] is not None else 0.0
    return score + sentence * f["sentence"] + chunk * f["chunk"] + cosine * dense_cos


VARIANTS = {
    "shipped: RRF + re-rank": rrf,
    "plain RRF": lambda f: rrf(f, 0, 0, 0),
    **{f"convex {a:.1f}*cos + {1 - a:.1f}*bm25": (lambda f, a=a: a * f["cos"] + (1 - a) * f["bm25"]) for a in (0.5, 0.7, 0.8)},
    **{f"shipped + {w} * article's best cosine": (lambda f, w=w: rrf(f) + w * f["doc_best_cos"]) for w in (0.01, 0.03)},
}


def score_variants(rows, passages) -> None:
    print(f"{'variant':<44} {'hit@5':>6} {'MRR':>6}  misses (rank)")
    for name, scorer in VARIANTS.items():
        hits, rr, misses = 0, 0.0, []
        for q, candidates, feats, _ in rows:
            ranked = sorted(candidates, key=lambda i: scorer(feats[i]), reverse=True)
            pos = next((n + 1 for n, i in enumerate(ranked) if is_answering(passages[i], q)), None)
            hits += bool(pos and pos <= 5)
            rr += 1 / pos if pos else 0.0
            if not pos or pos > 5:
                misses.append(f"{q['id']}({pos or '-'})")
        print(f"{name:<44} {hits / len(rows):>6.3f} {rr / len(rows):>6.3f}  {' '.join(misses)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/tmp/news-assistant-bench-2225")
    parser.add_argument("--title-prefix", action="store_true", help="re-embed every chunk as 'title + text' and compare")
    args = parser.parse_args()
    bot = Assistant(Settings.load(data_dir=args.data_dir))
    retriever = bot.engine.retriever
    passages, bm25, embedder = retriever.passages, retriever.bm25(), bot.index.embedder
    stored = bot.index.vectors([p.chunk_id for p in passages])
    vectors = np.asarray([stored[p.chunk_id] for p in passages], dtype=np.float32)
    print(f"{len(passages)} chunks in {args.data_dir}\n")
    rows = features(passages, vectors, bm25, embedder)
    print("answering passage's rank over the whole corpus, where it is not in the shipped top 5:")
    for q, candidates, feats, full in rows:
        ranked = sorted(candidates, key=lambda i: rrf(feats[i]), reverse=True)
        pos = next((n + 1 for n, i in enumerate(ranked) if is_answering(passages[i], q)), None)
        if not pos or pos > 5:
            print(f"  {q['id']}: dense {full['dense']}, BM25 {full['bm25']}, fused {pos or 'not a candidate'}: {q['question']}")
    print()
    score_variants(rows, passages)
    if args.title_prefix:
        print("\nchunks embedded with their title prepended:")
        titled = embed_all(embedder, passages, with_title=True)
        score_variants(features(passages, titled, bm25, embedder), passages)


if __name__ == "__main__":
    main()
