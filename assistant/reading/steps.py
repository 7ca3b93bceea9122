"""The reading steps between retrieval and answer (see :mod:`assistant.core.pipeline`):
each reads the :class:`Question` and what was :class:`Found`, and returns it narrowed or
ranked, or a :class:`Refusal`."""

from __future__ import annotations

import math

import numpy as np

from assistant.core.answer import Refusal
from assistant.core.pipeline import Found
from assistant.core.question import Question
from assistant.reading import reader
from assistant.reading.evidence import sentence_vectors_of, sentences_of
from assistant.reading.refusal import spelled_out_acronyms
from index.lexical import BM25, lexical_coverage, term_set
from index.mirror import LiveMirror

# A passage holding half the question's rare words is relevant whatever its cosine.
LEXICAL_RELEVANCE = 0.5
# Sentences embedded per question: the lexical shortlist plus sentences holding an answer
# of the asked kind. 6 rather than 4 since the reader looks at neighbours too (dev half).
EMBEDDED_CANDIDATES = 6
# A sentence holding a short answer leads when weighed at least this share of the best one.
# Dev half: 0.05, 0.2 and 0.5 gave the same answers (0.784); 0.5 refused one more
# unanswerable question (0.48 -> 0.52); without the step answers were 0.776.
ANSWER_FIRST_SHARE = 0.5


class RelevanceFloor:
    """Refuse when no retrieved passage is about the question: the best cosine is
    under the floor and no passage holds half of the question's rare words."""

    def __init__(self, floor: float, mirror: LiveMirror) -> None:
        self.floor, self.mirror = floor, mirror

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        bm25 = self.mirror.bm25()
        if found.passages and found.retrieved.best_cosine >= self.floor:
            return found
        wanted = list(question.terms)
        lexical = max((_coverage_with_acronyms(wanted, p.text, bm25) for p in found.passages), default=0.0)
        if not found.passages or lexical < LEXICAL_RELEVANCE:
            return Refusal("not_about", "no indexed passage is about this question", "none of them says what you asked")
        return found


def _coverage_with_acronyms(wanted: list[str], text: str, bm25: BM25) -> float:
    """lexical_coverage, where "USAID" is found in "U.S. Agency for International Development"."""
    missing = set(wanted) - term_set(text)
    return lexical_coverage(wanted, text, bm25, also=spelled_out_acronyms(text) & missing if missing else frozenset())


class FollowUpTopic:
    """A follow-up that names nothing new ("Why is it important?") is about what the
    previous answer cited, or about the names of the question it follows: it is answered
    from that article and from the passages that mention most of those names. Its own
    few words ("important") would otherwise match any article."""

    def __call__(self, question: Question, found: Found) -> Found:
        topic = question.context_names
        if not topic or question.names - set(question.context_terms):
            return found
        overlap = [len(topic & term_set(f"{p.title} {p.text}")) for p in found.passages]
        best = max(overlap, default=0)
        kept = [p for p, n in zip(found.passages, overlap) if p.doc_id == question.cited_doc or (best and n == best)]
        return found.narrowed(kept or found.passages)


class ScoreSentences:
    """Rank the passages' sentences as answers with the reader's fitted score
    (:data:`assistant.reading.reader.WEIGHTS`): first without meaning, to pick a shortlist, then
    with the shortlist's cosine to the question. ``item.score`` is each sentence's weight
    relative to the best (1.0 for the best), so answerers can compare runners-up."""

    def __init__(self, embedder, mirror: LiveMirror) -> None:
        self.embedder, self.mirror = embedder, mirror

    def __call__(self, question: Question, found: Found) -> Found:
        evidence = sentences_of(list(found.passages))
        names = question.names | question.context_names
        reading = reader.Reading.of(question, names, self.mirror.bm25(), evidence)
        for item in evidence:
            item.kind_bonus = reader.type_score(item, question.asked, reading.asked_terms)
            item.score = reader.score(reader.features(item, reading))
        shortlist = sorted(evidence, key=lambda e: e.score, reverse=True)[:EMBEDDED_CANDIDATES]
        if shortlist:
            vectors = sentence_vectors_of(shortlist, self.embedder)
            for item, vector in zip(shortlist, vectors):
                item.cosine = float(np.dot(vector, question.vector))
                if question.own_vector is not None:  # a follow-up: its own words count as much as its context
                    item.cosine = 0.5 * item.cosine + 0.5 * float(np.dot(vector, question.own_vector))
                item.score = item.score + reader.WEIGHTS["cosine"] * item.cosine
            best = max(e.score for e in shortlist)
            for item in shortlist:
                item.score = math.exp(item.score - best)
        return found.ranked(sorted(shortlist, key=lambda e: e.score, reverse=True))


class AnswerFirst:
    """For a question that wants a short answer, the best sentence holding one leads when
    the reader weighs it at least ``share`` of the best sentence: close behind, a sentence
    that can answer beats one that only says more about the subject; far behind, it is
    probably about something else."""

    def __init__(self, share: float) -> None:
        self.share = share

    def __call__(self, question: Question, found: Found) -> Found:
        if question.asked.wants_span:
            typed = next((e for e in found.evidence if e.kind_bonus > 0), None)
            if typed is not None and typed.score >= self.share:
                return found.ranked([typed] + [e for e in found.evidence if e is not typed])
        return found
