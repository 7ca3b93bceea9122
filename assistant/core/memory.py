"""Conversation memory bounded by a token budget, and follow-up resolution."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from assistant.core.question import key_terms, name_phrases, refers_back
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
    cited_docs: tuple[str, ...] = ()  # the article of each citation [1], [2], ... of the answer

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


def replay(turns: list[tuple[str, str, str | None]], budget: int,
           closest: Callable[[str, list[str]], int] | None = None) -> Memory:
    """Memory rebuilt from a transcript (question, answer text, first cited document), as a
    stateless client sends it: each earlier question is resolved against the turns before
    it, as it was when it was asked ("And Japan?" as the question it stood for, given
    ``closest``, see :func:`asked_of_another`)."""
    memory = Memory(budget)
    for question, answer, cited_doc in turns:
        other = asked_of_another(question, memory, closest) if closest else None
        question = other or question
        standalone, _ = resolve_deterministically(question, memory) if other is None else (question, "")
        memory.add(Turn(question, standalone, answer, cited_doc, cited_docs=(cited_doc,) if cited_doc else ()))
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
    # a question whose names were all said before, and little else ("What did Microsoft
    # pledge?"), goes on from that turn; one that says a whole question of its own besides
    # ("Which sovereign AI models have ASEAN countries developed?" after a list of
    # frameworks) does not: glued to the turn before, it was read as a different question
    return refers_back(question) or (bool(own) and len(set(terms(question)) - own) <= OWN_WORDS)


# Words besides the names that make a question one of its own (see is_follow_up). Set on the
# follow-ups of bench/quality.py (shipped, BBC dev): 2 keeps them all (2026-12-08).
OWN_WORDS = 2


def resolve_deterministically(question: str, memory: Memory) -> tuple[str, str]:
    """(retrieval query, context) for a follow-up without an LLM: the question plus
    the previous standalone question, whose words name what "it" refers to."""
    if not is_follow_up(question, memory):
        return question, ""
    last = memory.last
    context = f"{last.question} {_chain_root(memory).standalone}" if _follows(last) else last.standalone
    return f"{question} {context}", context


# "And Japan?", "What about the Japanese?", "How about for Orkney Sealines?": nothing but a
# name after an elliptical opening (English openers and prepositions: closed classes)
_ASKED_OF = re.compile(r"^\s*(?i:and|what about|how about)\s+(?:(?i:in|for|at|with|from|on|about|of)\s+)?"
                       r"(?P<name>(?:(?i:the)\s+)?[A-Z][^?!]{0,60}?)\s*[?!.]?\s*$")


def asked_of_another(question: str, memory: Memory, closest: Callable[[str, list[str]], int]) -> str | None:
    """"And Japan?" after "What does the U.S. offer ASEAN?" is that question asked of Japan:
    "What does Japan offer ASEAN?". The name it replaces is the one of the question before
    most like the new one (``closest(new, names)`` gives its index). None for any other
    question, or when the question before names nothing to replace (or names it already).
    Glued to the question before, as other follow-ups are, it would be retrieved and read
    with both names, and the old one wins."""
    match = _ASKED_OF.match(question)
    last = memory.last
    if match is None or last is None:
        return None
    new = match.group("name").strip()
    words = new.split()[1:] if new.lower().startswith("the ") else new.split()
    if not words or len(words) > 5 or not all(w[:1].isupper() for w in words):
        return None  # "And how much did it cost?": a question of its own
    if set(terms(new)) <= set(terms(last.question)):
        return None  # "And Microsoft?" after a question about Microsoft
    names = name_phrases(last.question)
    if not names:
        return None
    old = names[closest(new, names)] if len(names) > 1 else names[0]
    # "the U.S." as a whole; an owner's "'s" stays ("Japan's plan" -> "the U.S.'s plan")
    return re.sub(rf"(?:\b[Tt]he\s+)?{re.escape(old)}(?=['’]s\b|\W|$)", lambda _: new, last.question, count=1)


# "the second one", "the third article", "[2]", "source 2": a place in the answer before (English ordinals)
_ORDINALS = {w: n for n, w in enumerate("first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)}
_PLACE = re.compile(rf"\b(?:the\s+)?(?P<ordinal>{'|'.join(_ORDINALS)}|last)\s+(?P<what>one|article|story|piece|report)\b|"
                    r"\[(?P<marker>\d{1,2})\]|\b(?:source|citation|number)\s+(?P<number>\d{1,2})\b", re.I)


def picked_article(question: str, memory: Memory) -> str | None:
    """The article a question picks from the answer before: "Summarize the second one"
    after a list of articles, "What does the third article say?", "Tell me about [2]". An
    ordinal counts the answer's articles, each once, in order ("the second one" only after
    a list of articles: elsewhere "the first one" is no place in it); a marker or "source 2"
    is that citation's article. None when the question picks nothing there."""
    last = memory.last
    match = _PLACE.search(question)
    if last is None or not last.cited_docs or match is None:
        return None
    if match.group("ordinal"):
        if match.group("what").lower() == "one" and last.shape != "collection":
            return None
        articles = list(dict.fromkeys(last.cited_docs))
        word = match.group("ordinal").lower()
        n = len(articles) if word == "last" else _ORDINALS[word]
        return articles[n - 1] if n <= len(articles) else None
    n = int(match.group("marker") or match.group("number"))
    return last.cited_docs[n - 1] if 1 <= n <= len(last.cited_docs) else None


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
