"""Hybrid retrieval: dense (Chroma) + BM25 over the same chunks, fused by
reciprocal rank, with metadata filters and a relevance score per passage."""

from __future__ import annotations

import gc
import logging
import os
import pickle
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.lexical import BM25, TERMS_VERSION, TermGroups, terms
from index import Index, Passage
from index.chunking import sentence_spans
from index.entities import NAME_LABELS

log = logging.getLogger(__name__)
RRF_K = 60  # the constant from Cormack et al.; flattens rank differences beyond the top few
CANDIDATES = 30  # per side (dense, BM25), before the fused score
MIRROR_VERSION = 5  # bump when _Mirror changes: older caches on disk are then rebuilt
# The fused score is a linear function of FEATURES (see HybridRetriever.features), fitted
# as a conditional logit by `bench/fusion.py --fit` on the 116 dev questions of
# bench/questions_bbc.json over seeds + 2,225 BBC articles (5-fold cross-validated dev MRR
# 0.872; the hand-set weights before it, tuned on the shipped questions, scored 0.841).
# The scale is arbitrary: only differences between candidates of one question matter.
FEATURES = ("rrf", "cosine", "bm25", "sentence", "chunk", "title", "article", "article_cosine", "lead")
WEIGHTS = {
    "rrf": 57.79,  # reciprocal rank, dense + BM25 (each at most 1/60)
    "cosine": 4.32,  # the chunk's cosine to the question
    "bm25": 2.252,  # the chunk's BM25 over the best chunk's
    "sentence": 2.486,  # share of the question's idf weight in the chunk's best sentence
    "chunk": 4.362,  # ... anywhere in the chunk
    "title": 2.529,  # ... in its article's title
    "article": 3.942,  # ... anywhere in its article (title or text)
    "article_cosine": 2.849,  # the best cosine of any chunk of its article
    "lead": -1.117,  # an article's first chunk restates the headline, so it matches many questions
}
BOOST = WEIGHTS["rrf"] / (RRF_K + 2)  # a follow-up's previous article: as if ranked third on one side
GENERATION_CHECK_SECONDS = 1.0
MIRROR_FORMAT = 2  # of the mirror's cache file (2: 1-D arrays as raw bytes, see _ArrayPickler)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents and/or a date range (ISO dates, inclusive)."""

    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @staticmethod
    def _num(date: str | None) -> int | None:
        return int(date.replace("-", "")[:8].ljust(8, "0")) if date else None

    def where(self) -> dict | None:
        clauses: list[dict] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if (lo := self._num(self.date_from)) is not None:
            clauses.append({"date_num": {"$gte": lo}})
        if (hi := self._num(self.date_to)) is not None:
            clauses.append({"date_num": {"$lte": hi}})
        return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, passage: Passage) -> bool:
        if self.doc_ids and passage.doc_id not in self.doc_ids:
            return False
        lo, hi = self._num(self.date_from), self._num(self.date_to)
        if lo is None and hi is None:
            return True
        return (
            passage.date_num is not None
            and (lo is None or passage.date_num >= lo)
            and (hi is None or passage.date_num <= hi)
        )

    @property
    def active(self) -> bool:
        return bool(self.doc_ids or self.date_from or self.date_to)


@dataclass(frozen=True)
class Retrieved:
    """Fused passages, best first. ``score`` on each passage is its dense cosine
    (0 when only BM25 found it); ``best_cosine`` drives the relevance floor."""

    passages: list[Passage]
    best_cosine: float
    query_vector: np.ndarray


