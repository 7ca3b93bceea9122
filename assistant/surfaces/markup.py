"""Questions arrive from browsers and API clients as text that may hold markup: a pasted
``<b>``, an ``<script>alert(1)</script>`` typed to test the page. Markup is not part of the
question, so the surfaces drop it before asking (the engine answers words, not tags)."""

from __future__ import annotations

import re

# an element whose content is code, not words, goes whole; any other tag leaves its text
_CODE = re.compile(r"<(script|style|template)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--.*?(?:-->|\Z)", re.S)


def plain_question(text: str | None) -> str:
    """``text`` without HTML tags (and without script/style elements' content)."""
    return " ".join(_TAG.sub(" ", _CODE.sub(" ", text or "")).split())
