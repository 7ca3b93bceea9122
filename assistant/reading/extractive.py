"""The extractive answerer: the short answer the trained reader found (when it is sure of
it and it is of the asked kind), then the sentences the reader says answer, each cited.
Deterministic and offline: the reader already ran as a step."""

from __future__ import annotations

import re
from collections.abc import Generator

from assistant import calibration
from assistant.core.answer import Answer, Citation, lead
from assistant.core.pipeline import Found
from assistant.core.question import Question
from assistant.reading.evidence import Evidence
from assistant.reading.reader import shown_span
from index.lexical import terms

MAX_ANSWER_CHARS = calibration.MAX_ANSWER_CHARS  # see assistant.calibration
# A runner-up joins the answer when the reader says it answers too (see assistant.calibration).
JOIN_P = calibration.SECOND_SENTENCE_P


# Pronouns (closed class) that make a sentence lean on the one before it.
_LEANS_BACK = re.compile(r"^(This|These|That|Those|It|Its|Such|They|Their|He|She|His|Her)\b")


def new_first(ranked: list[Evidence], said: str) -> list[Evidence]:
    """In a follow-up asking for more than a short answer ("Why is it important?"), the
    best sentence the previous answer did not say leads (the asker has just read the
    others) when the reader says it answers too (P >= JOIN_P); a sentence already said may
    still join it. Otherwise the best sentence leads, said or not: the follow-up asks about a
    detail of it ("What assurance did he want?"). (A follow-up asking for a figure may find
    it in a sentence already said, and gets it in bold.)"""
    fresh = next((e for e in ranked if e.text not in said), None) if said else None
    if fresh is None or fresh is ranked[0] or fresh.score < JOIN_P:
        return ranked  # nothing new that the reader says answers: the best leads, said or not
    return [fresh] + [e for e in ranked if e is not fresh]


def choose(ranked: list[Evidence], max_sentences: int) -> list[Evidence]:
    """The best sentence, plus runners-up the reader says also answer (P >= JOIN_P) while
    the answer stays short. A sentence that starts with "This ..." or "He ..." brings the
    sentence it refers back to; a runner-up that cannot bring it (too long) is left out,
    since "He said ..." quoted alone names nobody."""
    chosen = [ranked[0]]
    before = ranked[0].previous
    if _leans_back(ranked[0], chosen) and before is not None and len(before.text) + len(ranked[0].text) <= MAX_ANSWER_CHARS:
        chosen.insert(0, before)
    length = sum(len(c.text) for c in chosen)
    for item in ranked[1:]:
        if item in chosen:
            continue
        if len(chosen) >= max_sentences or item.score < JOIN_P:
            break
        leans = _leans_back(item, chosen)
        if leans and item.previous is None:
            continue  # leans on a sentence its passage does not hold
        added = [item.previous, item] if leans else [item]
        size = sum(len(a.text) for a in added)
        if length + size > MAX_ANSWER_CHARS or len(chosen) + len(added) > max_sentences or _redundant(item, chosen):
            continue  # too long, or says what is already said
        chosen += added
        length += size
    for item in list(chosen):  # a table row comes with its header row, so its cells are named
        if item.header is not None and not any(c.doc_start == item.header.doc_start for c in chosen):
            chosen.append(item.header)
    # read in document order when sentences come from the same article
    return sorted(chosen, key=lambda e: (e.passage.doc_id != chosen[0].passage.doc_id, e.passage.doc_id, e.doc_start))


def _leans_back(item: Evidence, chosen: list[Evidence]) -> bool:
    """It opens with a pronoun whose sentence before it is not in the answer."""
    if not _LEANS_BACK.match(item.text):
        return False
    before = item.previous
    return before is None or not any(c.doc_start == before.doc_start and c.passage.doc_id == before.passage.doc_id
                                     for c in chosen)


def _redundant(item: Evidence, chosen: list[Evidence]) -> bool:
    words = set(terms(item.text))
    return any(len(words & set(terms(c.text))) > 0.7 * max(len(words), 1) for c in chosen)


def compose(chosen: list[Evidence], lead: Evidence | None = None, span=None) -> tuple[list[str], list[Citation]]:
    """Sentences with markers, and citations numbered in order of first use. The
    short answer ``span`` (inside the ``lead`` sentence) is marked in its citation."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    headers = {id(c.header) for c in chosen if c.header is not None}
    pending = ""  # a table's header row, shown on the line above its row, under the row's marker
    shown_to = (None, -1)  # (article, offset) up to which a quotation run on has shown it
    for item in chosen:
        if id(item) in headers:
            pending = f"{item.text}\n"
            continue
        if item.passage.doc_id == shown_to[0] and item.doc_start < shown_to[1]:
            continue  # the quotation of the sentence before already holds it
        text = item.shown
        shown_to = (item.passage.doc_id, item.doc_start + len(text))
        key = item.passage.chunk_id
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            # a passage's citation quotes the sentence holding the short answer, if it has it
            quoted = lead if lead is not None and lead.passage.chunk_id == key else item
            marked = span if quoted is lead else None
            citations.append(Citation.of(numbers[key], quoted.passage, quoted.shown, quoted.doc_start, marked))
        parts.append(f"{pending}{text} [{numbers[key]}]")
        pending = ""
    return parts, citations


class ExtractiveAnswerer:
    """Answers from the ranked sentences found; a question that wants a short answer
    gets it first: "**Cristiano Ronaldo.** Cristiano Ronaldo scored the opener ... [1]"."""

    name = "extractive"

    def __init__(self, max_sentences: int) -> None:
        self.max_sentences = max_sentences

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        asked, evidence = question.asked, list(found.evidence)
        ranked = evidence if asked.wants_span or found.in_order else new_first(evidence, question.said)
        best = ranked[0]
        if found.in_order:  # "Tell me more": the sentences that follow, in order (ReadOn)
            span, chosen = None, ranked[: self.max_sentences]
        else:
            span, chosen = shown_span(best, asked, question), choose(ranked, self.max_sentences)
        parts, citations = compose(chosen, best, span)
        if span is not None:
            parts.insert(0, lead(best.text[span.start: span.end]))
        for i, part in enumerate(parts):  # sentence by sentence
            yield part if i == 0 else f" {part}"
        return Answer(text=" ".join(parts), citations=citations, backend=backend or self.name,
                      notes=list(question.notes), short_answer=best.text[span.start: span.end] if span else "",
                      confidence=None if found.in_order else best.score)  # what follows was not read
