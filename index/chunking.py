"""Sentence-respecting, token-budgeted chunks that remember where they came from.

A chunk is always an exact slice ``article.text[start:end]``, so a citation can
point at character offsets in the cleaned document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus import Article
from index.tokens import count_tokens, encoding

# Sizes were chosen by measurement (bench/chunk_sizes.py): 200 cl100k tokens is
# at most ~240 MiniLM word-pieces on the BBC corpus, under the model's 256
# window, so no chunk is silently truncated by the embedder.
DEFAULT_CHUNK_TOKENS = 200
DEFAULT_OVERLAP_TOKENS = 40

_ABBREVIATIONS = {
    "u.s",
    "u.k",
    "u.n",
    "d.c",
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "no",
    "vs",
    "inc",
    "ltd",
    "co",
    "corp",
    "jr",
    "sr",
    "prof",
    "gen",
    "gov",
    "sen",
    "rep",
    "e.g",
    "i.e",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Chunk:
    """A piece of one article, with everything a citation needs."""

    id: str
    doc_id: str
    text: str
    start: int
    end: int
    position: int
    n_tokens: int


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; newlines always end a sentence (headings, table rows)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            spans.extend(_line_sentences(line, offset))
        offset += len(line) + 1
    return spans


def _line_sentences(line: str, offset: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        word = line[: match.start()].rsplit(None, 1)[-1].lower() if line[: match.start()].strip() else ""
        word = re.split(r"[-–—/(\"'“]", word)[-1]  # "ASEAN-U.S." ends with the abbreviation "U.S."
        if word.rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
            continue
        end = match.start() + len(match.group(0).rstrip())
        spans.append((offset + start, offset + end))
        start = match.end()
    stripped = line[start:].rstrip()
    if stripped:
        spans.append((offset + start, offset + start + len(stripped)))
    return spans


def _split_long(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int, int]]:
    """Cut an over-long sentence at token boundaries (tables without newlines, run-ons)."""
    enc = encoding()
    tokens = enc.encode(text[start:end], disallowed_special=())
    pieces, cursor = [], start
    for i in range(0, len(tokens), max_tokens):
        piece = enc.decode(tokens[i : i + max_tokens])
        piece_end = min(end, cursor + len(piece))
        pieces.append((cursor, piece_end, len(tokens[i : i + max_tokens])))
        cursor = piece_end
    return pieces


def chunk_article(
    article: Article,
    max_tokens: int = DEFAULT_CHUNK_TOKENS,
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``max_tokens``, overlapping by
    up to ``overlap_tokens`` worth of trailing sentences."""
    text = article.text
    units: list[tuple[int, int, int]] = []
    for start, end in sentence_spans(text):
        n = count_tokens(text[start:end])
        units.extend(_split_long(text, start, end, max_tokens) if n > max_tokens else [(start, end, n)])
    windows: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    for unit in units:
        if current and sum(u[2] for u in current) + unit[2] > max_tokens:
            windows.append(current)
            current = _overlap_tail(current, overlap_tokens, max_tokens - unit[2])
        current.append(unit)
    if current:
        windows.append(current)
    return [_make_chunk(article, window, i) for i, window in enumerate(windows)]


def _overlap_tail(window, overlap_tokens: int, room: int):
    tail, total = [], 0
    for unit in reversed(window[1:]):  # never repeat the whole previous chunk
        if total + unit[2] > min(overlap_tokens, room):
            break
        tail.insert(0, unit)
        total += unit[2]
    return tail


def _make_chunk(article: Article, window, position: int) -> Chunk:
    start, end = window[0][0], window[-1][1]
    return Chunk(
        id=f"{article.doc_id}#{article.content_hash[:12]}#{position}",
        doc_id=article.doc_id,
        text=article.text[start:end],
        start=start,
        end=end,
        position=position,
        n_tokens=sum(u[2] for u in window),
    )
