"""Answers, sources, stats and sync summaries as HTML in which every piece of
article or user text is escaped: the page shows it, the browser never runs it.

Gradio inserts these strings with ``innerHTML`` (the Chatbot after a DOMPurify
pass, ``gr.HTML`` without one), so nothing from an article may reach it
unescaped: not a ``<script>``, not an ``<img onerror>``, not a Markdown link.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from assistant.core.answer import Answer, Citation, lead

_MARKER = re.compile(r"\[(\d+)\]")
_BOLD = re.compile(r"\*\*([^*<]{1,200}?)\*\*")  # Markdown bold, on escaped text


def text(value: object) -> str:
    """Inert HTML for any text: ``<``, ``>``, ``&`` and quotes escaped, line breaks kept."""
    return escape(str(value), quote=True).replace("\n", "<br>")


def answer_html(answer: Answer, turn: int | None = None) -> str:
    """The chat bubble: the short answer in bold, the answer with its [n] markers, then
    any notes (e.g. a fallback, or what a refusal searched). With ``turn`` (the answer's
    place in the conversation) each marker links to its passage in the sources panel."""
    notes = "".join(f'<br><em class="note">Note: {text(note)}</em>' for note in answer.shown_notes())
    opening = lead(answer.short_answer) if answer.short_answer else ""
    if opening and answer.text.startswith(opening):
        body = f'<strong class="short-answer">{text(opening[2:-2])}</strong>{text(answer.text[len(opening) :])}'
    else:
        body = text(answer.text)
    body = _BOLD.sub(r'<strong class="group">\1</strong>', body)  # a comparison's side, an overview's article
    return (_link_markers(body, answer, turn) if turn is not None else body) + notes


def _link_markers(html: str, answer: Answer, turn: int) -> str:
    """``[n]`` for a cited passage becomes a link to card ``src-<turn>-<n>`` (ui/app.py's
    script shows it, in a drawer on a phone); other bracketed numbers stay text."""
    cited = {c.n for c in answer.citations}

    def link(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in cited:
            return match.group(0)
        return f'<a class="cite" href="#src-{turn}-{n}" title="Show passage [{n}]">[{n}]</a>'

    return _MARKER.sub(link, html)


def error_html(message: str) -> str:
    return f'<span class="error">Could not answer:</span> {text(message)}'


def highlighted_passage(citation: Citation) -> str:
    """The passage with the supporting sentence marked (offsets are document offsets)."""
    passage, quote = citation.text, citation.quote
    at = citation.quote_start - citation.start
    if not quote or passage[at : at + len(quote)] != quote:
        at = passage.find(quote) if quote else -1
    if at < 0:
        return text(passage)
    end = at + len(quote)
    return f"{text(passage[:at])}<mark>{_with_short_answer(citation, quote)}</mark>{text(passage[end:])}"


def _with_short_answer(citation: Citation, quote: str) -> str:
    """The quote, with the short answer inside it in bold (offsets are document offsets)."""
    lo, hi = citation.answer_start - citation.quote_start, citation.answer_end - citation.quote_start
    if not 0 <= lo < hi <= len(quote):
        return text(quote)
    return f'{text(quote[:lo])}<strong class="short-answer">{text(quote[lo:hi])}</strong>{text(quote[hi:])}'


def source_html(source: str) -> str:
    """An http(s) source as a link that opens apart from the page; any other declared
    source as text. Local file paths never get here (see assistant.core.answer.shown_source)."""
    if urlsplit(source).scheme in ("http", "https"):
        url = escape(source, quote=True)
        return f'<a class="src-link" href="{url}" target="_blank" rel="noopener noreferrer nofollow">{url}</a>'
    return text(source)


def citation_html(c: Citation, turn: int = 0) -> str:
    """One card: title, document id, date (if known), the article's source (a link when it is a URL),
    relevance, and the passage with its supporting sentence marked."""
    meta = [f"<code>{text(c.doc_id)}</code>", *([text(c.date)] if c.date else [])]  # no date: nothing to say
    meta += [source_html(c.source)] if c.source else []
    meta.append(f"relevance {c.score:.2f}")
    return (
        f'<div class="source" id="src-{turn}-{c.n}" data-n="{c.n}">'
        f'<div class="source-head"><span class="src-marker">[{c.n}]</span> <span class="src-title">{text(c.title)}</span></div>'
        f'<div class="src-meta">{" · ".join(meta)}</div>'
        f'<p class="src-passage">{highlighted_passage(c)}</p>'
        "</div>"
    )


EMPTY = (
    '<div class="sources empty">Sources appear here. Click a marker like [1] in any answer to see its passage.</div>'
)


def sources_html(answer: Answer | None, turn: int = 0) -> str:
    """The sources of one answer: a card per citation, in marker order."""
    if answer is None:
        return EMPTY
    return f'<div class="sources">{_turn_html(answer, turn, current=True)}</div>'


def sources_panel(answers: list[Answer]) -> str:
    """The sources of every answer of the conversation, one section each; the latest shows,
    and clicking a marker in an older answer shows that answer's section."""
    if not answers:
        return EMPTY
    last = len(answers) - 1
    return '<div class="sources">' + "".join(_turn_html(a, t, t == last) for t, a in enumerate(answers)) + "</div>"


def _turn_html(answer: Answer, turn: int, current: bool) -> str:
    # which question these sources belong to, so a reader never matches them to the wrong answer
    head = f'<div class="src-for">For: <q>{text(answer.question)}</q></div>' if answer.question else ""
    if answer.citations:
        body = "".join(citation_html(c, turn) for c in answer.citations)
    else:
        why = "The answer was refused, so it cites nothing." if answer.refused else "This answer cites no passages."
        body = f'<div class="empty">{why}</div>'
    shown = ' class="turn current"' if current else ' class="turn" hidden'
    return f'<section{shown} data-turn="{turn}">{head}{body}</section>'


STATUS_FIELDS = (
    ("documents", "Documents"),
    ("chunks", "Chunks"),
    ("last_indexed", "Last indexed"),
    ("embedder", "Embedder"),
    ("backend", "Default backend"),
)


def status_html(status: dict) -> str:
    rows = "".join(
        f"<tr><th>{label}</th><td>{text(status.get(key) if status.get(key) is not None else 'never')}</td></tr>"
        for key, label in STATUS_FIELDS
    )
    return f'<table class="stats">{rows}</table>'


def sync_html(report, rejected: list[dict] | None = None, articles: list[dict] | None = None) -> str:
    """What an upload or re-index did; ``report`` is a SyncReport or None (nothing indexed);
    ``articles`` the uploaded articles now in the index (title, chunks)."""
    lines = [
        f"Indexed “{text(a['title'])}” ({a['chunks']} chunk{'s' if a['chunks'] != 1 else ''}): you can ask about it now."
        for a in articles or []
    ]
    if report is not None:
        lines.append(
            f"Added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
            f"removed {report.removed}; {report.chunks_embedded} chunks embedded in {report.seconds:.1f} s."
        )
    skipped = [*(rejected or []), *(report.skipped if report is not None else [])]
    lines += [f"Skipped {text(s['path'])}: {text(s['reason'])}" for s in skipped]
    if report is not None:
        lines += [f"Warning for {text(w['path'])}: {text(w['warning'])}" for w in report.warnings]
    return '<div class="sync-summary">' + "<br>".join(lines or ["Nothing to index."]) + "</div>"
