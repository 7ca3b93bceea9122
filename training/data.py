"""The questions the reader learns from and is judged on, as one shape: ``Item``.

Candidates are sentences exactly as the answerer sees them: split with
``index.chunking.sentence_spans``. Each question's candidates are every sentence of its
paragraph plus the sentences of other paragraphs of the same article closest to it by the
embedder's cosine (the answerer shortlists by that cosine).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    """Sentences of one paragraph (or BBC article), with their embedder vectors once computed."""

    article: str
    sentences: list[str]
    vectors: object = None  # np.ndarray (sentences, 384)
    title: str = ""  # the article's title, as the index shows it


@dataclass
class Item:
    """One question and where its answer is (if anywhere)."""

    qid: str
    question: str
    article: str
    source: str  # the SQuAD file name, or "bbc"
    paragraph: int  # index into the article's paragraphs (-1: BBC, candidates by cosine only)
    answers: list[str] = field(default_factory=list)  # every crowd answer (span scoring)
    answer_sentence: int | None = None  # index into the paragraph's sentences
    span: tuple[int, int] | None = None  # char offsets of the answer inside that sentence
    plausible_sentence: int | None = None  # unanswerable: the sentence holding the plausible answer
    # filled by data building: candidate sentence texts, their cosine to the question,
    # which candidate answers (None: none), and the hard negative (None: none)
    candidates: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # each candidate's article title
    previous: list[str] = field(default_factory=list)  # the sentence before each candidate ("" for none)
    cosines: list[float] = field(default_factory=list)
    positive: int | None = None
    hard: int | None = None
    # training items only (training.augment): other articles' sentences, and the answer
    # sentence with a name or year the question asks about swapped
    cross: list[int] = field(default_factory=list)
    swapped: int | None = None

    @property
    def answerable(self) -> bool:
        return self.answer_sentence is not None


def sentence_of(spans: list[tuple[int, int]], offset: int) -> int | None:
    """Which (start, end) span holds the character at ``offset``."""
    for i, (start, end) in enumerate(spans):
        if start <= offset < end:
            return i
    return None
