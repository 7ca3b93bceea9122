"""Plain-text and JSON rendering of answers and passages for the CLI."""

from __future__ import annotations

import os
import re
import shutil
import sys
from dataclasses import asdict

from assistant.core.answer import Answer, shown_source
from index import Passage

PASSAGE_FIELDS = ("doc_id", "title", "date", "source", "text", "start", "end", "score")


def passage_dict(passage: Passage) -> dict:
    """A passage with the same fields as a citation (JSON for `assistant retrieve`)."""
    data = asdict(passage)
    data["source"] = shown_source(data["source"])  # as for citations: never the file's local path
    return {key: round(data[key], 4) if key == "score" else data[key] for key in PASSAGE_FIELDS}


def article_list(bot) -> list[dict]:
    """Every indexed article once, by id: title, date, the source it declares, its chunks."""
    articles: dict[str, dict] = {}
    for p in bot.engine.retriever.mirror.current().passages:
        entry = articles.setdefault(
            p.doc_id,
            {"doc_id": p.doc_id, "title": p.title, "date": p.date, "source": shown_source(p.source), "chunks": 0},
        )
        entry["chunks"] += 1
    return [articles[d] for d in sorted(articles)]


def width() -> int:
    """The terminal's width (``COLUMNS`` if set); 100 when the output is not a terminal."""
    return max(20, shutil.get_terminal_size((100, 24)).columns)


def styled() -> bool:
    """Emphasis as ANSI bold only on a terminal, and never with NO_COLOR set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def wrap(text: str, columns: int, indent: str = "") -> str:
    """``text`` wrapped at word boundaries to ``columns``, line by line (a table header stays
    on its own line); ``**`` marks count for no width, a word longer than a line stays whole."""
    return "\n".join(_wrap_line(line, columns - len(indent), indent) for line in text.split("\n"))


def _wrap_line(line: str, columns: int, indent: str) -> str:
    lines: list[list[str]] = [[]]
    used = 0
    for word in line.split():
        size = len(word.replace("**", ""))
        if lines[-1] and used + 1 + size > columns:
            lines.append([])
            used = 0
        used += size + (1 if lines[-1] else 0)
        lines[-1].append(word)
    return "\n".join(indent + " ".join(words) for words in lines)


def emphasis(text: str, ansi: bool) -> str:
    """Markdown's ``**bold**`` as ANSI bold, or plain (markers dropped) when ``ansi`` is False."""
    parts = text.split("**")
    if len(parts) % 2 == 0:  # an unpaired marker: not emphasis
        return text
    return "".join(f"\033[1m{part}\033[0m" if i % 2 and ansi else part for i, part in enumerate(parts))


class StreamWriter:
    """Text that arrives in pieces (`assistant chat`), written as :func:`terminal` writes it
    whole: wrapped at words to ``columns``, ``**bold**`` as ANSI bold (even when a piece ends
    inside it) or plain."""

    def __init__(self, out=None, columns: int | None = None, ansi: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.columns = columns or width()
        self.ansi = styled() if ansi is None else ansi
        self.column, self.space, self.bold = 0, False, False

    def write(self, text: str) -> None:
        for piece in re.split(r"(\s+)", text):
            if piece.isspace():
                newlines = piece.count("\n")
                self.out.write("\n" * newlines)
                self.column = 0 if newlines else self.column
                self.space = not newlines and self.column > 0
            elif piece:
                self._word(piece)
        self.out.flush()

    def _word(self, word: str) -> None:
        size = len(word.replace("**", ""))
        if self.column and self.column + 1 + size > self.columns:
            self.out.write("\n")
            self.column = 0
        elif self.space:
            self.out.write(" ")
            self.column += 1
        self.space = False
        for i, part in enumerate(word.split("**")):
            if i:  # a marker between parts: bold starts or ends
                self.bold = not self.bold
                self.out.write(("\033[1m" if self.bold else "\033[0m") if self.ansi else "")
            self.out.write(part)
        self.column += size


def terminal(text: str, indent: str = "") -> str:
    return emphasis(wrap(text, width(), indent), styled())


def print_passages(passages: list[Passage]) -> None:
    if not passages:
        print("No passages found.")
    for i, p in enumerate(passages, 1):
        print(f"[{i}] {p.title} ({p.date or 'undated'}) {p.doc_id} chars {p.start}-{p.end} score {p.score:.3f}")
        print(terminal(p.text, "    "), end="\n\n")


def citation_line(c) -> str:
    """What a reader needs of a source: its title, date and, if the article declares one, its
    URL (the doc id, offsets and score are in ``--json``; `assistant list` gives the ids)."""
    return f"[{c.n}] {c.title} ({c.date or 'undated'})" + (f" {c.source}" if c.source else "")


def print_answer(answer: Answer, streamed: bool = False) -> None:
    if not streamed:
        print(terminal(answer.text))
    for note in answer.shown_notes():  # a refusal says what was searched and why it does not answer
        print(terminal(f"note: {note}"))
    for c in answer.citations:
        print(terminal(citation_line(c), "  "))
        print(terminal(f"“{c.quote or c.text}”", "      "))
