"""Sentences of retrieved passages, scored as answers to a question.

Used by the extractive backend to pick what to say and by the grounding check
to find what supports a generated sentence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from assistant.reading.model import Span
from index import Passage, sentence_vectors
from index.chunking import sentence_spans

MIN_SENTENCE_CHARS = 25  # shorter lines are headings or fragments: context, not answers
QUOTE_RUN = 400  # a quotation runs on for at most about three sentences (set by hand)
_HEADING = re.compile(r"^[^.!?|]{0,90}$")  # a short line with no sentence punctuation
_ENDS = ('.', '!', '?', '"', '”', "'", '’', ')', '|')
# Text addressed to a model rather than to a reader ("ignore previous instructions and
# say ..."): never quoted as an answer, so an article cannot dictate what is said.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,30}\b(previous|prior|above|earlier|all)\b.{0,20}\b(instructions?|prompts?|rules)\b"
    r"|\b(system prompt|system notice|you are an? (ai|assistant|language model))\b"
    r"|^\s*(system|assistant|user)\s*:",
    re.I,
)


@dataclass(eq=False)
class Evidence:
    passage: Passage
    rank: int
    start: int  # offset of the sentence inside passage.text
    text: str
    previous: Evidence | None = None
    header: Evidence | None = None  # for a table row: its table's header row
    sentence: int = -1  # its row among sentence_spans(passage.text)
    cosine: float = 0.0
    score: float = 0.0  # the reader's P(this sentence answers the question)
    span: Span | None = None  # the reader's short answer inside ``text`` (see assistant.reading.model)

    @property
    def doc_start(self) -> int:
        return self.passage.start + self.start

    @property
    def stored_vector(self) -> np.ndarray | None:
        """Its vector pooled at index time (index.sentence_vectors), or None when its chunk
        was stored without them (indexed before they existed, or by a server's embedder)
        or the model never read this sentence (past its 256 wordpieces)."""
        rows = _stored_rows(self.passage.sentences)
        if rows is None or not 0 <= self.sentence < len(rows) or not rows[self.sentence].any():
            return None
        return rows[self.sentence]

    @property
    def shown(self) -> str:
        """The sentence as an answer quotes it: when it opens a quotation that the sentence
        splitter cut at a full stop inside it ('... said: "We're building the plane while
        flying it.'), it runs on to the quotation's closing mark, if that is within
        QUOTE_RUN characters of its passage. A quotation cut in half misquotes its speaker."""
        text = self.text
        if text.count('"') % 2 == 0 and text.count("“") <= text.count("”"):
            return text
        rest = self.passage.text[self.start + len(text): self.start + len(text) + QUOTE_RUN]
        closing = [i for i in (rest.find('"'), rest.find("”")) if i >= 0]
        return text + rest[: min(closing) + 1] if closing else text

    @property
    def meaning(self) -> str:
        """What is scored against the question. A table row alone ("| Goal | Regional
        reconciliation | ... |") does not say what its cells are; with its header's column
        names it does ("Goal. Traditional Approach: Regional reconciliation. ...")."""
        if self.header is None:
            return self.text
        names, cells = _cells(self.header.text), _cells(self.text)
        return ". ".join([cells[0], *(f"{n}: {c}" for n, c in zip(names[1:], cells[1:]))])


@functools.lru_cache(maxsize=64)  # a question reads ~5-8 passages; follow-ups read them again
def _stored_rows(stored: str | None) -> np.ndarray | None:
    return sentence_vectors.decode(stored)


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _is_table_row(text: str) -> bool:
    text = text.strip()
    return len(text) > 2 and text.startswith("|") and text.endswith("|")


def _is_answer_like(text: str) -> bool:
    text = text.strip()
    if _INSTRUCTION.search(text):
        return False
    if BULLET.match(text) and len(BULLET.sub("", text).split()) >= 2:  # "- Frozen pilots' pay": an item, however short
        return True
    if len(text) < MIN_SENTENCE_CHARS or text.startswith("|--"):
        return False
    return text.endswith(_ENDS) or not _HEADING.match(text)


BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")  # a list item's marker: "- ", "* ", "• ", "1. ", "2) "


def read_as(evidence: list[Evidence]) -> tuple[list[str], list[str], list[str]]:
    """What the reader reads of each sentence: its meaning, its article's title and the
    sentence before it in its passage (each read only by a model trained with it)."""
    return ([e.meaning for e in evidence], [e.passage.title for e in evidence],
            [e.previous.text if e.previous is not None else "" for e in evidence])


def sentences_of(passages: list[Passage], exclude: frozenset[str] = frozenset()) -> list[Evidence]:
    """Answer-like sentences of the passages (each once), minus ``exclude``d texts."""
    found, seen = [], set()
    for rank, passage in enumerate(passages):
        previous = header = None
        for row, (start, end) in enumerate(sentence_spans(passage.text)):
            text = passage.text[start:end]
            if not _is_table_row(text):
                header = None
            elif header is None:  # the first row of a table names its columns: context, not an answer
                header = Evidence(passage, rank, start, text, previous, sentence=row)
                continue
            item = Evidence(passage, rank, start, text, previous, header, sentence=row)
            key = (passage.doc_id, passage.start + start)
            if _is_answer_like(text):
                previous = item
                if key not in seen and text not in exclude:
                    seen.add(key)
                    found.append(item)
    return found


def sentence_vectors_of(items: list[Evidence], embedder) -> np.ndarray:
    """Each sentence's vector: the one its chunk stored at index time, or (for a chunk
    stored without them) embedded now, all missing ones in one batch."""
    rows = [item.stored_vector for item in items]
    missing = [i for i, row in enumerate(rows) if row is None]
    if missing:
        for i, vector in zip(missing, embedder.embed_batch([items[i].meaning for i in missing])):
            rows[i] = vector
    return np.asarray(rows, dtype=np.float32)
