"""The values one turn is made of: the :class:`~assistant.core.question.Question` (built
once per turn), what the steps :class:`~assistant.core.pipeline.Found`, the
:class:`~assistant.core.answer.Answer` with its citations or its
:class:`~assistant.core.answer.Refusal`, and conversation :mod:`~assistant.core.memory`.
Imports nothing else of ``assistant`` but errors and config."""

__all__ = ["answer", "memory", "pipeline", "question"]
