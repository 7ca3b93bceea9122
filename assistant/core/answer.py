"""The assistant package's boundary types: an :class:`Answer`, its :class:`Citation` s,
and the :class:`Refusal` a step returns when the articles do not answer."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace

from index import Passage


def shown_source(source: str) -> str:
    """The source an article declares (a URL, a publication), or "" when all there is
    is the file's own path: answers leave this machine (the page, ``/chat``), and the
    path of an indexed file says nothing to a reader. ``assistant status`` lists the
    indexed folders for the local user."""
    return "" if not source or os.path.isabs(source) or source.startswith("file:") else source


@dataclass(frozen=True)
class Citation:
    """The passage behind marker ``[n]``, with the sentence that supports the claim."""

    n: int
    doc_id: str
    title: str
    date: str | None
    source: str
    text: str
    start: int
    end: int
    score: float
    quote: str = ""
    quote_start: int = 0
    quote_end: int = 0
    answer_start: int = 0  # the short answer inside the quote (document offsets; equal when none)
    answer_end: int = 0

    @classmethod
    def of(cls, n: int, passage: Passage, quote: str = "", quote_start: int = 0, span=None) -> Citation:
        """``span`` (start/end inside ``quote``) marks the short answer, if there is one."""
        answer = (quote_start + span.start, quote_start + span.end) if span is not None else (0, 0)
        return cls(
            n=n, doc_id=passage.doc_id, title=passage.title, date=passage.date, source=shown_source(passage.source),
            text=passage.text, start=passage.start, end=passage.end, score=round(float(passage.score), 4),
            quote=quote, quote_start=quote_start, quote_end=quote_start + len(quote),
            answer_start=answer[0], answer_end=answer[1],
        )


@dataclass(frozen=True)
class Refusal:
    """Why a question is not answered, as a value: a ``code`` for programs, the step's
    ``reason`` (kept in ``notes`` and ``--json``), and ``because``, the same said of the
    nearest passages in plain words for :func:`refusal_note` ("they never mention Korea").
    The engine adds what was searched (:meth:`searched_for`)."""

    code: str  # not_about, no_sentence, off_topic, unmentioned, no_kind, untied, no_attribute
    reason: str
    because: str
    searched: str = ""
    nearest: tuple[dict, ...] = ()  # {"doc_id", "title", "relevance"}, one per article, best first
    best_relevance: float = 0.0
    relevance_floor: float = 0.0
    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    confidence: float | None = None  # the reader's best P(answers), when it read and found it too low

    def searched_for(self, **context) -> Refusal:
        return replace(self, **context)

    def to_dict(self) -> dict:
        return {
            "reason": self.reason, "code": self.code, "searched": self.searched, "nearest": list(self.nearest),
            "best_relevance": self.best_relevance, "relevance_floor": self.relevance_floor,
            "doc_ids": list(self.doc_ids), "date_from": self.date_from, "date_to": self.date_to,
        }


@dataclass
class Answer:
    """Answer text with inline markers [1], [2] ... and one citation per marker,
    numbered in order of first use. ``refused`` answers cite nothing."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    short_answer: str = ""  # the person, amount, date ... the answer leads with, if any
    backend: str = "extractive"
    question: str = ""
    standalone_question: str = ""
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    # why a refused answer was refused: the step's reason, what was searched, the nearest
    # articles with their relevance, the floor and the filters (see refusal_note)
    refusal: Refusal | None = None
    # the trained reader's P(the lead sentence answers the question); None when it did not read
    confidence: float | None = None
    shape: str = "lookup"  # lookup, overview, comparison, list or description

    def to_dict(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "short_answer": self.short_answer,
            "citations": [asdict(c) for c in self.citations],
            "backend": self.backend,
            "standalone_question": self.standalone_question,
            "notes": self.notes,
            "refusal": {**self.refusal.to_dict(), "note": refusal_note(self)} if self.refusal else None,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "shape": self.shape,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }

    def shown_notes(self) -> list[str]:
        """Notes in words for a reader: a refusal's technical reason gives way to its
        :func:`refusal_note`; other notes (a fallback, a dropped sentence) stay."""
        if not self.refusal:
            return list(self.notes)
        return [n for n in self.notes if n != self.refusal.reason] + [refusal_note(self)]


REFUSAL = "The indexed articles don't cover that, so I can't answer it from them."


def lead(short_answer: str) -> str:
    """How an answer opens with its short answer: "**$50 million.**" (Markdown bold)."""
    return f"**{short_answer.strip().rstrip('.')}.**"


def refusal_note(answer: Answer) -> str:
    """A refusal in plain words: what was searched, what the nearest passages were about,
    why that does not answer, and how to widen a document filter or date range."""
    r = answer.refusal
    searched = (r.searched if r else "") or answer.question
    titles = [f"“{n['title']}”" for n in (r.nearest if r else ())[:2]]
    nearest = f"The nearest passages were from {' and '.join(titles)}" if titles else "No indexed passage came near it"
    why = f", but {r.because}" if r and r.because and titles else ""
    return " ".join([f"Searched for “{searched}”. {nearest}{why}.", *_filter_notes(r)])


def _filter_notes(r: Refusal | None) -> list[str]:
    notes: list[str] = []
    if r is None:
        return notes
    if doc_ids := r.doc_ids:
        which = ", ".join(doc_ids[:3]) + (f" and {len(doc_ids) - 3} more" if len(doc_ids) > 3 else "")
        notes.append(
            f"Only {'this article was' if len(doc_ids) == 1 else 'these articles were'} searched: {which}; "
            "clear the document filter to search every article."
        )
    since, until = r.date_from, r.date_to
    if since or until:
        span = f"from {since} to {until}" if since and until else f"from {since} on" if since else f"up to {until}"
        notes.append(
            f"Only articles dated {span} were searched (undated ones are left out); "
            "widen or clear the dates to search more."
        )
    return notes
