"""The question of one turn, built once by the engine and read by every step.

:class:`Question` holds what every step needs to know about the question: its cleaned
text, the retrieval query (a follow-up with its context), its terms and names, what kind
of answer it asks for (:class:`Asked`), the filters it was asked under, and its
embeddings, all computed in one batched embedder call. No step re-derives any of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index import Passage
from index.lexical import terms

# Answer kinds and the spaCy entity labels that can fill them, most likely first.
LABELS: dict[str, tuple[str, ...]] = {
    "who": ("PERSON", "ORG"),  # "Who bought Rover?" may be answered by a company
    "person": ("PERSON",),  # "Which goalkeeper ...?"
    "organisation": ("ORG",),
    "place": ("GPE", "LOC", "FAC"),
    "date": ("DATE", "TIME"),
    "money": ("MONEY",),
    "amount": ("MONEY", "PERCENT", "QUANTITY"),  # "how much ...": money most often
    "age": ("DATE", "CARDINAL"),  # spaCy tags "the 31-year-old" as a DATE
    "percent": ("PERCENT",),
    "count": ("CARDINAL", "QUANTITY"),
    "quantity": ("QUANTITY", "DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"),
    # titles are often mis-tagged (a film as a PERSON), so any name may be one, less likely
    "title": ("WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "ORG", "PERSON", "FAC", "GPE"),
}

_PRONOUNS = re.compile(
    r"\b(he|she|it|they|him|her|them|his|hers|its|their|theirs|this|that|these|those|there|then)\b", re.I
)
_ELLIPSIS = re.compile(r"^\s*(and|also|so|but|what about|how about|anything else|what else|who else)\b", re.I)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to some documents and/or a date range (ISO dates, inclusive)."""

    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @staticmethod
    def _num(date: str | None) -> int | None:
        return int(date.replace("-", "")[:8].ljust(8, "0")) if date else None

    def accepts(self, passage: Passage) -> bool:
        if self.doc_ids and passage.doc_id not in self.doc_ids:
            return False
        lo, hi = self._num(self.date_from), self._num(self.date_to)
        if lo is None and hi is None:
            return True
        return (
            passage.date_num is not None
            and (lo is None or passage.date_num >= lo)
            and (hi is None or passage.date_num <= hi)
        )

    @property
    def active(self) -> bool:
        return bool(self.doc_ids or self.date_from or self.date_to)


@dataclass(frozen=True)
class Asked:
    text: str
    kind: str  # a key of LABELS, or "reason" / "description"
    focus: str = ""  # the head noun after which/what/how many ("goalkeeper", "people")
    by_wh_word: bool = False  # the kind is the wh-word's ("when", "how many"), not a head noun's guess

    @property
    def labels(self) -> tuple[str, ...]:
        return LABELS.get(self.kind, ())

    @property
    def wants_span(self) -> bool:
        return self.kind in LABELS




@dataclass(frozen=True)
class Shape:
    """What form of answer a question wants (see assistant.reading.shapes)."""

    kind: str = "lookup"  # lookup, overview, comparison, list, description or collection
    sides: tuple[str, ...] = ()  # a comparison's named things ("U.S.", "Japanese")
    subject: str = ""  # a description's X ("Dr. Amina Sharma")
    # an overview's: one "article" or a "topic" across articles; a question about the
    # collection's: "count", "titles", "newest", "oldest" or an article's "date"
    scope: str = "article"


