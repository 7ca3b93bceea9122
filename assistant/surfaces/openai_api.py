"""An OpenAI-compatible chat API over an :class:`~assistant.api.Assistant`:
``POST /v1/chat/completions`` and ``GET /v1/models``.

The HTTP layer only converts: the request's ``messages`` become a conversation (stateless:
earlier turns are replayed into memory, so a follow-up is resolved as in ``assistant chat``),
its last user message is asked, and the :class:`~assistant.core.answer.Answer` becomes a chat
completion. The model names are the backends. The answer text keeps its ``[n]`` markers; the
response carries the answer as ``assistant ask --json`` prints it in an extra field ``answer``
(citations, refusal, notes), and the content ends with a short "Sources" list unless the
request says ``"sources_in_content": false``.

FastAPI is imported here; import this module only where the server is built.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.core.answer import Answer
from assistant.errors import BackendError, EmptyIndexError, QuestionError, user_errors
from assistant.surfaces.markup import plain_question
from index.tokens import count_tokens

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000  # a transcript longer than this would not fit the memory budget anyway
# Answers computed at once for the API (the page has its own limit of the same size): on
# 2 cores more only make each answer slower, and threads beyond it wait their turn.
ANSWER_CONCURRENCY = 4
SOURCES_HEADING = "Sources:"
_SOURCES = re.compile(r"\n\nSources:\n(.*)\Z", re.S)
_CITED_DOC = re.compile(r"^\[\d+\] .*\(([^()]+)\)\s*$", re.M)

Turn = tuple[str, str, str | None]  # question, answer text, first cited document


class ApiError(Exception):
    """A request the API refuses, answered as OpenAI does: ``{"error": {...}}`` with a status."""

    def __init__(
        self, status: int, message: str, code: str, kind: str = "invalid_request_error", headers: dict | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.kind = status, message, code, kind
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), self.status, headers=self.headers)

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.kind, "param": None, "code": self.code}}


@dataclass
class ChatRequest:
    """What a ``/v1/chat/completions`` body asks, checked."""

    model: str
    question: str
    history: list[Turn] = field(default_factory=list)
    stream: bool = False
    sources_in_content: bool = True
    include_usage: bool = False  # stream_options.include_usage: a last chunk with the usage block
    prompt_tokens: int = 0  # the messages' text in cl100k tokens


# -- request -> conversation ---------------------------------------------------------------
def parse_request(body: bytes, models: list[str]) -> ChatRequest:
    """The checked request, or an :class:`ApiError` saying what is wrong with it."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the request body is not valid JSON ({exc})", "invalid_json") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "the request body must be a JSON object", "invalid_request")
    model = data.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, f"`model` is required: one of {', '.join(models)}", "missing_model")
    if model not in models:
        raise ApiError(
            404, f"the model `{model}` does not exist here; choose one of {', '.join(models)}", "model_not_found"
        )
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "`messages` must be a non-empty list ending with the user's question", "missing_messages")
    turns = [(_role(m, i), _text(m, i)) for i, m in enumerate(messages)]
    turns = [(role, plain_question(text) if role == "user" else text) for role, text in turns]  # markup is no question
    turns = [(role, text) for role, text in turns if role in ("user", "assistant")]  # system prompts: ours
    if not turns or turns[-1][0] != "user":
        raise ApiError(400, "the last message must be the user's question (role `user`)", "missing_question")
    stream, sources = _flag(data, "stream", False), _flag(data, "sources_in_content", True)
    prompt = sum(count_tokens(text) for _, text in turns)
    return ChatRequest(model, turns[-1][1], _history(turns[:-1]), stream, sources, _include_usage(data), prompt)


def _include_usage(data: dict) -> bool:
    options = data.get("stream_options")
    if options is None:
        return False
    if not isinstance(options, dict):
        raise ApiError(400, '`stream_options` must be an object such as {"include_usage": true}', "invalid_request")
    return _flag(options, "include_usage", False)


