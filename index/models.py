"""The index package's boundary types."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace


class IndexError_(Exception):
    """Base for errors a user can fix; the message says how."""


class IndexMismatchError(IndexError_):
    """The collection was built with another embedder or chunking."""


class IndexBusyError(IndexError_):
    """Another process is writing the index."""


class StoreUnavailableError(IndexError_):
    """The Chroma store cannot be reached or opened."""


@dataclass(frozen=True)
class Passage:
    """A stored chunk as retrieval returns it: everything a citation shows."""

    chunk_id: str
    doc_id: str
    title: str
    date: str | None
    source: str
    text: str
    start: int
    end: int
    position: int
    score: float = 0.0
    date_num: int | None = None
    # named entities found at index time: (start, end, spaCy label), offsets into ``text``
    entities: tuple[tuple[int, int, str], ...] = ()
    # one vector per sentence, pooled while the chunk was embedded (index.sentence_vectors),
    # still encoded: decoded only for the few passages a question reads
    sentences: str | None = field(default=None, repr=False)

    def with_score(self, score: float) -> Passage:
        return replace(self, score=float(score))


@dataclass
class SyncReport:
    """What one ``assistant index`` run did; ``--json`` prints exactly this."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    warnings: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)
