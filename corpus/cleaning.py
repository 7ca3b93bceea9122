"""Text normalisation and boilerplate removal shared by every reader."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# A line seen this many times in one article is scraped furniture (bylines,
# share buttons, "Advertisement"), not prose: real sentences do not repeat.
REPEAT_THRESHOLD = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_TABLE_OR_RULE = re.compile(r"^[\s|:\-=*_#+]*$")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Unicode NFC, Unix newlines, no control characters, no trailing spaces."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text.replace("\t", " "))
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def drop_repeated_lines(text: str, threshold: int = REPEAT_THRESHOLD) -> tuple[str, list[str]]:
    """Remove every copy of a line repeated ``threshold`` times or more.

    Markdown table rules (``|---|---|``) and blank lines are never dropped, so a
    table survives. Returns the text and the distinct lines dropped.
    """
    counts = Counter(line.strip() for line in text.split("\n"))
    repeated = {line for line, n in counts.items() if n >= threshold and line and not _TABLE_OR_RULE.match(line)}
    if not repeated:
        return text, []
    kept = [line for line in text.split("\n") if line.strip() not in repeated]
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip(), sorted(repeated)


def clean_text(text: str) -> str:
    """Normalise and strip repeated boilerplate: the text every reader hands on."""
    cleaned, _ = drop_repeated_lines(normalise(text))
    return cleaned
