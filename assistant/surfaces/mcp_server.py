"""`assistant mcp`: the index as Model Context Protocol tools over stdio.

Read-only: the tools search, answer and describe what is indexed; indexing stays
with `assistant index`. :class:`ArticleTools` does the work without MCP (argument
checks, JSON-ready results); :func:`build_server` wraps it in the SDK's
``MCPServer``. Importing this module imports the ``mcp`` SDK (~2 s), so only the
``mcp`` subcommand does.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from assistant.config import Settings
from assistant.errors import AssistantError, user_errors

log = logging.getLogger(__name__)
MAX_K = 50
MAX_DOC_IDS = 100
HOW_TO_INDEX = (
    "run `assistant index [PATH ...]` with the same ASSISTANT_DATA_DIR (or ASSISTANT_CHROMA_URL) as this server "
    "to index articles (with no PATH it indexes the shipped sample articles); this server only reads the index"
)


class ToolArgumentError(AssistantError):
    """A tool was called with an argument it cannot use; the message says which and why."""


class ArticleTools:
    """What the MCP tools do, without MCP. Opens the index on first use and never writes it."""

    def __init__(self, settings: Settings, *, embedder=None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._bot = None
        self._lock = threading.Lock()

    # -- opening, read-only ------------------------------------------------------
    def _store_exists(self) -> bool:
        """Opening an embedded store creates it; when there is none yet, do not."""
        return bool(self.settings.chroma_url) or (self.settings.data_dir / "chroma").is_dir()

    def _assistant(self):
        with self._lock:  # tools run on worker threads; build the Assistant and its engine once
            if self._bot is None:
                from assistant.api import Assistant

                bot = Assistant(self.settings, embedder=self._embedder)
                bot.engine  # noqa: B018 -- built here, under the lock
                self._bot = bot
            return self._bot

    def _indexed(self):
        """The Assistant over a non-empty index, or an error that says how to index."""
        where = self.settings.chroma_url or self.settings.data_dir
        if not self._store_exists():
            raise AssistantError(f"there is no index at {where}; {HOW_TO_INDEX}")
        bot = self._assistant()
        if not bot.engine.retriever.mirror.passages:
            raise AssistantError(f"the index at {where} holds no articles; {HOW_TO_INDEX}")
        return bot

    def warm_up(self) -> None:
        """Load the index mirror and the embedder so that the first question is quick."""
        try:
            self._indexed().index.embedder.embed_batch(["warm up"])
        except Exception as exc:  # the tools report it properly when they are called
            log.info("warm-up skipped: %s", exc)

    # -- tools ---------------------------------------------------------------------
    def search_articles(
        self,
        query: str,
        k: int = 5,
        doc_ids: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> dict:
        """Passages best first, each with its citation; same fields as `assistant retrieve --json`."""
        from assistant.surfaces.render import passage_dict

        query = _text(query, "query")
        k = _bounded_k(k)
        bot = self._indexed()
        doc_ids = self._known_doc_ids(bot, doc_ids)
        date_from, date_to = _date_range(since, until)
        passages = bot.retrieve(query, k=k, doc_ids=doc_ids, date_from=date_from, date_to=date_to)
        return {
            "query": query,
            "passages": [{"n": n, **passage_dict(p), "citation": _citation(n, p)} for n, p in enumerate(passages, 1)],
        }

    def ask(self, question: str) -> dict:
        """A cited answer (or a refusal); same fields as `assistant ask --json`."""
        question = _text(question, "question")
        return self._indexed().ask(question).to_dict()

    def list_articles(self) -> dict:
        """Every indexed article once: id, title, date, source and number of passages."""
        articles: dict[str, dict] = {}
        for p in self._indexed().engine.retriever.mirror.passages:
            entry = articles.setdefault(
                p.doc_id, {"doc_id": p.doc_id, "title": p.title, "date": p.date, "source": p.source, "passages": 0}
            )
            entry["passages"] += 1
        return {"count": len(articles), "articles": [articles[d] for d in sorted(articles)]}

    def index_status(self) -> dict:
        """Same fields as `assistant status --json`, plus ``hint`` when there is nothing to search."""
        if not self._store_exists():
            status = {
                "documents": 0,
                "chunks": 0,
                "data_dir": str(self.settings.data_dir),
                "backend": self.settings.backend,
            }
        else:
            status = self._assistant().status()
        return {**status, "read_only": True, **({"hint": HOW_TO_INDEX} if not status["documents"] else {})}

    def _known_doc_ids(self, bot, doc_ids: list[str] | None) -> list[str] | None:
        if not doc_ids:
            return None
        if len(doc_ids) > MAX_DOC_IDS:
            raise ToolArgumentError(f"doc_ids names {len(doc_ids)} documents; at most {MAX_DOC_IDS} at a time")
        known = {p.doc_id for p in bot.engine.retriever.mirror.passages}
        unknown = sorted(set(doc_ids) - known)
        if unknown:
            raise ToolArgumentError(
                f"not in the index: {', '.join(map(repr, unknown[:10]))}{' ...' if len(unknown) > 10 else ''}; "
                "list_articles gives the doc_id of every indexed article"
            )
        return list(dict.fromkeys(doc_ids))


def _text(value: str, name: str) -> str:
    if not value or not value.strip():
        raise ToolArgumentError(f"{name} is empty: give a few words about what you are looking for")
    return value


def _bounded_k(k: int) -> int:
    if not 1 <= k <= MAX_K:
        raise ToolArgumentError(f"k must be between 1 and {MAX_K} (got {k})")
    return k


def _date_range(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    date_from, date_to = _iso_date(since, "since"), _iso_date(until, "until")
    if date_from and date_to and date_from > date_to:
        raise ToolArgumentError(f"since ({date_from}) is after until ({date_to})")
    return date_from, date_to


def _iso_date(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return datetime.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ToolArgumentError(f"{name} must be an ISO date YYYY-MM-DD (got {value[:40]!r})") from None


def _citation(n: int, p) -> str:
    return f"[{n}] {p.title} ({p.date or 'undated'}), {p.doc_id}, characters {p.start}-{p.end}"


# -- the MCP server ---------------------------------------------------------------
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
INSTRUCTIONS = (
    "Search and question a local index of news articles. Every passage and answer carries its citation: "
    "article id (doc_id), title, date and character offsets into the cleaned article. Use search_articles "
    "for evidence, ask for a short cited answer, list_articles for the doc_ids to filter by. "
    "The index is read-only here; it is built with the `assistant index` command."
)
Query = Annotated[str, Field(description="What to look for, in plain words (a question works too).")]
Question = Annotated[str, Field(description="A question about the indexed articles.")]
# bounds in the schema for clients; checked by _bounded_k, whose message is clearer than pydantic's
K = Annotated[
    int,
    Field(
        description=f"How many passages to return, 1 to {MAX_K}.", json_schema_extra={"minimum": 1, "maximum": MAX_K}
    ),
]
DocIds = Annotated[
    list[str] | None, Field(description="Only search these articles (doc_id values from list_articles).")
]
Since = Annotated[str | None, Field(description="Only articles dated on or after this ISO date (YYYY-MM-DD).")]
Until = Annotated[str | None, Field(description="Only articles dated on or before this ISO date (YYYY-MM-DD).")]


def _as_tool_error(call: Callable[[], dict]) -> dict:
    """User errors become tool errors the model can read (is_error=True), not crashes."""
    try:
        return call()
    except user_errors() as exc:
        raise ToolError(str(exc)) from exc


def build_server(tools: ArticleTools) -> MCPServer:
    """An MCPServer with the four read-only tools over ``tools``."""

    @asynccontextmanager
    async def warm_up(_server: MCPServer) -> AsyncIterator[None]:
        # Runs once the SDK has taken over stdout; the handshake need not wait for the model.
        threading.Thread(target=tools.warm_up, name="mcp-warm-up", daemon=True).start()
        yield

    server = MCPServer("news-assistant", instructions=INSTRUCTIONS, log_level="WARNING", lifespan=warm_up)

    @server.tool(annotations=READ_ONLY)
    def search_articles(
        query: Query, k: K = 5, doc_ids: DocIds = None, since: Since = None, until: Until = None
    ) -> dict[str, Any]:
        """Find the passages of the indexed news articles that best match a query (hybrid dense + keyword
        search), best first. Returns {"query", "passages": [{"n", "doc_id", "title", "date", "source", "text",
        "start", "end", "score", "citation"}]}: "text" is the passage, "start"/"end" its character offsets in
        the article, "score" its cosine similarity to the query, "citation" a ready-made reference line.
        Errors name the bad argument: an empty query, k outside 1..50, an unknown doc_id, a non-ISO date."""
        return _as_tool_error(lambda: tools.search_articles(query, k, doc_ids, since, until))

    @server.tool(annotations=READ_ONLY)
    def ask(question: Question) -> dict[str, Any]:
        """Answer a question from the indexed articles only, every sentence cited. Returns {"answer",
        "refused", "short_answer", "citations": [{"n", "doc_id", "title", "date", "source", "text", "start",
        "end", "score", "quote", "quote_start", "quote_end", "answer_start", "answer_end"}], "backend",
        "standalone_question", "notes", "timings_ms"}: markers [n] in "answer" point at citations[n-1];
        "quote" is the supporting sentence at "quote_start"/"quote_end" (character offsets in the article).
        "refused" is true, with no citations, when the articles do not cover the question."""
        return _as_tool_error(lambda: tools.ask(question))

    @server.tool(annotations=READ_ONLY)
    def list_articles() -> dict[str, Any]:
        """List every indexed article. Returns {"count", "articles": [{"doc_id", "title", "date", "source",
        "passages"}]} sorted by doc_id; "date" is YYYY-MM-DD or null, "passages" the number of indexed chunks.
        Use a doc_id to restrict search_articles."""
        return _as_tool_error(tools.list_articles)

    @server.tool(annotations=READ_ONLY)
    def index_status() -> dict[str, Any]:
        """Describe the index this server reads. Returns {"documents", "chunks", "embedder", "chunker",
        "data_dir", "chroma", "collection", "last_indexed", "generation", "roots", "backend", "read_only"}
        and, when it holds no articles, "hint" saying how to index some."""
        return _as_tool_error(tools.index_status)

    return server


def serve_stdio(settings: Settings) -> None:
    """Serve the tools over stdin/stdout until the client closes stdin. While serving, the
    SDK points fd 1 at stderr, so nothing but protocol reaches stdout."""
    build_server(ArticleTools(settings)).run("stdio")
