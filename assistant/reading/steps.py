"""The reading steps between retrieval and answer (see :mod:`assistant.core.pipeline`):
each reads the :class:`Question` and what was :class:`Found`, and returns it narrowed or
ranked, or a :class:`Refusal`."""

from __future__ import annotations

from assistant import calibration
from assistant.core.answer import Refusal
from assistant.core.pipeline import Found, run_steps
from assistant.core.question import Question
from assistant.reading.evidence import sentences_of
from assistant.reading.refusal import spelled_out_acronyms
from index import Passage
from index.lexical import BM25, lexical_coverage, term_set
from index.mirror import LiveMirror

LEXICAL_RELEVANCE = calibration.LEXICAL_RELEVANCE  # see assistant.calibration


class RelevanceFloor:
    """Refuse when no retrieved passage is about the question: the best cosine is
    under the floor and no passage holds half of the question's rare words."""

    def __init__(self, floor: float, mirror: LiveMirror) -> None:
        self.floor, self.mirror = floor, mirror

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        bm25 = self.mirror.bm25()
        if found.passages and found.retrieved.best_cosine >= self.floor:
            return found
        if leans_on_cited(question) and any(p.doc_id == question.cited_doc for p in found.passages):
            return found  # "Why does it matter?": the turn before chose the article, its words are few
        wanted = list(question.terms)
        lexical = max((_coverage_with_acronyms(wanted, p.text, bm25) for p in found.passages), default=0.0)
        if not found.passages or lexical < LEXICAL_RELEVANCE:
            return Refusal("not_about", "no indexed passage is about this question", "none of them says what you asked")
        return found


def leans_on_cited(question: Question) -> bool:
    """A follow-up that names nothing new, after an answer that cited an article: it is
    about that answer ("Why does it matter?", "What did she say?")."""
    return question.follow_up and question.cited_doc is not None and not (question.names - set(question.context_terms))


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


def article_passages(mirror: LiveMirror, doc_id: str) -> list[Passage]:
    """Every chunk of one article, in order."""
    return sorted((p for p in mirror.passages if p.doc_id == doc_id), key=lambda p: p.position)


def articles_of(passages: list[Passage]) -> list[Passage]:
    """The first chunk of each article among ``passages``, in their order."""
    firsts: dict[str, Passage] = {}
    for p in passages:
        if p.doc_id not in firsts or p.position < firsts[p.doc_id].position:
            firsts[p.doc_id] = p
    return list(firsts.values())


class ReadOn:
    """"Tell me more", "Go on", "What else?": the sentences that follow, in the article the
    previous answer cited, the last one it said, in the article's order (the request's few
    words say nothing a reader could match; retrieval led by them may not even bring the
    passage that follows). Refuses when the article ends there. When the previous answer
    quoted no sentence of it (a generative backend's words), the ``otherwise`` steps (a
    lookup's) read the request as any follow-up."""

    def __init__(self, mirror: LiveMirror, otherwise: list) -> None:
        self.mirror, self.otherwise = mirror, otherwise

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        doc = question.cited_doc or _quoted_from(question, found)
        passages = article_passages(self.mirror, doc) if doc else []
        evidence = sentences_of(passages)
        said = [e.doc_start for e in evidence if e.text in question.said]
        if not said:
            return run_steps(self.otherwise, question, found)
        last, following = max(said), {}  # following: by offset, as overlapping chunks hold some sentences twice
        for e in sorted(evidence, key=lambda e: e.doc_start):
            if e.doc_start > last and e.text not in question.said_so_far and e.header is None:
                following.setdefault(e.doc_start, e)
        if not following:
            return Refusal("article_ends", "the article says nothing after the previous answer",
                           "the article ends there")
        return found.narrowed(passages).in_its_order(following.values())


def _quoted_from(question: Question, found: Found) -> str | None:
    """The article a previous answer quoted when the transcript did not say which (an API
    client that sent the answer back without its Sources): the first passage found that
    holds one of its sentences."""
    for passage in found.passages:
        if any(e.text in question.said for e in sentences_of([passage])):
            return passage.doc_id
    return None