@dataclass(frozen=True)
class Question:
    """One turn's question, everything about it computed once (see the module's docstring)."""

    text: str  # cleaned: control characters and runs of spaces removed
    standalone: str  # the retrieval query: a follow-up with the question it follows
    context: str  # the earlier question a follow-up leans on ("" for a standalone one)
    asked: Asked  # the kind of answer it asks for
    vector: np.ndarray  # embedding of ``standalone``
    own_vector: np.ndarray | None = None  # a follow-up's own words alone (None for a standalone question)
    filters: Filters = field(default_factory=lambda: Filters())
    cited_doc: str | None = None  # the article the previous answer cited (a follow-up)
    said: str = ""  # the previous answer (a follow-up)
    history: tuple[dict, ...] = ()  # earlier turns as chat messages, for LLM backends
    notes: tuple[str, ...] = ()  # said while resolving it (a failed condense)
    referent: str = ""  # what a follow-up's "it"/"she" stands for: the subject of the description before
    terms: tuple[str, ...] = ()  # terms(text)
    names: frozenset[str] = frozenset()  # key_terms(text)
    context_terms: tuple[str, ...] = ()  # terms(context)
    context_names: frozenset[str] = frozenset()  # key_terms(context)
    shape: Shape = field(default_factory=lambda: Shape())
    side_vectors: tuple[np.ndarray, ...] = ()  # a comparison's sides, each with the question, embedded

    @classmethod
    def of(cls, text: str, standalone: str, context: str, asked: Asked, vector: np.ndarray, **more) -> Question:
        return cls(text, standalone, context, asked, vector, terms=tuple(terms(text)), names=frozenset(key_terms(text)),
                   context_terms=tuple(terms(context)), context_names=frozenset(key_terms(context)), **more)

    @property
    def follow_up(self) -> bool:
        return bool(self.context)

    @property
    def asks_for_more(self) -> bool:
        """A follow-up that asks only for more of what was said ("Tell me more", "What
        else?", "Go on", "And then?"): the article goes on from where the answer stopped."""
        return self.follow_up and bool(_MORE.search(self.text)) and not set(self.terms) - _MORE_TERMS

    @property
    def said_so_far(self) -> str:
        """Every answer of the conversation still in memory (the previous one last)."""
        return " ".join(m["content"] for m in self.history if m["role"] == "assistant") or self.said

    @property
    def as_read(self) -> str:
        """The question as the reader model reads it: a request ("List the frameworks
        mentioned", "Name the players who ...") as the question it is ("What are the
        frameworks mentioned?"). Every question the reader was trained on is a question
        (SQuAD's and ours), and it gives a request's answers a fraction of the probability
        it gives the same words asked as a question."""
        return interrogative(without_the_article(self.text))

    @property
    def as_read_named(self) -> str | None:
        """A follow-up's pronoun as the subject of the description before it ("Who
        developed it?" after "What is SEA-LION?" read "Who developed SEA-LION?"), or None.
        The reader reads one sentence at a time, where "it" could be anything; but the
        sentence that answers may say "she" too, so this is read beside :attr:`as_read`."""
        text = self.as_read
        pronoun = _PRONOUN.search(text) if self.referent else None
        if pronoun is None or key_terms(text[: pronoun.start()]):
            return None  # "Did Smith say he would go?": a name before it is what it stands for
        word = pronoun.group(1).lower()
        owner = word in ("his", "its") or (word == "her" and bool(pronoun.group(2)))
        return text[: pronoun.start()] + self.referent + ("'s" if owner else "") + text[pronoun.end(1):]

    @property
    def asked_terms(self) -> set[str]:
        """Terms of the question and of the turn it follows: an answer naming only these
        tells the asker nothing new."""
        return set(self.terms) | set(self.context_terms)


# Cue words of a request for more (closed class): "tell me more", "what else", "go on",
# "and then", "what happened next", "elaborate", "more details"
_MORE = re.compile(r"\b(more|else|further|go on|keep going|continue|elaborate|expand|details?|next)\b|"
                   r"^\s*and then\b", re.I)
_MORE_TERMS = frozenset(terms("else further go going keep continue elaborate expand detail details next happened "
                              "anything please then"))


# A third-person singular pronoun; "her" is possessive before a word that is no preposition
# or conjunction ("her role", not "gave her to ..."): closed classes of English
_PRONOUN = re.compile(r"\b(he|she|it|him|his|her|its)\b(?=(\s+(?!(?:to|in|on|at|for|with|from|by|about|as|and|or|"
                      r"that|if|when|up|out|off|back|over|the|a|an|this|these|those|some|any|no|more|much)\b)[a-z]))?", re.I)


