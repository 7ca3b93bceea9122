"""Errors a user can cause or fix. The CLI and UI print their message, not a traceback."""

from __future__ import annotations


class AssistantError(Exception):
    """Base for user-facing errors; the message says what to do."""


class QuestionError(AssistantError):
    """The question cannot be answered as asked (empty, too long)."""


class UsageError(AssistantError):
    """An option's value cannot be used (a --doc no article has); the CLI exits with 2, as argparse does."""


class EmptyIndexError(AssistantError):
    """A question was asked before any article was indexed."""

    def __init__(self) -> None:
        super().__init__(
            "nothing is indexed yet: add articles with `assistant index PATH` (files or folders of "
            ".txt .md .html .pdf; no PATH indexes the shipped articles) or upload them on the chat page"
        )


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
