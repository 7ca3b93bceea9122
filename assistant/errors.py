"""Errors a user can cause or fix. The CLI and UI print their message, not a traceback."""

from __future__ import annotations


class AssistantError(Exception):
    """Base for user-facing errors; the message says what to do."""


class QuestionError(AssistantError):
    """The question cannot be answered as asked (empty, too long)."""


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it."""


def user_errors() -> tuple[type[BaseException], ...]:
    """Every error a user can cause or fix, from any layer: print its message, not a traceback."""
    from corpus import CorpusError
    from index import EmbedderError, IndexError_

    return (AssistantError, IndexError_, CorpusError, EmbedderError, ConfigError)


class BackendError(AssistantError):
    """An LLM backend failed; the message names the backend and its URL."""

    def __init__(self, backend: str, message: str) -> None:
        super().__init__(f"{backend} backend: {message}")
        self.backend = backend