def _flag(data: dict, key: str, default: bool) -> bool:
    value = data.get(key)
    if value is None:  # absent, or null as some clients send
        return default
    if not isinstance(value, bool):
        raise ApiError(400, f"`{key}` must be true or false", "invalid_request")
    return value


def _role(message: object, i: int) -> str:
    if not isinstance(message, dict) or not isinstance(message.get("role"), str):
        raise ApiError(400, f"messages[{i}] must be an object with a `role` and a `content`", "invalid_message")
    return message["role"]


def _text(message: dict, i: int) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    content = message.get("content")
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        return "\n".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    raise ApiError(400, f"messages[{i}].content must be a string or a list of text parts", "invalid_message")


def _history(turns: list[tuple[str, str]]) -> list[Turn]:
    """Earlier (question, answer) pairs: each assistant message answers the user message before it."""
    history, question = [], None
    for role, text in turns:
        if role == "user":
            question = text
        elif question is not None:
            answer, cited = _without_sources(text)
            history.append((question, answer, cited))
            question = None
    return history


def _without_sources(content: str) -> tuple[str, str | None]:
    """An earlier answer's text without its Sources list, and the document it cited first
    (a follow-up favours that article, as in ``assistant chat``)."""
    match = _SOURCES.search(content)
    if match is None:
        return content, None
    cited = _CITED_DOC.search(match.group(1))
    return content[: match.start()], cited.group(1) if cited else None


# -- answer -> completion --------------------------------------------------------------------
def content(answer: Answer, with_sources: bool) -> str:
    """The message text: the answer with its [n] markers, then a short Sources list."""
    if not with_sources or not answer.citations:
        return answer.text
    lines = [f"[{c.n}] {c.title} ({c.doc_id})" for c in answer.citations]
    return f"{answer.text}\n\n{SOURCES_HEADING}\n" + "\n".join(lines)


def usage(request: ChatRequest, text: str) -> dict:
    """OpenAI's usage block, counted in cl100k tokens (the project's counter, index.tokens)."""
    completion_tokens = count_tokens(text)
    return {
        "prompt_tokens": request.prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": request.prompt_tokens + completion_tokens,
    }


def completion(answer: Answer, request: ChatRequest, meta: dict) -> dict:
    message = {"role": "assistant", "content": content(answer, request.sources_in_content)}
    return {
        **meta,
        "object": "chat.completion",
        "answer": answer.to_dict(),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
        "usage": usage(request, message["content"]),
    }


