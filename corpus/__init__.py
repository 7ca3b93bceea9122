"""Articles in, clean documents with metadata out.

The only data type that leaves this package is :class:`Article`; files that
cannot be read are reported as :class:`SkippedFile`, never raised.
"""

from __future__ import annotations

from corpus.cleaning import clean_text
from corpus.loader import LoadResult, load_path, load_paths
from corpus.models import SUPPORTED_SUFFIXES, Article, CorpusError, SkippedFile
from corpus.shipped import SHIPPED_CORPUS

__all__ = [
    "SHIPPED_CORPUS",
    "SUPPORTED_SUFFIXES",
    "Article",
    "CorpusError",
    "LoadResult",
    "SkippedFile",
    "clean_text",
    "load_path",
    "load_paths",
]
