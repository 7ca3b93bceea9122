"""One reader per file format: bytes in, a :class:`RawDocument` out.

Readers raise :class:`CorpusError` for a file that cannot be an article; the
loader turns that into a skipped-file report.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from corpus.decoding import decode
from corpus.html_text import extract_html
from corpus.models import CorpusError


@dataclass
class RawDocument:
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    warnings: list[str] = field(default_factory=list)


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_BYLINE_DATE = re.compile(rf"^By\b.*?\b((?:{_MONTHS})[a-z]*\.? \d{{1,2}}, \d{{4}})", re.M)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# "KIRKWALL, 14 March 2025 - ..." or "NEW YORK, March 14, 2025 — ...": a place in capitals, a date, a dash
_DATELINE = re.compile(
    r"\A[A-Z][A-Z.'’ -]{1,40}(?:\([^)\n]{1,30}\))?,\s+"
    rf"(\d{{1,2}} (?:{_MONTHS})[a-z]*\.? \d{{4}}|(?:{_MONTHS})[a-z]*\.? \d{{1,2}},? \d{{4}})\s*[-–—]"
)
# a declared source that is a file path (the shipped articles name the seed they came from):
# provenance for us, not a source to show a reader
_FILE_PATH = re.compile(r"\A(?:[/~.]|[A-Za-z]:\\)|\.(?:txt|md|markdown|html?|pdf)\Z", re.I)


def iso_date(value: object) -> str | None:
    """Best-effort ISO date from front matter, HTML meta or a byline."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if match := _ISO_DATE.match(text):
        return match.group(0)
    for fmt in ("%b %d, %Y", "%B %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text.replace("Sept", "Sep"), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def byline_date(text: str) -> str | None:
    """A date given in a "By ... / Oct 21, 2025" byline, the usual scraped form."""
    match = _BYLINE_DATE.search(text)
    return iso_date(match.group(1)) if match else None


def dateline_date(text: str) -> str | None:
    """The date of a leading dateline ("KIRKWALL, 14 March 2025 - ..."), on the first line
    or, below a headline, on the story's first line."""
    title, body = first_line_title(text)
    for start in (text.lstrip(), body.lstrip()) if title else (text.lstrip(),):
        if match := _DATELINE.match(start):
            return iso_date(re.sub(r"(\d)\s+(\d{4})", r"\1, \2", match.group(1).replace(".", "")))
    return None


def declared_source(value: object) -> str | None:
    """A front-matter ``source``/``url`` worth showing: a URL or a publication, not a file path."""
    source = _str(value)
    if source is None or urlsplit(source).scheme in ("http", "https") or source.startswith("www."):
        return source
    return None if _FILE_PATH.search(source) or ("/" in source and " " not in source) else source


def first_line_title(text: str) -> tuple[str | None, str]:
    """The first line, if it reads as a headline: short, followed by more text, and not a
    sentence (no closing full stop, comma, colon or semicolon), a byline ("By ...") or a
    bare date. The BBC layout (headline, blank line, story) and a headline typed straight
    above the story both qualify; a story whose first line is its opening sentence does
    not. Short: BBC headlines have 3 to 9 words (52 characters at most); 15 words and 120
    characters leave room for wordier outlets."""
    head, sep, rest = text.lstrip().partition("\n")
    head = head.strip().lstrip("#").strip()
    if not sep or not rest.strip() or not 0 < len(head) <= 120 or len(head.split()) > 15:
        return None, text
    if head.rstrip("\"'”’)").endswith((".", ",", ":", ";")) or head.startswith("By ") or iso_date(head):
        return None, text
    return head, rest


def opening_words(text: str, limit: int = 70) -> str | None:
    """A title for an article without one: its first words, cut at a word boundary
    within ``limit`` characters ("The bustling conference hall in Singapore fell …")."""
    words = text.strip().partition("\n")[0].split()
    if not words:
        return None
    title = ""
    for word in words:
        if len(title) + len(word) + 1 > limit:
            return (title.rstrip(",;:—–-") or word[:limit]) + "…"
        title = f"{title} {word}".strip()
    return title.rstrip(".")


def read_text(data: bytes) -> RawDocument:
    text, warnings = decode(data)
    title, _ = first_line_title(text)
    return RawDocument(text=text, title=title, date=byline_date(text) or dateline_date(text), warnings=warnings)


def read_markdown(data: bytes) -> RawDocument:
    text, warnings = decode(data)
    meta: dict = {}
    if match := _FRONT_MATTER.match(text.lstrip("\ufeff")):
        import yaml  # only Markdown with front matter pays for it

        try:
            loaded = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise CorpusError(f"front matter is not valid YAML ({exc.__class__.__name__}); fix or remove it") from exc
        meta = loaded if isinstance(loaded, dict) else {}
        text = text.lstrip("\ufeff")[match.end() :]
    heading = re.search(r"^#\s+(.+)$", text, re.M)
    return RawDocument(
        text=text,
        title=_str(meta.get("title")) or (heading.group(1).strip() if heading else None),
        date=iso_date(meta.get("date")) or byline_date(text) or dateline_date(text),
        source=declared_source(meta.get("url")) or declared_source(meta.get("source")),
        author=_str(meta.get("author")),
        warnings=warnings,
    )


def read_html(data: bytes) -> RawDocument:
    html, warnings = decode(data)
    page = extract_html(html)
    return RawDocument(
        text=page.text,
        title=page.title,
        date=iso_date(page.date) or byline_date(page.text),
        source=page.url,
        author=page.author,
        warnings=warnings,
    )


def read_pdf(data: bytes) -> RawDocument:
    from pypdf import PdfReader  # heavy; only PDFs pay for it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CorpusError("encrypted PDF; save an unencrypted copy and index that")
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
        info = reader.metadata or {}
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"unreadable PDF ({exc}); check that it opens in a PDF viewer") from exc
    return RawDocument(
        text=text,
        title=_str(info.get("/Title")),
        date=_pdf_date(info.get("/CreationDate")),
        author=_str(info.get("/Author")),
    )


def _pdf_date(value: object) -> str | None:
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(value or ""))
    return "-".join(match.groups()) if match else None


def _str(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


READERS = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
}


def reader_for(path: Path):
    try:
        return READERS[path.suffix.lower()]
    except KeyError:
        raise CorpusError(
            f"unsupported file type '{path.suffix or '(none)'}'; use one of {', '.join(sorted(READERS))}"
        ) from None
