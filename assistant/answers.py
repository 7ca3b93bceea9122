"""The assistant package's boundary types: an :class:`Answer` and its :class:`Citation` s."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index import Passage


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
            n=n, doc_id=passage.doc_id, title=passage.title, date=passage.date, source=passage.source,
            text=passage.text, start=passage.start, end=passage.end, score=round(float(passage.score), 4),
            quote=quote, quote_start=quote_start, quote_end=quote_start + len(quote),
            answer_start=answer[0], answer_end=answer[1],
        )


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

    def to_dict(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "short_answer": self.short_answer,
            "citations": [asdict(c) for c in self.citations],
            "backend": self.backend,
            "standalone_question": self.standalone_question,
            "notes": self.notes,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


REFUSAL = "The indexed articles don't cover that, so I can't answer it from them."


def lead(short_answer: str) -> str:
    """How an answer opens with its short answer: "**$50 million.**" (Markdown bold)."""
    return f"**{short_answer.strip().rstrip('.')}.**"
