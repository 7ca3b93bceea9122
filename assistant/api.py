"""The Python API: one :class:`Assistant` over one index, and a :class:`Conversation` with it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path

from assistant.config import Settings
from assistant.core.answer import Answer
from assistant.core.memory import Memory, replay
from assistant.core.question import Filters
from index import EmbedderError, IdleTrim, Index, Passage, SyncReport, make_embedder, release_free_memory

log = logging.getLogger(__name__)


class Assistant:
    """Open an index, (re)index articles, retrieve passages, answer with citations.

    >>> bot = Assistant(Settings.load(data_dir="/tmp/news"))
    >>> bot.sync()                     # indexes the shipped corpus the first time
    >>> bot.ask("How much did USAID commit?").text
    """

    def __init__(self, settings: Settings | None = None, *, embedder=None) -> None:
        """``embedder`` overrides ``settings.embedder`` with any object that has
        ``identity`` and ``embed_batch`` (see :class:`index.Embedder`)."""
        self.settings = settings or Settings.load()
        self._embedder = embedder
        self._idle_trim = IdleTrim()  # what answering freed goes back to the system between questions

    @cached_property
    def index(self) -> Index:
        s = self.settings
        embedder = self._embedder or make_embedder(
            s.embedder,
            url=s.embed_url,
            model=s.embed_model,
            api_key=s.embed_api_key.get_secret_value() if s.embed_api_key else None,
        )
        return Index(
            s.data_dir,
            chroma_url=s.chroma_url,
            collection=s.collection,
            embedder=embedder,
            chunk_tokens=s.chunk_tokens,
            overlap_tokens=s.overlap_tokens,
            max_file_bytes=int(s.max_file_mb * 1024 * 1024),
            lock_wait_seconds=s.lock_wait_seconds,
        )

    # -- indexing --------------------------------------------------------------
    def sync(self, paths: Iterable[Path | str] | None = None, *, rebuild: bool = False, progress=None) -> SyncReport:
        """Incrementally index ``paths`` (default: what is indexed already, or the shipped corpus)."""
        report = self.index.sync([Path(p).expanduser() for p in paths] if paths else None, rebuild=rebuild,
                                 progress=progress)
        self._changed()
        return report

    def remove(self, doc_ids: Iterable[str] = (), roots: Iterable[str | Path] = ()) -> list[str]:
        """Remove documents by id, or all documents indexed from a folder."""
        gone = self.index.remove(doc_ids, [str(Path(r).expanduser()) for r in roots])
        self._changed()
        return gone

    def _changed(self) -> None:
        """The next question in this process sees what was just indexed or removed."""
        if "engine" in self.__dict__:
            self.engine.retriever.mirror.invalidate()

    def status(self) -> dict:
        return {**self.index.status(), "backend": self.settings.backend}

    # -- questions ---------------------------------------------------------------
    @cached_property
    def engine(self):
        from assistant.engine import Engine

        return Engine(self.settings, self.index)

    def retrieve(self, query: str, k: int | None = None, *, doc_ids: Iterable[str] | None = None,
                 date_from: str | None = None, date_to: str | None = None) -> list[Passage]:
        """The passages a question retrieves (hybrid dense + BM25), best first."""
        from assistant.engine import clean_question

        filters = Filters(tuple(doc_ids or ()), date_from, date_to)
        return self.engine.retriever.retrieve(clean_question(query), k or self.settings.top_k, filters).passages

    def stream(self, question: str, *, memory=None, k: int | None = None, backend: str | None = None,
               doc_ids: Iterable[str] | None = None, date_from: str | None = None,
               date_to: str | None = None, standalone: bool = False) -> Iterator:
        """Yield the answer's text as it is produced, then the final :class:`Answer`.
        ``standalone=True`` asks the question as it stands, never as a follow-up of ``memory``."""
        filters = Filters(tuple(doc_ids or ()), date_from, date_to)
        memory = memory if memory is not None else Memory(self.settings.memory_tokens)
        events = self.engine.stream(question, memory, k=k, filters=filters, backend=backend, standalone=standalone)
        return self._then_trim(events)

    def _then_trim(self, events: Iterator) -> Iterator:
        try:
            self._require_articles()
            yield from events
        finally:
            self._idle_trim.soon()

    def _require_articles(self) -> None:
        """A question on an empty index is told how to add articles, not that they "don't cover that"."""
        from assistant.errors import EmptyIndexError

        if not len(self.engine.retriever.mirror.current().passages):
            raise EmptyIndexError()

    def ask(self, question: str, **options):
        """One question, no memory: returns an :class:`Answer` with citations."""
        *_, answer = self.stream(question, **options)
        return answer

    def conversation(self, history=(), **options):
        """A :class:`Conversation` that remembers earlier turns for follow-ups; ``history``
        continues one held elsewhere: (question, answer text, first cited doc_id or None)."""
        return Conversation(self, history, **options)

    def documents(self) -> list[str]:
        """Ids of the indexed documents, sorted."""
        return sorted(self.index.store.documents())

    def backends(self) -> list[str]:
        """Backends that can answer here, in registry order (the configured default is
        always listed, so that its error message shows if it cannot)."""
        from assistant.llm.backends import REGISTRY

        return [b.name for b in REGISTRY.values() if b.available(self.settings) or b.name == self.settings.backend]

    def add_uploads(self, files: Iterable[tuple[Path | str, str]], progress=None) -> tuple[SyncReport | None, list[dict]]:
        """Store uploaded files (temporary path, name the user gave) under
        ``<data_dir>/uploads`` with safe names and index them; returns the sync
        report (None if nothing was accepted) and the refused files with reasons."""
        from corpus.uploads import save_uploads, uploads_dir

        limit = int(self.settings.upload_max_mb * 2**20)
        saved, rejected = save_uploads([(Path(p), n) for p, n in files], uploads_dir(self.settings.data_dir), limit)
        return (self.sync(saved, progress=progress) if saved else None), rejected

    def warm_up(self) -> None:
        """Load what answering needs (the embedding model, the BM25 mirror of the collection)
        now rather than during the first question, then give back to the system the memory
        that loading used and freed (reading every chunk's metadata, unpickling the mirror),
        now and once more when the process has been idle for a second."""
        self.engine.retriever.mirror.passages  # noqa: B018 (loads the mirror)
        try:
            self.index.embedder.embed_batch(["warm up"])
        except EmbedderError as exc:  # a remote embedder that is down: the first question says so
            log.warning("embedder not warmed up: %s", exc)
        self._load_reader()
        release_free_memory()
        self._idle_trim.soon()

    def start_loading_reader(self) -> None:
        """Load (and sha-check) the trained reader on another thread, so that it is ready by
        the time retrieval has run (a one-question command's cold start)."""
        import threading

        threading.Thread(target=self._load_reader, name="reader-warm-up", daemon=True).start()

    def _load_reader(self) -> None:
        from assistant.reading.model import ReaderModelError, load_reader

        try:
            load_reader(self.settings.reader_model)
        except ReaderModelError as exc:  # the first question reports it, as one line
            log.warning("reader not loaded: %s", exc)

    def ensure_indexed(self, progress=None) -> SyncReport | None:
        """Index the shipped corpus on the first start, and finish an indexing that was cut
        short (killed, Ctrl-C): until a sync has completed, the next start syncs what is
        indexed (or the shipped corpus) again, embedding only what is not stored yet. An
        index whose last sync completed is left as it is (None)."""
        if not self.index.unfinished():
            return None
        return self.sync(progress=progress)


class Conversation:
    """Ask follow-ups: "Why is it important?" is resolved against earlier turns.

    Memory is bounded by ``settings.memory_tokens`` (cl100k tokens); the oldest
    turns are dropped first. ``history`` continues a conversation held elsewhere (an API
    client's messages): (question, answer text, first cited document or None) per turn.
    """

    def __init__(self, assistant, history: list[tuple[str, str, str | None]] = (), **options) -> None:
        self.assistant = assistant
        self.options = options
        self.memory = replay(list(history), assistant.settings.memory_tokens,
                             closest=lambda name, names: assistant.engine.closest_name(name, names))

    def stream(self, question: str, **options) -> Iterator[str | Answer]:
        return self.assistant.stream(question, memory=self.memory, **{**self.options, **options})

    def ask(self, question: str, **options) -> Answer:
        *_, answer = self.stream(question, **options)
        return answer

    def reset(self) -> None:
        self.memory.clear()

    @property
    def turns(self):
        return list(self.memory.turns)
