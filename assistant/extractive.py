"""The extractive backend: answer with the best-supporting sentences of the
retrieved passages, each cited. Deterministic, offline, no model to run."""

from __future__ import annotations

import re

from assistant.aliases import named_otherwise
from assistant.answers import REFUSAL, Answer, Citation
from assistant.evidence import Evidence
from assistant.lexical import terms
from index import Passage

MAX_ANSWER_CHARS = 400
FOLLOW_SCORE = 0.85  # a second sentence must score within 15% of the best one
# The best sentence must mean roughly what the question asks. Calibrated with 2,225 BBC
# distractors (bench/quality.py): every answerable question's best sentence scored >= 0.35,
# while "linked list in Python" found only "Monty Python" (0.10).
MIN_EVIDENCE_COSINE = 0.34


def key_terms(question: str) -> set[str]:
    """Names and numbers the question is about ("Korea", "2019", "NVIDIA"): words
    that are capitalised mid-sentence or contain a digit."""
    words = question.strip().split()[1:]
    return {t for word in words if word[:1].isupper() or any(c.isdigit() for c in word) for t in terms(word)}


def favour_figures(question: str, evidence: list[Evidence]) -> list[Evidence]:
    """For "How much ...?" / "How many ...?", the best sentence that gives a figure leads,
    if it scores close to the best sentence overall."""
    if not evidence or not _ASKS_AMOUNT.match(question) or _AMOUNT.search(evidence[0].text):
        return evidence
    figure = next((e for e in evidence if _AMOUNT.search(e.text)), None)
    if figure is None or figure.score < FOLLOW_SCORE * evidence[0].score:
        return evidence
    return [figure, *(e for e in evidence if e is not figure)]


def unanswerable(question: str, passages: list[Passage], evidence: list[Evidence], follow_up: bool = False) -> str | None:
    """Why the passages, though on topic, do not answer (None when they may): no
    sentence means roughly what the question asks, or a name or number the question
    asks about ("South Korea", "2019") appears in none of them. Answering "What is
    South Korea's AI budget?" with Japan's AI plan would mislead. A follow-up ("Why is
    it important?") means little alone, so it is judged by its passages (retrieved with
    the earlier question), not by its own words."""
    if not evidence:
        return "no sentence of the retrieved passages answers a question"
    if follow_up:
        return None
    if evidence[0].cosine < MIN_EVIDENCE_COSINE:
        return f"the best sentence matches the question weakly ({evidence[0].cosine:.2f} < {MIN_EVIDENCE_COSINE})"
    if _ASKS_AMOUNT.match(question) and not _AMOUNT.search(evidence[0].text):
        return "the best sentence gives no figure, and the question asks for one"
    present = set()
    for passage in passages:
        present.update(terms(f"{passage.title} {passage.text}"))
    missing = {t for t in key_terms(question) if not _mentioned(t, present)}
    if missing:  # "USAID" may be spelled out: "U.S. Agency for International Development"
        missing -= spelled_out_acronyms(" ".join(p.text for p in passages))
    if not missing:
        return None
    words = [w.strip("?.,;:!\"'()“”’").removesuffix("'s").removesuffix("’s") for w in question.split() if set(terms(w)) & missing]
    return f"the retrieved passages never mention {', '.join(dict.fromkeys(words))}"


# "How much funding has Japan committed?" answered with a sentence about the project but
# without a number would read as an answer and is none.
_ASKS_AMOUNT = re.compile(r"\s*how (much|many)\b", re.I)
_AMOUNT = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|double|twice)\b",
    re.I,
)
_CONNECTORS = {"for", "of", "and", "the", "&", "on", "in"}


def spelled_out_acronyms(text: str) -> set[str]:
    """Acronyms of the capitalised names in ``text``, lower-cased: "U.S. Agency for
    International Development" gives "usaid" (and "aid", "usa", ...), connectors skipped."""
    found: set[str] = set()
    run: list[str] = []  # initials of the current run of capitalised words
    for word in text.split() + [""]:
        bare = word.strip(",;:()“”\"'’")
        if bare.lower() in _CONNECTORS and run:
            continue
        if bare[:1].isupper():
            # "U.S." gives "us"; a word ending a sentence still counts ("Development.")
            run.append("".join(part[0] for part in bare.split(".") if part).lower() if "." in bare[:-1] else bare[0].lower())
            continue
        initials = "".join(run)
        found.update(initials[i:j] for i in range(len(initials)) for j in range(i + 2, min(len(initials), i + 8) + 1))
        run = []
    return found


def _mentioned(term: str, present: set[str]) -> bool:
    """``term`` (from the question) appears among the passages' ``present`` terms, allowing
    for "Japanese" ~ "Japan" (same first five letters), "Hanoi" ~ "Vietnam" (another name
    of the country) and "US-China" ~ "U.S." and "China" (each part)."""
    if term in present or named_otherwise(term, present):
        return True
    if len(term) >= 5 and any(word.startswith(term[:5]) for word in present if len(word) >= 5):
        return True
    parts = [part for part in term.split("-") if part]
    return len(parts) > 1 and all(_mentioned(part, present) for part in parts)


_LEANS_BACK = re.compile(r"^(This|These|That|Those|It|Such|They)\b")


def choose(ranked: list[Evidence], max_sentences: int, said: str = "") -> list[Evidence]:
    """The best sentence, plus close runners-up while the answer stays short. A
    sentence that starts with "This ..." brings the sentence it refers back to;
    when the best sentence was already said (a follow-up), the best new one joins it."""
    chosen = [ranked[0]]
    if said and ranked[0].text in said:
        fresh = next((e for e in ranked[1:] if e.text not in said), None)
        if fresh is not None:
            chosen.append(fresh)
    if _LEANS_BACK.match(ranked[0].text) and ranked[0].previous is not None:
        chosen.insert(0, ranked[0].previous)
    length = sum(len(c.text) for c in chosen)
    for item in ranked[1:]:
        if item in chosen:
            continue
        if len(chosen) >= max_sentences or item.score < FOLLOW_SCORE * ranked[0].score:
            break
        if length + len(item.text) > MAX_ANSWER_CHARS or _redundant(item, chosen):
            continue
        chosen.append(item)
        length += len(item.text)
    for item in list(chosen):  # a table row comes with its header row, so its cells are named
        if item.header is not None and not any(c.doc_start == item.header.doc_start for c in chosen):
            chosen.append(item.header)
    # read in document order when sentences come from the same article
    return sorted(chosen, key=lambda e: (e.passage.doc_id != chosen[0].passage.doc_id, e.passage.doc_id, e.doc_start))


def _redundant(item: Evidence, chosen: list[Evidence]) -> bool:
    words = set(terms(item.text))
    return any(len(words & set(terms(c.text))) > 0.7 * max(len(words), 1) for c in chosen)


def compose(chosen: list[Evidence]) -> tuple[list[str], list[Citation]]:
    """Sentences with markers, and citations numbered in order of first use."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    headers = {id(c.header) for c in chosen if c.header is not None}
    pending = ""  # a table's header row, shown on the line above its row, under the row's marker
    for item in chosen:
        if id(item) in headers:
            pending = f"{item.text}\n"
            continue
        key = item.passage.chunk_id
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(Citation.of(numbers[key], item.passage, item.text, item.doc_start))
        parts.append(f"{pending}{item.text} [{numbers[key]}]")
        pending = ""
    return parts, citations


def refusal(question: str, backend: str, reason: str) -> Answer:
    return Answer(text=REFUSAL, refused=True, backend=backend, question=question, notes=[reason])