@dataclass
class _Mirror:
    """Everything retrieval reads, in memory, for one version of the collection: passages,
    their stored vectors (dense search is an exact dot product, ~1 ms at BBC scale), BM25,
    and which sentences and titles hold each term."""

    passages: list[Passage]
    bm25: BM25
    vectors: np.ndarray  # (chunks, dim) float32, as stored (unit length)
    article: np.ndarray  # per chunk, the number of its article (an article's chunks are adjacent)
    first: np.ndarray  # per article, its first chunk
    doc_numbers: dict[str, int]
    sentences: TermGroups  # every chunk's sentences, grouped by chunk
    titles: TermGroups  # one title per article
    dates: np.ndarray  # per chunk, date_num (NaN when undated)
    lead: np.ndarray  # per chunk, 1.0 for an article's first chunk

    @classmethod
    def build(cls, passages: list[Passage], vectors: np.ndarray) -> _Mirror:
        doc_numbers: dict[str, int] = {}
        for p in passages:
            doc_numbers.setdefault(p.doc_id, len(doc_numbers))
        order = sorted(range(len(passages)), key=lambda i: (doc_numbers[passages[i].doc_id], passages[i].position))
        passages, vectors = [passages[i] for i in order], vectors[order]
        article = np.array([doc_numbers.setdefault(p.doc_id, len(doc_numbers)) for p in passages], dtype=np.int32)
        texts, owners = [], []
        for i, p in enumerate(passages):
            for sentence in _sentences(p.text) or (p.text,):
                texts.append(sentence)
                owners.append(i)
        titles = [""] * len(doc_numbers)
        for p in passages:
            titles[doc_numbers[p.doc_id]] = p.title or ""
        return cls(
            passages=passages,
            bm25=BM25([f"{p.title}\n{p.text}" for p in passages]),
            vectors=vectors,
            article=article,
            first=np.searchsorted(article, np.arange(len(doc_numbers))).astype(np.int64),
            doc_numbers=doc_numbers,
            sentences=TermGroups(texts, owners, len(passages)),
            titles=TermGroups(titles, list(range(len(titles))), len(titles)),
            dates=np.array([np.nan if p.date_num is None else p.date_num for p in passages], dtype=np.float64),
            lead=np.array([p.position == 0 for p in passages], dtype=np.float32),
        )


