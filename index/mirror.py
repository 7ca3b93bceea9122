"""The in-memory mirror of the collection that every question reads.

Chroma holds the chunks, their vectors and metadata; the question path never queries it.
For each version (generation) of the collection, the mirror loads every passage and its
stored vector once (from a pickle cache under ``<data_dir>/cache`` when one matches the
version, ~0.3 s at BBC scale, else from the store, a few seconds), builds BM25 and the
term postings of sentences and titles, and answers from memory: dense search is one exact
dot product (~1 ms at BBC scale). The only store call a question makes is reading the
collection's version, at most once a second, to notice another process's sync.
"""

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
from typing import TYPE_CHECKING

import numpy as np

from index.chunking import sentence_spans
from index.entities import NAME_LABELS
from index.lexical import BM25, TERMS_VERSION, TermGroups, terms
from index.models import Passage

if TYPE_CHECKING:
    from index.service import Index

log = logging.getLogger(__name__)
MIRROR_VERSION = 6  # bump when Mirror changes: older caches on disk are then rebuilt (6: moved to index/)
MIRROR_FORMAT = 2  # of the mirror's cache file (2: 1-D arrays as raw bytes, see _ArrayPickler)
GENERATION_CHECK_SECONDS = 1.0


@dataclass
class Mirror:
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
    def build(cls, passages: list[Passage], vectors: np.ndarray) -> Mirror:
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



class LiveMirror:
    """The mirror of one index's collection, reloaded when the collection's generation
    changes (checked at most once a GENERATION_CHECK_SECONDS; a sync in this process calls
    :meth:`invalidate`). Thread-safe: a question reads the mirror it got from
    :meth:`current`, never one swapped in by another thread midway."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._lock = threading.Lock()
        self._version: str | None = None
        self._checked_at = 0.0
        self._mirror: Mirror | None = None
        self._by_doc: dict[str, list[int]] | None = None
        self._article_terms: dict[str, frozenset[str]] = {}
        self._name_terms: frozenset[str] | None = None

    def invalidate(self) -> None:
        """Look at the collection again on the next question (after a sync in this process)."""
        self._checked_at = 0.0

    def current(self) -> Mirror:
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

    def _load_mirror(self, version: str) -> Mirror:
        """The mirror of this collection version, from the on-disk cache when it is there
        (building it takes a few seconds at BBC scale, loading ~0.3 s)."""
        folder = Path(self.index.data_dir) / "cache"
        prefix = f"retrieval-v{MIRROR_VERSION}.{TERMS_VERSION}.{MIRROR_FORMAT}-{self.index.collection_name}-"
        path = folder / f"{prefix}{version}.pickle"
        try:
            mirror = _load_pickle(path)
            if isinstance(mirror, Mirror):
                return mirror
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            pass
        passages = self.index.passages()
        stored = self.index.vectors([p.chunk_id for p in passages]) if passages else {}
        passages = [p for p in passages if p.chunk_id in stored]  # a chunk deleted between the two reads
        dim = len(next(iter(stored.values()))) if stored else 0
        vectors = np.asarray([stored[p.chunk_id] for p in passages], dtype=np.float32).reshape(len(passages), dim)
        mirror = Mirror.build(passages, vectors)
        if version:
            _save_atomically(folder, prefix, path, mirror)
        return mirror

    @property
    def passages(self) -> list[Passage]:
        return self.current().passages

    def bm25(self) -> BM25:
        return self.current().bm25

    def article_terms(self, doc_id: str) -> frozenset[str]:
        """Every term of one article (all its chunks), for "does the article mention X"."""
        mirror = self.current()
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
        mirror = self.current()
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
