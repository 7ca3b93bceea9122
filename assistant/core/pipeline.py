"""What flows between retrieval and answer: small typed values, and the steps' shape.

The engine retrieves passages for a :class:`~assistant.core.question.Question`, then runs
a list of steps (in the manner of LlamaIndex's node postprocessors). A step reads the
question and what was :class:`Found` so far and returns it narrowed or ranked, or a
:class:`~assistant.core.answer.Refusal`; the first refusal ends the run. An
:class:`Answerer` then turns the question and what was found into an answer. Each step is
a plain callable: drop or replace one to change the behaviour.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from assistant.core.answer import Answer, Refusal
from assistant.core.question import Question
from index import Passage


@dataclass(frozen=True)
class Retrieved:
    """Fused passages, best first. ``score`` on each passage is its dense cosine
    (0 when only BM25 found it); ``best_cosine`` drives the relevance floor."""

    passages: list[Passage]
    best_cosine: float
    query_vector: np.ndarray


@dataclass(frozen=True)
class Found:
    """What the steps have found for a question: the passages retrieved, the ones still in
    play (a step may narrow them), and their sentences ranked as answers (best first,
    ``score`` relative to the best)."""

    retrieved: Retrieved
    passages: tuple[Passage, ...]
    evidence: tuple = ()  # of assistant.reading.evidence.Evidence
    in_order: bool = False  # the evidence is what follows, to be told in its order (not chosen by P)

    @classmethod
    def of(cls, retrieved: Retrieved) -> Found:
        return cls(retrieved, tuple(retrieved.passages))

    def narrowed(self, passages) -> Found:
        return replace(self, passages=tuple(passages))

    def ranked(self, evidence) -> Found:
        return replace(self, evidence=tuple(evidence))

    def in_its_order(self, evidence) -> Found:
        """The sentences that follow what was said, to be told in the article's order."""
        return replace(self, evidence=tuple(evidence), in_order=True)


class Step(Protocol):
    def __call__(self, question: Question, found: Found) -> Found | Refusal: ...


class Answerer(Protocol):
    """Every backend answers the same way: a question and what was found in, text deltas
    out, then the :class:`Answer`."""

    name: str

    def answer(self, question: Question, found: Found) -> Generator[str, None, Answer]: ...


def run_steps(steps: list[Step], question: Question, found: Found) -> Found | Refusal:
    """Each step in order; the first refusal ends the run."""
    for step in steps:
        outcome = step(question, found)
        if isinstance(outcome, Refusal):
            return outcome
        found = outcome
    return found
