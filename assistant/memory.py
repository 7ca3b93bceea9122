"""Conversation memory bounded by a token budget, and follow-up resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.lexical import terms
from index import count_tokens

_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|him|her|his|hers|there|such|the same|"
    r"the project|the plan|the deal|the agreement|the initiative|the country|the countries|the company|the fund|"
    r"the partnership|the framework|the program|the programme|the model)\b",
    re.I,
)
_CONTINUATION = re.compile(r"^\s*(and|also|what about|how about|why|how so|which|who else|anything else|more)\b", re.I)


@dataclass
class Turn:
    question: str
    standalone: str
    answer: str
    cited_doc: str | None = None
    tokens: int = 0


@dataclass
class Memory:
    """The last turns that fit in ``budget`` tokens (cl100k); older turns are dropped."""

    budget: int = 1000
    turns: list[Turn] = field(default_factory=list)

    def add(self, turn: Turn) -> None:
        turn.tokens = count_tokens(f"{turn.question}\n{turn.answer}")
        self.turns.append(turn)
        while self.turns and sum(t.tokens for t in self.turns) > self.budget:
            self.turns.pop(0)

    def clear(self) -> None:
        self.turns.clear()

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def as_messages(self) -> list[dict]:
        messages: list[dict] = []
        for turn in self.turns:
            messages += [{"role": "user", "content": turn.question}, {"role": "assistant", "content": turn.answer}]
        return messages


def is_follow_up(question: str, memory: Memory) -> bool:
    """A question that leans on the previous turn: pronouns, "why?", or too few words of its own."""
    if memory.last is None:
        return False
    return bool(_ANAPHORA.search(question) or _CONTINUATION.search(question) or len(terms(question)) <= 2)


def resolve_deterministically(question: str, memory: Memory) -> tuple[str, str]:
    """(retrieval query, context) for a follow-up without an LLM: the question plus
    the previous standalone question, whose words name what "it" refers to."""
    if not is_follow_up(question, memory):
        return question, ""
    context = memory.last.standalone
    return f"{question} {context}", context