def key_terms(question: str) -> set[str]:
    """Names the question is about ("Korea", "NVIDIA"): words capitalised mid-sentence.
    Numbers are not names: a question's "March 2005 Budget" is often the article's
    "March Budget"; what a question asks for is checked by its answer kind instead."""
    words = question.strip().split()[1:]
    return {t for word in words if word[:1].isupper() for t in terms(word) if not t.isdigit()}


def name_phrases(question: str) -> list[str]:
    """The names a question uses, whole, in order: runs of capitalised words after its
    first word, joined by "of"/"for"/"de" ("Bank of England"), without an owner's "'s";
    "the U.S." gives "U.S."."""
    first = re.match(r"\s*\S+", question)
    out = []
    for match in _NAME.finditer(question[first.end():] if first else ""):
        name = re.sub(r"['’]s$", "", match.group(0))
        out.append(name if _ABBREVIATION.search(name) else name.rstrip("."))
    return [name for name in out if name != "I"]


_NAME = re.compile(r"[A-Z][\w.&'’-]*(?:\s+(?:(?:of|for|de)\s+)?[A-Z][\w.&'’-]*)*")
_ABBREVIATION = re.compile(r"(\b[A-Z]\.)+$")  # "U.S." keeps its last full stop


# "List/Name/Enumerate (all) (of) X ...": a request for the items of a kind
_REQUEST = re.compile(r"^\s*(?:please\s+)?(?:list|name|enumerate)\s+(?:all\s+)?(?:of\s+)?(?!(?:him|her|them|it|me|us|one)\b)(?=\S)", re.I)


# "..., according to the article on X", "... named in the story about X": which article
# holds the answer, not what the answer says (English, closed class; "report" and "review"
# stay, as they may be a report or a review the news is about)
_THE_ARTICLE = re.compile(r",?\s*\b(?:in|from|according to)\s+(?:the|this|that)\s+(?:[\w'’-]+\s+){0,2}?"
                          r"(?:article|story|piece|coverage)\b[^?]*", re.I)


def without_the_article(text: str) -> str:
    """The question without the words that say which article answers it (the reader reads
    one sentence, which never says that)."""
    stripped = _THE_ARTICLE.sub("", text).strip()
    return stripped if len(stripped.split()) >= 3 else text


def interrogative(text: str) -> str:
    """A request for items as the question it is ("What are X ...?"); any other text as it is."""
    match = _REQUEST.match(text)
    if not match:
        return text
    rest = text[match.end():].rstrip(" .!?")
    verb = "is" if re.match(r"(a|an|one)\b", rest, re.I) else "are"  # "Name a luxury division of Toyota"
    return f"What {verb} {rest}?"


def as_which(text: str) -> str:
    """A request for items as the "which" question that types its items ("List the
    organisations mentioned" -> "Which organisations mentioned"); any other text as it is."""
    match = _REQUEST.match(text)
    if not match:
        return text
    return "Which " + re.sub(r"^(the|all the|all)\s+", "", text[match.end():], flags=re.I)


_WH_WORD = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)


def elliptical(question: str) -> bool:
    """It leaves its question to the turn before: it opens "And ..."/"What about ..." or
    asks with no wh-word ("The other article?")."""
    return bool(_ELLIPSIS.match(question)) or not _WH_WORD.search(question)


def refers_back(question: str) -> bool:
    """The question leans on an earlier turn: a pronoun ("How old is she?"), an elliptical
    opening ("And the cost?"), the articles said before ("Compare the two articles", "Which
    people are mentioned?"), or no content of its own ("Why?")."""
    return bool(_PRONOUNS.search(question) or _ELLIPSIS.match(question) or _THE_TEXTS_BEFORE.search(question)
                or len(terms(question)) <= 1)


# "Compare the two articles", "Which people are mentioned?" (nothing but a kind): the
# articles said before
_THE_TEXTS_BEFORE = re.compile(r"\b(both|the two|the three)\s+(articles|stories|pieces|reports)\b|"
                               r"\bthe (other|second|next) (one|article|story|piece|report)\b|"  # "Summarize the other article"
                               r"^\s*(which|what|who)\s+(\w+\s+){0,2}(is|are|was|were)\s+(mentioned|named|quoted|cited|listed)\s*\??\s*$",
                               re.I)
