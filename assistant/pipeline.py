"""The steps between retrieval and answer, each one small, testable and switchable.

A :class:`Draft` flows through a list of steps (in the manner of LlamaIndex's node
postprocessors): each step reads it and returns it, narrowed, scored or refused. The
engine runs them in order and stops at the first refusal; an answerer then turns the
draft into an :class:`Answer`. ``Engine.steps`` is a plain list: drop or replace a step
to change the behaviour.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant import reader
from assistant.answers import Answer
from assistant.evidence import Evidence, sentences_of
from assistant.lexical import BM25, lexical_coverage, term_set, terms
from assistant.questions import Question, key_terms
from assistant.retrieval import HybridRetriever, Retrieved
from index import Passage

# A passage holding half the question's rare words is relevant whatever its cosine.
LEXICAL_RELEVANCE = 0.5
# Sentences embedded per question: the lexical shortlist plus sentences holding an answer
# of the asked kind. 6 rather than 4 since the reader looks at neighbours too (dev half).
EMBEDDED_CANDIDATES = 6
# A sentence holding a short answer leads when weighed at least this share of the best one.
# Dev half: 0.05, 0.2 and 0.5 gave the same answers (0.784); 0.5 refused one more
# unanswerable question (0.48 -> 0.52); without the step answers were 0.776.
ANSWER_FIRST_SHARE = 0.5


@dataclass
class Draft:
    """Everything known about one question on its way to an answer."""

    question: str
    standalone: str  # the retrieval query (a follow-up with its context)
    context: str  # the earlier question a follow-up leans on ("" for a standalone one)
    asked: Question
    retrieved: Retrieved
    passages: list[Passage]
    cited_doc: str | None = None  # the article the previous answer cited
    said: str = ""  # the previous answer, for a follow-up
    own_vector: np.ndarray | None = None  # a follow-up alone, without its context
    history: list[dict] = field(default_factory=list)  # earlier turns as chat messages, for LLM backends
    evidence: list[Evidence] = field(default_factory=list)
    refusal: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def follow_up(self) -> bool:
        return bool(self.context)

    @property
    def asked_terms(self) -> set[str]:
        """Terms of the question and of the turn it follows: an answer naming only these
        tells the asker nothing new."""
        return set(terms(self.question)) | set(terms(self.context))

    def refuse(self, why: str) -> Draft:
        self.refusal = why
        return self


class Step(Protocol):
    def __call__(self, draft: Draft) -> Draft: ...


class Answerer(Protocol):
    """Every backend answers the same way: a draft in, text deltas out, then the Answer."""

    name: str

    def answer(self, draft: Draft) -> Generator[str, None, Answer]: ...


class RelevanceFloor:
    """Refuse when no retrieved passage is about the question: the best cosine is
    under the floor and no passage holds half of the question's rare words."""

    def __init__(self, floor: float, retriever: HybridRetriever) -> None:
        self.floor, self.retriever = floor, retriever

    def __call__(self, draft: Draft) -> Draft:
        bm25 = self.retriever.bm25()
        if draft.passages and draft.retrieved.best_cosine >= self.floor:
            return draft
        wanted = terms(draft.question)
        lexical = max((_coverage_with_acronyms(wanted, p.text, bm25) for p in draft.passages), default=0.0)
        if not draft.passages or lexical < LEXICAL_RELEVANCE:
            return draft.refuse("no indexed passage is about this question")
        return draft


def _coverage_with_acronyms(wanted: list[str], text: str, bm25: BM25) -> float:
    """lexical_coverage, where "USAID" is found in "U.S. Agency for International Development"."""
    from assistant.refusal import spelled_out_acronyms

    missing = set(wanted) - term_set(text)
    return lexical_coverage(wanted, text, bm25, also=spelled_out_acronyms(text) & missing if missing else frozenset())


