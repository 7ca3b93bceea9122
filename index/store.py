"""The Chroma collection: opening it (embedded or server), its identity card,
and the few reads and writes the sync and retrieval need."""

from __future__ import annotations

import functools
import logging
import sqlite3
import time
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from index.entities import decode
from index.models import IndexMismatchError, Passage, StoreUnavailableError
from index.sentence_vectors import METADATA_KEY as SENTENCES_KEY

log = logging.getLogger(__name__)
SCHEMA_VERSION = 1
PAGE = 2000  # rows per Chroma read; keeps one response bounded at BBC scale


@dataclass
class DocState:
    """What the collection holds for one document (derived from chunk metadata)."""

    root: str
    root_mode: str
    path: str
    chunks_by_hash: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    expected_by_hash: dict[str, int] = field(default_factory=dict)
    chunk_ids: set[str] = field(default_factory=set)
    taggers: set[str] = field(default_factory=set)  # entity taggers its chunks were tagged with ("" = none)

    def is_complete(self, digest: str) -> bool:
        """Every chunk of this version is stored (its write finished)."""
        return digest in self.expected_by_hash and self.chunks_by_hash.get(digest) == self.expected_by_hash[digest]

    def complete_hash(self) -> str | None:
        """A content hash whose chunks are all present (a finished write)."""
        for digest, expected in self.expected_by_hash.items():
            if self.chunks_by_hash.get(digest) == expected:
                return digest
        return None


def open_client(data_dir: Path, chroma_url: str | None):
    """A PersistentClient under the data dir, or an HttpClient for ``chroma run``."""
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    try:
        if chroma_url:
            url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=settings
            )
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(Path(data_dir) / "chroma"), settings=settings)
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
        where = chroma_url or str(data_dir)
        raise StoreUnavailableError(
            f"cannot open the Chroma store at {where}: {exc}; "
            + ("is `chroma run` up at that URL?" if chroma_url else "check the data dir is writable")
        ) from exc


def embedded_version(data_dir: Path, name: str) -> str | None:
    """:meth:`ArticleStore.version` of an embedded store, read straight from Chroma's SQLite
    file without importing chromadb: a process that only answers questions from the mirror's
    cache (index.mirror) then never loads it, ~65 MB of RSS and ~0.5 s less
    (bench/cold_start.py). None when the file or its layout (Chroma 1.5's tables) is not what
    this expects: the caller asks Chroma itself."""

    def query(db) -> str | None:
        collection = _collection_id(db, name)
        if not collection:
            return None if collection is None else ""  # "": no collection yet, as Chroma says
        return f"{collection}-{_metadata(db, collection).get('generation') or 0}"

    return _read_sqlite(data_dir, query)


def embedded_metadata(data_dir: Path, name: str) -> dict | None:
    """The collection's metadata (its identity card, ``generation``, ``writing``) from
    Chroma's SQLite file, like :func:`embedded_version`; {} when there is no collection."""

    def query(db) -> dict | None:
        collection = _collection_id(db, name)
        return _metadata(db, collection) if collection else None if collection is None else {}

    return _read_sqlite(data_dir, query)


def embedded_summary(data_dir: Path, name: str) -> dict | None:
    """:meth:`ArticleStore.summary` of an embedded store, from Chroma's SQLite file like
    :func:`embedded_version`: `serve`'s banner and the page show it without loading
    chromadb. None when it cannot be read so."""

    def query(db) -> dict | None:
        collection = _collection_id(db, name)
        if not collection:
            return None if collection is None else {}  # {}: no collection yet, nothing indexed
        chunks = "FROM embeddings e JOIN segments s ON s.id = e.segment_id AND s.scope = 'METADATA' AND s.collection = ?"
        valued = f"{chunks} JOIN embedding_metadata m ON m.id = e.id AND m.key = ?"
        return {
            "meta": _metadata(db, collection),
            "chunks": db.execute(f"SELECT count(*) {chunks}", (collection,)).fetchone()[0],
            "documents": db.execute(f"SELECT count(DISTINCT m.string_value) {valued}", (collection, "doc_id")).fetchone()[0],
            "roots": sorted(r for (r,) in db.execute(f"SELECT DISTINCT m.string_value {valued}", (collection, "root"))),
        }

    return _read_sqlite(data_dir, query)


