"""Errors a user can cause or fix. The CLI and UI print their message, not a traceback."""

from __future__ import annotations


class AssistantError(Exception):
    """Base for user-facing errors; the message says what to do."""


class QuestionError(AssistantError):
    """The question cannot be answered as asked (empty, too long)."""


class BackendError(AssistantError):
    """An LLM backend failed; the message names the backend and its URL."""

    def __init__(self, backend: str, message: str) -> None:
        super().__init__(f"{backend} backend: {message}")
        self.backend = backend