class FollowUpTopic:
    """A follow-up that names nothing new ("Why is it important?") is about what the
    previous answer cited, or about the names of the question it follows: it is answered
    from that article and from the passages that mention most of those names. Its own
    few words ("important") would otherwise match any article."""

    def __call__(self, draft: Draft) -> Draft:
        topic = key_terms(draft.context) if draft.context else set()
        if not topic or key_terms(draft.question) - set(terms(draft.context)):
            return draft
        overlap = [len(topic & set(terms(f"{p.title} {p.text}"))) for p in draft.passages]
        best = max(overlap, default=0)
        kept = [p for p, n in zip(draft.passages, overlap) if p.doc_id == draft.cited_doc or (best and n == best)]
        draft.passages = kept or draft.passages
        return draft


class ScoreSentences:
    """Rank the passages' sentences as answers with the reader's fitted score
    (:data:`assistant.reader.WEIGHTS`): first without meaning, to pick a shortlist, then
    with the shortlist's cosine to the question. ``item.score`` is each sentence's weight
    relative to the best (1.0 for the best), so answerers can compare runners-up."""

    def __init__(self, embedder, retriever: HybridRetriever) -> None:
        self.embedder, self.retriever = embedder, retriever

    def __call__(self, draft: Draft) -> Draft:
        evidence = sentences_of(draft.passages)
        names = key_terms(draft.question) | key_terms(draft.context)
        reading = reader.Reading.of(draft.asked, draft.asked_terms, names, self.retriever.bm25(), evidence)
        for item in evidence:
            item.kind_bonus = reader.type_score(item, draft.asked, reading.asked_terms)
            item.score = reader.score(reader.features(item, reading))
        shortlist = sorted(evidence, key=lambda e: e.score, reverse=True)[:EMBEDDED_CANDIDATES]
        if shortlist:
            vectors = sentence_vectors_of(shortlist, self.embedder)
            for item, vector in zip(shortlist, vectors):
                item.cosine = float(np.dot(vector, draft.retrieved.query_vector))
                if draft.own_vector is not None:  # a follow-up: its own words count as much as its context
                    item.cosine = 0.5 * item.cosine + 0.5 * float(np.dot(vector, draft.own_vector))
                item.score = item.score + reader.WEIGHTS["cosine"] * item.cosine
            best = max(e.score for e in shortlist)
            for item in shortlist:
                item.score = math.exp(item.score - best)
        draft.evidence = sorted(shortlist, key=lambda e: e.score, reverse=True)
        return draft


def sentence_vectors_of(items: list[Evidence], embedder) -> np.ndarray:
    """Each sentence's vector: the one its chunk stored at index time, or (for a chunk
    stored without them) embedded now, all missing ones in one batch."""
    rows = [item.stored_vector for item in items]
    missing = [i for i, row in enumerate(rows) if row is None]
    if missing:
        for i, vector in zip(missing, embedder.embed_batch([items[i].meaning for i in missing])):
            rows[i] = vector
    return np.asarray(rows, dtype=np.float32)


class AnswerFirst:
    """For a question that wants a short answer, the best sentence holding one leads when
    the reader weighs it at least ``share`` of the best sentence: close behind, a sentence
    that can answer beats one that only says more about the subject; far behind, it is
    probably about something else."""

    def __init__(self, share: float) -> None:
        self.share = share

    def __call__(self, draft: Draft) -> Draft:
        if draft.asked.wants_span:
            typed = next((e for e in draft.evidence if e.kind_bonus > 0), None)
            if typed is not None and typed.score >= self.share:
                draft.evidence = [typed] + [e for e in draft.evidence if e is not typed]
        return draft


def default_steps(settings, retriever: HybridRetriever, embedder) -> list[Step]:
    from assistant.refusal import RefusalPolicy

    return [
        RelevanceFloor(settings.min_score, retriever),
        FollowUpTopic(),
        ScoreSentences(embedder, retriever),
        AnswerFirst(ANSWER_FIRST_SHARE),
        RefusalPolicy(retriever),
    ]