def _collection_id(db, name: str) -> str | None:
    """The collection's id; "" when there is none, None when the name is ambiguous."""
    ids = db.execute("SELECT c.id FROM collections c JOIN databases d ON d.id = c.database_id "
                     "AND d.name = 'default_database' AND d.tenant_id = 'default_tenant' WHERE c.name = ?",
                     (name,)).fetchall()
    return ids[0][0] if len(ids) == 1 else "" if not ids else None


def _metadata(db, collection: str) -> dict:
    rows = db.execute("SELECT key, str_value, int_value, float_value, bool_value FROM collection_metadata "
                      "WHERE collection_id = ?", (collection,))
    return {key: next((v for v in values if v is not None), None) for key, *values in rows}


def unfinished(meta: dict) -> bool:
    """No sync has finished since the collection was created (or there is none yet), or
    the last one that wrote chunks was cut short (killed, Ctrl-C, a full disk)."""
    return not meta.get("indexed_at") or bool(meta.get("writing"))


def _read_sqlite(data_dir: Path, query):
    """``query(connection)`` on Chroma's SQLite file, opened read only; None when there is
    no file or the query fails (another layout: a chromadb other than the pinned one)."""
    path = Path(data_dir) / "chroma" / "chroma.sqlite3"
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)) as db:
            return query(db)
    except sqlite3.Error:
        return None


