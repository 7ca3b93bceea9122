"""Conversation memory bounded by a token budget, and follow-up resolution."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from assistant.core.question import key_terms, refers_back
from index import count_tokens
from index.lexical import terms


@dataclass
class Turn:
    question: str
    standalone: str
    answer: str
    cited_doc: str | None = None
    shape: str = "lookup"  # the shape of the question (a follow-up may keep it)
    referent: str = ""  # what "it"/"she" stands for in the follow-ups after it (a description's subject)

    @cached_property
    def tokens(self) -> int:
        return count_tokens(f"{self.question}\n{self.answer}")

    @property
    def most_tokens(self) -> int:
        """An upper bound of ``tokens`` without the tokenizer (a cl100k token is at least one
        byte), so that a one-question ``ask`` never loads it (~0.3 s of a cold start)."""
        return len(f"{self.question}\n{self.answer}".encode())


@dataclass
class Memory:
    """The last turns that fit in ``budget`` tokens (cl100k); older turns are dropped."""

    budget: int = 1000
    turns: list[Turn] = field(default_factory=list)

    def add(self, turn: Turn) -> None:
        self.turns.append(turn)
        while (
            self.turns
            and sum(t.most_tokens for t in self.turns) > self.budget
            and sum(t.tokens for t in self.turns) > self.budget
        ):
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


def replay(turns: list[tuple[str, str, str | None]], budget: int) -> Memory:
    """Memory rebuilt from a transcript (question, answer text, first cited document), as a
    stateless client sends it: each earlier question is resolved against the turns before
    it, as it was when it was asked."""
    memory = Memory(budget)
    for question, answer, cited_doc in turns:
        standalone, _ = resolve_deterministically(question, memory)
        memory.add(Turn(question, standalone, answer, cited_doc))
    return memory


def is_follow_up(question: str, memory: Memory) -> bool:
    """Decided from the conversation: a question that names its own subject (a name the
    previous question did not mention) is standalone, even in the middle of a
    conversation; one that refers back ("How old is she?", "And the cost?") and names
    nothing new is a follow-up; so is a question whose only name is the previous one's."""
    if memory.last is None:
        return False
    own = key_terms(question)
    if own - set(terms(f"{memory.last.standalone} {memory.last.answer}")):
        return False
    return refers_back(question) or bool(own)


def resolve_deterministically(question: str, memory: Memory) -> tuple[str, str]:
    """(retrieval query, context) for a follow-up without an LLM: the question plus
    the previous standalone question, whose words name what "it" refers to."""
    if not is_follow_up(question, memory):
        return question, ""
    last = memory.last
    context = f"{last.question} {_chain_root(memory).standalone}" if _follows(last) else last.standalone
    return f"{question} {context}", context


def _follows(turn: Turn) -> bool:
    """The turn was resolved here as a follow-up: its standalone is its question, then the
    context it followed."""
    return turn.standalone.startswith(f"{turn.question} ")


def _chain_root(memory: Memory) -> Turn:
    """The turn a run of follow-ups began from: a follow-up's context is the question just
    before and the one the run began with, not every question between (a long chat would
    otherwise retrieve and read with all of them)."""
    root = memory.turns[0]
    for turn in reversed(memory.turns):
        if not _follows(turn):
            root = turn
            break
    return root
