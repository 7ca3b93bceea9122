"""Plain-text and JSON rendering of answers and passages for the CLI."""

from __future__ import annotations

import textwrap
from dataclasses import asdict

from assistant.core.answer import Answer, shown_source
from index import Passage

PASSAGE_FIELDS = ("doc_id", "title", "date", "source", "text", "start", "end", "score")


def passage_dict(passage: Passage) -> dict:
    """A passage with the same fields as a citation (JSON for `assistant retrieve`)."""
    data = asdict(passage)
    data["source"] = shown_source(data["source"])  # as for citations: never the file's local path
    return {key: round(data[key], 4) if key == "score" else data[key] for key in PASSAGE_FIELDS}


def print_passages(passages: list[Passage]) -> None:
    if not passages:
        print("No passages found.")
    for i, p in enumerate(passages, 1):
        print(f"[{i}] {p.title} ({p.date or 'undated'}) {p.doc_id} chars {p.start}-{p.end} score {p.score:.3f}")
        print(textwrap.indent(textwrap.fill(p.text, 100), "    "), end="\n\n")


def print_answer(answer: Answer, streamed: bool = False) -> None:
    if not streamed:
        print("\n".join(textwrap.fill(line, 100) for line in answer.text.split("\n")))  # keeps a table header on its own line
    for note in answer.shown_notes():  # a refusal says what was searched and why it does not answer
        print(f"note: {note}")
    for c in answer.citations:
        print(f"  [{c.n}] {c.title} ({c.date or 'undated'}), {c.doc_id}, chars {c.start}-{c.end}, score {c.score:.3f}")
        print(textwrap.indent(textwrap.fill(f"“{c.quote or c.text}”", 96), "      "))