def chunk(meta: dict, delta: dict, finish: str | None = None, **extra) -> str:
    body = {
        **meta,
        "object": "chat.completion.chunk",
        **extra,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def _as_api_error(exc: Exception) -> ApiError:
    if isinstance(exc, QuestionError):
        return ApiError(400, str(exc), "invalid_question")
    if isinstance(exc, EmptyIndexError):
        return ApiError(409, str(exc), "empty_index")
    if isinstance(exc, BackendError):
        return ApiError(502, str(exc), "backend_error", "api_error")
    return ApiError(503, str(exc), "unavailable", "api_error")


# -- the app -----------------------------------------------------------------------------------
def create_app(assistant) -> FastAPI:
    """A FastAPI app serving ``/v1`` for ``assistant``; the chat page mounts into it."""
    app = FastAPI(title="News assistant", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(ApiError, lambda request, exc: exc.response())
    app.add_exception_handler(Exception, _internal_error)
    app.include_router(router(assistant))
    return app


def router(assistant) -> APIRouter:
    from assistant.llm.backends import backend

    limiter = anyio.CapacityLimiter(ANSWER_CONCURRENCY)
    names = assistant.backends()  # the settings do not change while serving
    api = APIRouter(prefix="/v1", dependencies=[Depends(key_check(assistant.settings))])

    @api.get("/models")
    def models() -> dict:
        listed = [{"id": n, "object": "model", "created": 0, "owned_by": "news-assistant"} for n in names]
        return {"object": "list", "data": listed}

    @api.post("/chat/completions")
    async def chat_completions(request: Request):
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, f"the request is over {MAX_BODY_BYTES:,} bytes", "request_too_large")
        chat = parse_request(body, names)
        events = assistant.conversation(chat.history, backend=chat.model).stream(chat.question)
        meta = {"id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "created": int(time.time()), "model": chat.model}
        if not chat.stream:
            return completion(await _run(_last, events, limiter), chat, meta)
        first = await _run(next, events, limiter)  # an error before any text is still an HTTP error
        live = not backend(chat.model).generative
        return StreamingResponse(
            _sse(first, events, chat, meta, live, limiter),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    @api.api_route(
        "/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], include_in_schema=False
    )
    def elsewhere(path: str, request: Request) -> None:  # rather than the page's HTML 404
        raise _not_here(path.strip("/"), request.method)

    return api


ENDPOINTS = {"chat/completions": "POST", "models": "GET"}


def _not_here(path: str, method: str) -> ApiError:
    """405 with an ``Allow`` header for a known endpoint asked with the wrong method; else 404."""
    listed = ", ".join(f"{m} /v1/{p}" for p, m in ENDPOINTS.items())
    if path in ENDPOINTS:
        allowed = ENDPOINTS[path]
        return ApiError(
            405,
            f"/v1/{path} takes {allowed}, not {method}; the endpoints here are {listed}",
            "method_not_allowed",
            headers={"Allow": allowed},
        )
    return ApiError(404, f"no endpoint /v1/{path} here; the endpoints here are {listed}", "unknown_url")


def key_check(settings):
    """With ``ASSISTANT_API_KEY`` set, every ``/v1`` call must send it as a bearer token."""
    expected = settings.api_key.get_secret_value().encode() if settings.api_key else None

    def check(request: Request) -> None:
        if expected is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
            raise ApiError(
                401, "missing or wrong API key: send `Authorization: Bearer <ASSISTANT_API_KEY>`", "invalid_api_key"
            )

    return check


async def _run(step, events: Iterator, limiter: anyio.CapacityLimiter):
    """``step(events)`` on a worker thread (answering is blocking work); user errors become ApiErrors."""
    try:
        return await anyio.to_thread.run_sync(step, events, limiter=limiter)
    except user_errors() as exc:
        raise _as_api_error(exc) from exc


def _last(events: Iterator):
    *_, answer = events
    return answer


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error answering %s", request.url.path, exc_info=exc)
    return JSONResponse(ApiError(500, f"internal error: {exc}", "internal_error", "server_error").body(), 500)


async def _sse(
    first, events: Iterator, chat: ChatRequest, meta: dict, live: bool, limiter: anyio.CapacityLimiter
) -> AsyncIterator[str]:
    """Server-sent chunks: the extractive backend's sentences as they come; a generated
    answer once the grounding check has settled its text; then the Sources list, the final
    chunk with the ``answer`` field, and ``[DONE]``."""
    yield chunk(meta, {"role": "assistant", "content": ""})
    sent, event = "", first
    try:
        while not isinstance(event, Answer):
            if live:
                sent += event
                yield chunk(meta, {"content": event})
            event = await _run(next if live else _last, events, limiter)
    except ApiError as exc:  # the status line is gone: OpenAI's clients read an error event
        yield f"data: {json.dumps(exc.body())}\n\n"
        return
    text = content(event, chat.sources_in_content)
    # the extractive backend streams exactly its final text; anything else is sent whole
    rest = text[len(sent) :] if text.startswith(sent) else f"\n\n{text}"
    if rest:
        yield chunk(meta, {"content": rest})
    yield chunk(meta, {}, "stop", answer=event.to_dict())
    if chat.include_usage:  # as OpenAI sends it: a last chunk with no choices
        body = {**meta, "object": "chat.completion.chunk", "choices": [], "usage": usage(chat, text)}
        yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
