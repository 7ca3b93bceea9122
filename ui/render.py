"""Answers, sources, stats and sync summaries as HTML in which every piece of
article or user text is escaped: the page shows it, the browser never runs it.

Gradio inserts these strings with ``innerHTML`` (the Chatbot after a DOMPurify
pass, ``gr.HTML`` without one), so nothing from an article may reach it
unescaped: not a ``<script>``, not an ``<img onerror>``, not a Markdown link.
"""

from __future__ import annotations

from html import escape

from assistant.answers import Answer, Citation, lead


def text(value: object) -> str:
    """Inert HTML for any text: ``<``, ``>``, ``&`` and quotes escaped, line breaks kept."""
    return escape(str(value), quote=True).replace("\n", "<br>")


def answer_html(answer: Answer) -> str:
    """The chat bubble: the short answer in bold, the answer with its [n] markers, then
    any notes (e.g. a fallback)."""
    notes = "".join(f'<br><em class="note">Note: {text(note)}</em>' for note in answer.notes)
    opening = lead(answer.short_answer) if answer.short_answer else ""
    if opening and answer.text.startswith(opening):
        rest = answer.text[len(opening):]
        return f'<strong class="short-answer">{text(opening[2:-2])}</strong>{text(rest)}{notes}'
    return text(answer.text) + notes


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



def citation_html(c: Citation) -> str:
    meta = [c.date or "undated", c.source or c.doc_id, f"relevance {c.score:.2f}"]
    return (
        f'<div class="source" data-n="{c.n}">'
        f'<div class="source-head"><span class="src-marker">[{c.n}]</span> <span class="src-title">{text(c.title)}</span></div>'
        f'<div class="src-meta">{" · ".join(text(m) for m in meta)}<br><code>{text(c.doc_id)}</code></div>'
        f'<p class="src-passage">{highlighted_passage(c)}</p>'
        "</div>"
    )


def sources_html(answer: Answer | None) -> str:
    """The sources panel for one answer: a card per citation, in marker order."""
    if answer is None:
        return '<div class="sources empty">Sources of the latest answer appear here.</div>'
    # which question these sources belong to, so a reader never matches them to the wrong answer
    head = f'<div class="src-for">For: <q>{text(answer.question)}</q></div>' if answer.question else ""
    if not answer.citations:
        why = "The answer was refused, so it cites nothing." if answer.refused else "This answer cites no passages."
        return f'<div class="sources empty">{head}{why}</div>'
    return f'<div class="sources">{head}' + "".join(citation_html(c) for c in answer.citations) + "</div>"


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


def sync_html(report, rejected: list[dict] | None = None) -> str:
    """What an upload or re-index did; ``report`` is a SyncReport or None (nothing indexed)."""
    lines = []
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