class HybridRetriever:
    """Dense + BM25 over an in-memory mirror of the collection, rebuilt when the
    collection's generation changes; candidates are ranked by a fitted linear score."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._version: str | None = None
        self._checked_at = 0.0
        self._mirror: _Mirror | None = None
        self._by_doc: dict[str, list[int]] | None = None
        self._article_terms: dict[str, frozenset[str]] = {}
        self._name_terms: frozenset[str] | None = None

    def invalidate(self) -> None:
        """Look at the collection again on the next question (after a sync in this process)."""
        self._checked_at = 0.0

    def _refresh(self) -> _Mirror:
        now = time.monotonic()
        if self._mirror is not None and now - self._checked_at < GENERATION_CHECK_SECONDS:
            return self._mirror
        with self._lock:
            version = self.index.version()
            self._checked_at = now
            if version == self._version and self._mirror is not None:
                return self._mirror
            if self._version is not None:  # changed since we loaded: maybe by another process
                self.index.reopen()
            started = time.perf_counter()
            self._mirror = self._load_mirror(version)
            self._by_doc, self._article_terms, self._name_terms = None, {}, None
            self._version = version
            log.info("retrieval mirror: %d chunks in %.2f s", len(self._mirror.passages), time.perf_counter() - started)
            return self._mirror

    def _load_mirror(self, version: str) -> _Mirror:
        """The mirror of this collection version, from the on-disk cache when it is there
        (building it takes a few seconds at BBC scale, loading ~0.3 s)."""
        folder = Path(self.index.data_dir) / "cache"
        prefix = f"retrieval-v{MIRROR_VERSION}.{TERMS_VERSION}.{MIRROR_FORMAT}-{self.index.collection_name}-"
        path = folder / f"{prefix}{version}.pickle"
        try:
            mirror = _load_pickle(path)
            if isinstance(mirror, _Mirror):
                return mirror
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            pass
        passages = self.index.passages()
        stored = self.index.vectors([p.chunk_id for p in passages]) if passages else {}
        passages = [p for p in passages if p.chunk_id in stored]  # a chunk deleted between the two reads
        dim = len(next(iter(stored.values()))) if stored else 0
        vectors = np.asarray([stored[p.chunk_id] for p in passages], dtype=np.float32).reshape(len(passages), dim)
        mirror = _Mirror.build(passages, vectors)
        if version:
            _save_atomically(folder, prefix, path, mirror)
        return mirror

    @property
    def passages(self) -> list[Passage]:
        return self._refresh().passages

    def bm25(self) -> BM25:
        return self._refresh().bm25

    def article_terms(self, doc_id: str) -> frozenset[str]:
        """Every term of one article (all its chunks), for "does the article mention X"."""
        mirror = self._refresh()
        if doc_id not in self._article_terms:
            if self._by_doc is None:
                by_doc: dict[str, list[int]] = {}
                for i, passage in enumerate(mirror.passages):
                    by_doc.setdefault(passage.doc_id, []).append(i)
                self._by_doc = by_doc
            texts = [f"{mirror.passages[i].title} {mirror.passages[i].text}" for i in self._by_doc.get(doc_id, [])]
            self._article_terms[doc_id] = frozenset(terms(" ".join(texts)))
        return self._article_terms[doc_id]

    def is_name(self, term: str) -> bool:
        """The collection writes ``term`` inside a named entity at least half the times it
        uses it (from the entities stored at index time), or never uses it at all."""
        mirror = self._refresh()
        if self._name_terms is None:
            inside: dict[str, int] = {}
            for passage in mirror.passages:
                for start, end, label in passage.entities:
                    if label in NAME_LABELS:
                        for word in set(terms(passage.text[start:end])):
                            inside[word] = inside.get(word, 0) + 1
            self._name_terms = frozenset(w for w, n in inside.items() if n >= 0.5 * self._df(w))
        return term in self._name_terms or self._df(term) == 0

    def _df(self, term: str) -> int:
        postings = self._mirror.bm25.postings.get(term) if self._mirror else None
        return 0 if postings is None else len(postings[0])

    def retrieve(self, query: str, k: int, filters: Filters = Filters(), boost_doc: str | None = None) -> Retrieved:
        mirror = self._refresh()
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
        return self._features(self._refresh(), query, vector, filters)

    def _features(self, mirror: _Mirror, query: str, vector: np.ndarray, filters: Filters):
        # einsum, not `@`: BLAS would split this small product over threads, and on busy
        # cores the hand-offs cost 10-80x the ~1 ms the product takes on one
        cosines = np.einsum("ij,j->i", mirror.vectors, vector.astype(np.float32, copy=False))
        lexical = mirror.bm25.scores(query)
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
        idf = {t: mirror.bm25.idf(t) for t in set(terms(query))}
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


def _allowed(mirror: _Mirror, filters: Filters) -> np.ndarray | None:
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


def _article_coverage(mirror: _Mirror, idf: dict[str, float]) -> np.ndarray:
    """Per article, the idf weight of the question's terms that its title or text holds."""
    acc = np.zeros(len(mirror.doc_numbers), dtype=np.float32)
    for term, weight in idf.items():
        present = np.zeros(len(acc), dtype=bool)
        present[mirror.article[mirror.sentences.holding(term)]] = True
        present[mirror.titles.holding(term)] = True
        acc += weight * present
    return acc


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(text[s:e] for s, e in sentence_spans(text))


class _ArrayPickler(pickle.Pickler):
    """Writes each 1-D NumPy array as its raw bytes, read back by one ``np.frombuffer`` call:
    the BM25 postings are ~55,000 small arrays at BBC scale, and NumPy's own reduce makes
    loading them ~3x slower (a cold ``assistant ask`` loads the mirror first)."""

    def reducer_override(self, obj):
        if type(obj) is np.ndarray and obj.ndim == 1 and obj.dtype.kind in "biuf":
            return np.frombuffer, (bytearray(obj.tobytes()), obj.dtype.str)  # a bytearray: writable again
        return NotImplemented


def _load_pickle(path: Path):
    """Unpickle without the cyclic collector running over the ~10^5 objects as they appear."""
    with open(path, "rb") as handle:
        data = handle.read()
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if collecting:
            gc.enable()


def _save_atomically(folder: Path, prefix: str, path: Path, mirror) -> None:
    """Write the cache next to its final name and rename, so a reader never sees half a
    file; older versions of the same collection's cache are removed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{prefix}*.pickle"):
            old.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as handle:
            _ArrayPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(mirror)
        os.replace(handle.name, path)
    except OSError as exc:  # a read-only data dir only costs the cache
        log.info("BM25 cache not written: %s", exc)
