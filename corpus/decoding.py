"""Bytes to text: BOM-aware, strict UTF-8 first, a warned fallback second."""

from __future__ import annotations

import codecs

from corpus.models import CorpusError

# Up to this share of undecodable bytes we keep the article and replace them
# (one stray Latin-1 "£" should not cost a user a whole article); above it the
# file is in some other encoding and replacement would index garbage.
MAX_BAD_BYTE_SHARE = 0.01

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first 8 KiB mean a binary file (UTF-16 is caught by its BOM first)."""
    return b"\x00" in data[:8192]


def decode(data: bytes) -> tuple[str, list[str]]:
    """Decode article bytes; returns the text and any warnings."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError as exc:
                raise CorpusError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding}: {exc.reason}"
                ) from exc
    if looks_binary(data):
        raise CorpusError("binary file (contains NUL bytes); only text, Markdown, HTML and PDF articles are indexed")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(1, MAX_BAD_BYTE_SHARE * len(data)):
        raise CorpusError(
            f"not UTF-8 text ({bad} undecodable bytes); re-save it as UTF-8 "
            "(e.g. `iconv -f latin1 -t utf-8`) and index it again"
        )
    return text, [f"{bad} byte(s) were not valid UTF-8 and were replaced with '\ufffd'"]
