"""A conversation: an :class:`Assistant` plus memory of earlier turns."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answers import Answer
from assistant.memory import replay


class Conversation:
    """Ask follow-ups: "Why is it important?" is resolved against earlier turns.

    Memory is bounded by ``settings.memory_tokens`` (cl100k tokens); the oldest
    turns are dropped first. ``history`` continues a conversation held elsewhere (an API
    client's messages): (question, answer text, first cited document or None) per turn.
    """

    def __init__(self, assistant, history: list[tuple[str, str, str | None]] = (), **options) -> None:
        self.assistant = assistant
        self.options = options
        self.memory = replay(list(history), assistant.settings.memory_tokens)

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