def _guarded(method):
    """Turn Chroma/network failures into StoreUnavailableError with a next step:
    a stopped `chroma run`, a full disk or a read-only data dir."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (IndexMismatchError, StoreUnavailableError):
            raise
        except Exception as exc:
            if self.where.startswith("http"):
                hint = "is `chroma run` up? it will be used again as soon as it answers"
            else:
                hint = "check free disk space and that the data dir is writable; the last complete index is kept"
            raise StoreUnavailableError(f"Chroma store at {self.where} failed during {method.__name__} ({exc}); {hint}") from exc

    return call


class ArticleStore:
    """One Chroma collection of chunks plus its identity card (collection metadata)."""

    def __init__(self, client, name: str, card: dict, where: str = "") -> None:
        self.client = client
        self.name = name
        self.card = card  # embedder identity, dimension, chunking: must match to reuse
        self.where = where  # URL or path, for error messages
        self._collection = None

    # -- opening -------------------------------------------------------------
    @_guarded
    def collection(self, create: bool = False):
        if self._collection is None:
            self._collection = self._open(create)
        return self._collection

    @_guarded
    def exists(self) -> bool:
        return self.name in {c.name for c in self.client.list_collections()}

    def _open(self, create: bool):
        if not self.exists():
            if not create:
                return None
            log.info("creating collection %s", self.name)
            return self.client.create_collection(
                self.name,
                embedding_function=None,  # Chroma's default would download a model
                configuration={"hnsw": {"space": "cosine"}},
                metadata={**self.card, "schema": SCHEMA_VERSION, "indexed_at": ""},
            )
        collection = self.client.get_collection(self.name, embedding_function=None)
        self.check_card(collection.metadata or {})
        return collection

    def check_card(self, stored: dict) -> None:
        for key, wanted in self.card.items():
            if stored.get(key) != wanted:
                raise IndexMismatchError(
                    f"the index was built with {key}={stored.get(key)!r} but the settings say {wanted!r}; "
                    "mixing them would corrupt search. Run `assistant index --rebuild` to re-embed everything, "
                    "or restore the previous settings"
                )

    @_guarded
    def touch(self) -> None:
        """Record a finished write (readers use ``indexed_at`` to notice changes)."""
        collection = self.collection()
        meta = dict(collection.metadata or {})
        meta["indexed_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        meta["generation"] = int(meta.get("generation", 0)) + 1
        meta["writing"] = 0
        collection.modify(metadata=meta)

    @_guarded
    def mark_writing(self) -> None:
        """Record that a sync starts writing chunks; ``touch`` clears it when the sync ends."""
        collection = self.collection()
        collection.modify(metadata={**(collection.metadata or {}), "writing": 1})

    def unfinished(self) -> bool:
        """See :func:`unfinished`."""
        return unfinished(self.metadata())

    def summary(self) -> dict:
        """Metadata, documents, chunks and roots, as ``Index.status`` reports them ({} when
        there is no collection yet)."""
        meta = self.metadata()
        if not meta:
            return {}
        states = self.documents()
        return {"meta": meta, "documents": len(states), "chunks": self.count(),
                "roots": sorted({s.root for s in states.values()})}

    @_guarded
    def version(self) -> str:
        """Changes whenever the collection's content does (a rebuild makes a new id)."""
        if not self.exists():
            return ""
        collection = self.client.get_collection(self.name, embedding_function=None)
        return f"{collection.id}-{(collection.metadata or {}).get('generation', 0)}"

    @_guarded
    def metadata(self) -> dict:
        if not self.exists():
            return {}
        return dict(self.client.get_collection(self.name, embedding_function=None).metadata or {})

    # -- reads ---------------------------------------------------------------
    @_guarded
    def count(self) -> int:
        collection = self.collection()
        return collection.count() if collection else 0

    def rows(self, include: list[str]):
        """All (id, metadata[, document]) rows, read in pages."""
        collection = self.collection()
        if collection is None:
            return
        offset = 0
        while True:
            page = collection.get(include=include, limit=PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            metadatas = page.get("metadatas") or [None] * len(ids)
            documents = page.get("documents") or [None] * len(ids)
            yield from zip(ids, metadatas, documents)
            offset += len(ids)

    @_guarded
    def documents(self) -> dict[str, DocState]:
        states: dict[str, DocState] = {}
        for chunk_id, meta, _ in self.rows(["metadatas"]):
            state = states.setdefault(
                meta["doc_id"], DocState(meta["root"], meta.get("root_mode", "folder"), meta.get("path", ""))
            )
            state.chunk_ids.add(chunk_id)
            state.taggers.add(meta.get("ner", ""))
            state.chunks_by_hash[meta["content_hash"]] += 1
            state.expected_by_hash[meta["content_hash"]] = int(meta["n_chunks"])
        return states

    @_guarded
    def passages(self) -> list[Passage]:
        return [passage_from(chunk_id, meta, text) for chunk_id, meta, text in self.rows(["metadatas", "documents"])]

    @_guarded
    def query(self, vector, k: int, where: dict | None = None) -> list[Passage]:
        collection = self.collection()
        if collection is None or k <= 0:
            return []
        found = collection.query(
            query_embeddings=[vector], n_results=k, where=where or None, include=["metadatas", "documents", "distances"]
        )
        return [
            passage_from(cid, meta, text).with_score(1.0 - dist)
            for cid, meta, text, dist in zip(
                found["ids"][0], found["metadatas"][0], found["documents"][0], found["distances"][0]
            )
        ]

    @_guarded
    def vectors(self, ids: list[str]) -> dict[str, list[float]]:
        collection = self.collection()
        if collection is None or not ids:
            return {}
        found = collection.get(ids=ids, include=["embeddings"])
        return dict(zip(found["ids"], found["embeddings"]))

    # -- writes --------------------------------------------------------------
    @_guarded
    def upsert(self, ids, vectors, texts, metadatas) -> None:
        self.collection(create=True).upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metadatas)

    @_guarded
    def chunk_rows(self, doc_id: str) -> list[tuple[str, dict]]:
        """(id, metadata) of every stored chunk of one document."""
        found = self.collection().get(where={"doc_id": doc_id}, include=["metadatas"])
        return list(zip(found["ids"], found["metadatas"]))

    @_guarded
    def update_metadata(self, ids: list[str], metadatas: list[dict]) -> None:
        """Replace chunks' metadata, leaving their vectors and texts as they are."""
        self.collection().update(ids=ids, metadatas=metadatas)

    @_guarded
    def delete_document(self, doc_id: str, keep_hash: str | None = None) -> None:
        where: dict = {"doc_id": doc_id}
        if keep_hash:
            where = {"$and": [{"doc_id": doc_id}, {"content_hash": {"$ne": keep_hash}}]}
        self.collection().delete(where=where)

    @_guarded
    def drop(self) -> None:
        if self.exists():
            self.client.delete_collection(self.name)
        self._collection = None

    @_guarded
    def rename(self, new_name: str) -> None:
        self.collection().modify(name=new_name)
        self.name = new_name


def passage_from(chunk_id: str, meta: dict, text: str) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        doc_id=meta["doc_id"],
        title=meta.get("title", ""),
        date=meta.get("date") or None,
        source=meta.get("source", ""),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        position=int(meta["position"]),
        date_num=meta.get("date_num"),
        entities=decode(meta.get("entities")),
        sentences=meta.get(SENTENCES_KEY),
    )
