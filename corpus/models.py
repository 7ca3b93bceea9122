"""The corpus package's boundary types."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a news article is kilobytes; 20 MB is a runaway export


class CorpusError(Exception):
    """A file cannot become an article; the message says why and what to do."""


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to be chunked.

    ``doc_id`` is ``<root label>/<path relative to the indexed root>``: stable
    across runs and unique across roots. ``content_hash`` covers the cleaned
    text and the metadata, so editing either one re-indexes the article.
    """

    doc_id: str
    root: str
    path: str
    title: str
    text: str
    date: str | None = None
    source: str = ""
    author: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (self.text, self.title, self.date or "", self.source, self.author or ""):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class SkippedFile:
    """A file that was not indexed, with the reason in words a user can act on."""

    path: str
    reason: str
