"""The index as one object: sync a corpus into Chroma, remove, report, and hand the
question path what it mirrors in memory (every passage, its vector, the version)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from corpus import SHIPPED_CORPUS, CorpusError, LoadResult, load_path
from corpus.models import MAX_FILE_BYTES
from index.chunking import DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, chunk_article
from index.embedders import Embedder, MiniLMEmbedder
from index.entities import EntityTagger
from index.lock import WriterLock
from index.models import Passage, SyncReport
from index.store import (
    ArticleStore,
    DocState,
    embedded_metadata,
    embedded_summary,
    embedded_version,
    open_client,
    unfinished,
)
from index.sync import Progress, embed_and_write, plan, tag_stored

log = logging.getLogger(__name__)


class Index:
    """A Chroma collection of article chunks kept equal to a set of corpus roots."""

    def __init__(
        self,
        data_dir: Path,
        *,
        chroma_url: str | None = None,
        collection: str = "articles",
        embedder: Embedder | None = None,
        chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
        overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
        max_file_bytes: int = MAX_FILE_BYTES,
        lock_wait_seconds: float = 0.0,
        tagger: EntityTagger | None = None,
        entities: bool = True,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.chroma_url = chroma_url
        self.collection_name = collection
        self.embedder = embedder or MiniLMEmbedder()
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.max_file_bytes = max_file_bytes
        self.lock_wait_seconds = lock_wait_seconds
        # entities are what the reader types answers with; off only to measure their cost
        self.tagger = (tagger or EntityTagger()) if entities else None

    @property
    def card(self) -> dict:
        """The identity a collection must match to be reused."""
        return {"embedder": self.embedder.identity, "chunker": f"cl100k_base/{self.chunk_tokens}/{self.overlap_tokens}"}

    @cached_property
    def client(self):
        return open_client(self.data_dir, self.chroma_url)

    @cached_property
    def store(self) -> ArticleStore:
        return ArticleStore(self.client, self.collection_name, self.card, self.chroma_url or str(self.data_dir))

    def reopen(self) -> None:
        """Drop the Chroma client so the next call sees what another process wrote.

        An embedded PersistentClient keeps its vector segments in memory and does not
        notice another process's writes (Chroma is not multi-process safe); a reader
        reopens when the collection's generation changes.
        """
        if self.chroma_url is None and "client" in self.__dict__:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        self.__dict__.pop("client", None)
        self.__dict__.pop("store", None)

    # -- writing -------------------------------------------------------------
    def sync(
        self, paths: Iterable[Path] | None = None, *, rebuild: bool = False, progress: Progress | None = None
    ) -> SyncReport:
        """Bring the collection in line with ``paths`` (default: every root it already
        holds, or the shipped corpus when it is empty)."""
        started = time.perf_counter()
        with WriterLock(self.data_dir, self.lock_wait_seconds):
            report = self._rebuild(paths, progress) if rebuild else self._sync(paths, progress)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _sync(self, paths, progress) -> SyncReport:
        self._finish_interrupted_rebuild()
        store = self.store
        store.collection(create=True)  # raises IndexMismatchError before any work
        states = store.documents()
        unfinished = store.unfinished()  # by a sync cut short: this one finishes it
        loads = self._load(paths, states)
        report = SyncReport()
        to_embed = plan(loads, states, store, report)
        if to_embed:
            store.mark_writing()
        present = {chunk_id for state in states.values() for chunk_id in state.chunk_ids}
        report.chunks_embedded = self._embed(store, to_embed, states, loads, progress, set(states), present)
        embedded = {a.doc_id for a in to_embed}
        unchanged = [a for load in loads for a in load.articles if a.doc_id not in embedded]
        if self.tagger is not None and tag_stored(unchanged, states, store, self.tagger):
            store.touch()  # readers must reload passages to see the entities
        if report.changed or unfinished:
            store.touch()
        return report

    def _rebuild(self, paths, progress) -> SyncReport:
        """Re-embed everything into a fresh collection, then swap it in; until the
        swap the old collection stays whole and searchable."""
        old = ArticleStore(self.client, self.collection_name, card={}, where=self.chroma_url or str(self.data_dir))
        states = old.documents()
        loads = self._load(paths, states)
        fresh = ArticleStore(self.client, f"{self.collection_name}-rebuild", self.card, self.chroma_url or str(self.data_dir))
        fresh.drop()
        fresh.collection(create=True)
        report = SyncReport()
        to_embed = plan(loads, {}, fresh, report)
        report.chunks_embedded = self._embed(fresh, to_embed, states, loads, progress, set(), set())
        fresh.touch()
        old.drop()
        fresh.rename(self.collection_name)
        self.__dict__.pop("store", None)
        return report

    def _finish_interrupted_rebuild(self) -> None:
        """A rebuild killed between dropping the old collection and renaming the new
        one leaves only the new one: it is complete (``indexed_at`` is set last), so
        put it in place instead of starting over from the shipped corpus."""
        rebuilt = ArticleStore(self.client, f"{self.collection_name}-rebuild", self.card, self.chroma_url or str(self.data_dir))
        if not self.store.exists() and rebuilt.exists() and rebuilt.metadata().get("indexed_at"):
            log.warning("finishing an interrupted rebuild of %s", self.collection_name)
            rebuilt.rename(self.collection_name)
            self.__dict__.pop("store", None)

    def _embed(self, store, articles, states, loads, progress, replaces, present) -> int:
        modes = _root_modes(states)
        modes.update({str(load.root): "folder" for load in loads if load.whole_root})
        return embed_and_write(
            articles,
            store,
            self.embedder,
            chunker=lambda a: chunk_article(a, self.chunk_tokens, self.overlap_tokens),
            root_mode=lambda a: modes.get(a.root, "file"),
            progress=progress,
            replaces=replaces,
            present=present,
            tagger=self.tagger,
        )

    def _load(self, paths, states: dict[str, DocState]) -> list[LoadResult]:
        targets = [Path(p) for p in paths] if paths else self._known_targets(states)
        labels = _RootLabels(states)
        loads = [load_path(target, labels.label_for, self.max_file_bytes) for target in targets]
        return loads

    def _known_targets(self, states: dict[str, DocState]) -> list[Path]:
        if not states:
            return [SHIPPED_CORPUS]
        modes = _root_modes(states)
        targets: list[Path] = []
        for root, mode in sorted(modes.items()):
            if not Path(root).is_dir():
                log.warning(
                    "indexed folder %s is gone; its documents are kept (remove them with `assistant remove --root`)",
                    root,
                )
                continue
            if mode == "folder":
                targets.append(Path(root))
            else:
                targets.extend(Path(s.path) for s in states.values() if s.root == root and Path(s.path).exists())
        return targets

    def remove(self, doc_ids: Iterable[str] = (), roots: Iterable[str] = ()) -> list[str]:
        """Delete documents by id, or every document of a root folder; returns ids removed."""
        with WriterLock(self.data_dir, self.lock_wait_seconds):
            states = self.store.documents()
            wanted = set(doc_ids)
            root_set = {str(Path(r).resolve()) for r in roots}
            unknown = wanted - set(states)
            if unknown:
                raise CorpusError(
                    f"not in the index: {', '.join(sorted(unknown))}; see `assistant status --json` for ids"
                )
            gone = sorted(d for d, s in states.items() if d in wanted or s.root in root_set)
            for doc_id in gone:
                self.store.delete_document(doc_id)
            if gone:
                self.store.touch()
            return gone

    # -- reading -------------------------------------------------------------
    def status(self) -> dict:
        summary = embedded_summary(self.data_dir, self.collection_name) if self.chroma_url is None else None
        if summary is None:  # a Chroma server, or a file this cannot read: ask Chroma
            summary = self.store.summary()
        meta = summary.get("meta") or {}
        return {
            "documents": summary.get("documents", 0),
            "chunks": summary.get("chunks", 0),
            "embedder": meta.get("embedder", self.embedder.identity),
            "chunker": meta.get("chunker", self.card["chunker"]),
            "data_dir": str(self.data_dir),
            "chroma": self.chroma_url or str(self.data_dir / "chroma"),
            "collection": self.collection_name,
            "last_indexed": meta.get("indexed_at") or None,
            "generation": int(meta.get("generation", 0)),
            "roots": summary.get("roots", []),
        }

    def unfinished(self) -> bool:
        """No sync has completed yet, or the last one that wrote chunks was cut short: its
        documents may be missing or half-written until ``sync()`` runs again."""
        meta = embedded_metadata(self.data_dir, self.collection_name) if self.chroma_url is None else None
        return self.store.unfinished() if meta is None else unfinished(meta)

    def version(self) -> str:
        """Changes whenever a sync, removal or rebuild changed the collection."""
        if self.chroma_url is None:
            read = embedded_version(self.data_dir, self.collection_name)
            if read is not None:
                return read
        return self.store.version()

    def passages(self) -> list[Passage]:
        return self.store.passages()

    def vectors(self, chunk_ids: list[str]) -> dict[str, list[float]]:
        return self.store.vectors(chunk_ids)

    def search(self, vector, k: int, where: dict | None = None) -> list[Passage]:
        """Chroma's own nearest-neighbour search. Questions never use it (they read the
        in-memory mirror, index.mirror); the crash tests use it to check that every stored
        chunk is reachable through the store's vector index."""
        return self.store.query(vector, k, where)


def _root_modes(states: dict[str, DocState]) -> dict[str, str]:
    modes: dict[str, str] = {}
    for state in states.values():
        if modes.get(state.root) != "folder":
            modes[state.root] = state.root_mode
    return modes


class _RootLabels:
    """Doc ids start with a label per root (its folder name); two different roots
    with the same folder name get ``name``, ``name-2``, ... so ids never collide."""

    def __init__(self, states: dict[str, DocState]) -> None:
        self.by_root = {s.root: doc_id.split("/", 1)[0] for doc_id, s in states.items()}

    def label_for(self, root: Path) -> str:
        key = str(root)
        if key not in self.by_root:
            base = re.sub(r"[^A-Za-z0-9._-]+", "-", root.name).strip("-") or "root"
            taken = set(self.by_root.values())
            label, n = base, 2
            while label in taken:
                label, n = f"{base}-{n}", n + 1
            self.by_root[key] = label
        return self.by_root[key]
