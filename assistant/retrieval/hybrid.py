"""Hybrid retrieval over the index's in-memory mirror (:mod:`index.mirror`): the dense
cosine of every chunk (one dot product) and BM25 each propose candidates; each candidate
gets a row of features (reciprocal rank of both lists, cosine, BM25, the question's rare
words in its best sentence, chunk, title and article, its article's best cosine, lead)
and is ranked by a linear score fitted on the dev half of bench/questions_bbc.json.
Metadata filters (documents, dates) mask the mirror before ranking. No Chroma call."""

from __future__ import annotations

import numpy as np

from assistant import calibration
from assistant.core.pipeline import Retrieved
from assistant.core.question import Filters
from index import Index
from index.lexical import terms
from index.mirror import LiveMirror, Mirror

# Tuned constants (see assistant.calibration for how each was chosen).
RRF_K, CANDIDATES, WEIGHTS = calibration.RRF_K, calibration.CANDIDATES, calibration.FUSION_WEIGHTS
FEATURES = tuple(WEIGHTS)  # the columns of HybridRetriever.features
BOOST = WEIGHTS["rrf"] / (RRF_K + 2)  # a follow-up's previous article: as if ranked third on one side


class HybridRetriever:
    """Dense + BM25 candidates from the index's mirror, ranked by a fitted linear score."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.mirror = LiveMirror(index)

    def retrieve(self, query: str, k: int, filters: Filters = Filters(), boost_doc: str | None = None,
                 vector: np.ndarray | None = None) -> Retrieved:
        """The ``k`` best passages for ``query``; ``vector`` is its embedding when the caller
        has it already (the engine embeds everything a question needs in one batch)."""
        mirror = self.mirror.current()
        if vector is None:
            vector = self.index.embedder.embed_batch([query])[0]
        if not len(mirror.passages):
            return Retrieved([], 0.0, vector)
        candidates, table, cosines = self._features(mirror, query, vector, filters)
        if not len(candidates):
            return Retrieved([], 0.0, vector)
        score = table @ np.array([WEIGHTS.get(name, 0.0) for name in FEATURES], dtype=np.float32)
        if boost_doc in mirror.doc_numbers:  # a follow-up most likely continues the article the last answer cited
            score += BOOST * (mirror.article[candidates] == mirror.doc_numbers[boost_doc])
        best = candidates[np.argsort(-score, kind="stable")[:k]]
        passages = [mirror.passages[i].with_score(float(cosines[i])) for i in best]
        return Retrieved(passages, float(cosines[candidates].max()), vector)

    def features(
        self, query: str, vector: np.ndarray, filters: Filters = Filters()
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The candidates a question ranks (chunk numbers in ``passages``), a row of FEATURES
        for each, and every chunk's cosine to the question (``bench/fusion.py`` fits on these)."""
        return self._features(self.mirror.current(), query, vector, filters)

    def _features(self, mirror: Mirror, query: str, vector: np.ndarray, filters: Filters):
        # einsum, not `@`: BLAS would split this small product over threads, and on busy
        # cores the hand-offs cost 10-80x the ~1 ms the product takes on one
        cosines = np.einsum("ij,j->i", mirror.vectors, vector.astype(np.float32, copy=False))
        query_terms = frozenset(terms(query))  # once: BM25 and the coverage features both read them
        lexical = mirror.bm25.scores(query_terms)
        allowed = _allowed(mirror, filters)
        dense_cos = cosines if allowed is None else np.where(allowed, cosines, -np.inf)
        if allowed is not None:
            lexical = np.where(allowed, lexical, 0.0)
        dense = _top(dense_cos, CANDIDATES)
        dense = dense[np.isfinite(dense_cos[dense])]
        sparse = _top(lexical, CANDIDATES)
        sparse = sparse[lexical[sparse] > 0]
        candidates = np.array(list(dict.fromkeys([*dense.tolist(), *sparse.tolist()])), dtype=np.int64)
        if not len(candidates):
            return candidates, np.zeros((0, len(FEATURES)), dtype=np.float32), cosines
        idf = {t: mirror.bm25.idf(t) for t in query_terms}
        total = sum(idf.values()) or 1.0
        rrf = np.zeros(len(mirror.passages), dtype=np.float32)
        rrf[dense] += 1 / (RRF_K + np.arange(len(dense)))
        rrf[sparse] += 1 / (RRF_K + np.arange(len(sparse)))
        articles = mirror.article[candidates]
        # an article's chunks are adjacent in the mirror
        article_cos = np.maximum.reduceat(dense_cos.astype(np.float32), mirror.first)
        columns = {
            "rrf": rrf[candidates],
            "cosine": cosines[candidates],
            "bm25": lexical[candidates] / max(float(lexical.max()), 1e-9),
            "sentence": mirror.sentences.best(idf)[candidates] / total,
            "chunk": mirror.sentences.anywhere(idf)[candidates] / total,
            "title": mirror.titles.anywhere(idf)[articles] / total,
            "article": _article_coverage(mirror, idf)[articles] / total,
            "article_cosine": article_cos[articles],
            "lead": mirror.lead[candidates],
        }
        return candidates, np.stack([columns[name] for name in FEATURES], axis=1).astype(np.float32), cosines


def _allowed(mirror: Mirror, filters: Filters) -> np.ndarray | None:
    """Which chunks the filters let through; None when there are no filters."""
    if not filters.active:
        return None
    allowed = np.ones(len(mirror.passages), dtype=bool)
    if filters.doc_ids:
        wanted = [mirror.doc_numbers[d] for d in filters.doc_ids if d in mirror.doc_numbers]
        allowed &= np.isin(mirror.article, wanted)
    with np.errstate(invalid="ignore"):  # NaN (undated) compares False: excluded by a date filter
        if (lo := Filters._num(filters.date_from)) is not None:
            allowed &= mirror.dates >= lo
        if (hi := Filters._num(filters.date_to)) is not None:
            allowed &= mirror.dates <= hi
    return allowed


def _top(values: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest values, largest first."""
    if len(values) > n:
        part = np.argpartition(-values, n)[:n]
        return part[np.argsort(-values[part], kind="stable")]
    return np.argsort(-values, kind="stable")


def _article_coverage(mirror: Mirror, idf: dict[str, float]) -> np.ndarray:
    """Per article, the idf weight of the question's terms that its title or text holds."""
    acc = np.zeros(len(mirror.doc_numbers), dtype=np.float32)
    for term, weight in idf.items():
        present = np.zeros(len(acc), dtype=bool)
        present[mirror.article[mirror.sentences.holding(term)]] = True
        present[mirror.titles.holding(term)] = True
        acc += weight * present
    return acc
