"""Option values as a user types them, checked by the CLI's argparse ``type=`` functions:
a malformed one is a one-line usage error that shows an accepted form (exit status 2)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

DATE_FORM = "a date such as 2025-03-14, today, yesterday, last week, or a span back from today such as 7d or 2w"
_SPAN = re.compile(r"^(\d{1,5})\s*(d|days?|w|weeks?)$")
_NAMED = {"today": 0, "yesterday": 1, "last week": 7}


def date_value(text: str) -> str:
    """An ISO date (YYYY-MM-DD) from what a user typed: a date, a named day, or a span back from today."""
    said = " ".join(text.strip().lower().split())
    if said in _NAMED:
        return _days_ago(_NAMED[said])
    span = _SPAN.match(said)
    if span:
        days = int(span.group(1)) * (7 if span.group(2).startswith("w") else 1)
        return _days_ago(days)
    try:
        return dt.date.fromisoformat(said).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; give {DATE_FORM}") from None


def _days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def passages_count(text: str) -> int:
    """-k: how many passages, a whole number from 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of passages; give a whole number such as 5")
    return int(text)


def port_number(text: str) -> int:
    """--port: 0 (any free port) to 65535."""
    if not text.strip().isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a port; give a number from 1 to 65535 such as 7860 (0: any free port)"
        )
    return int(text)


def seconds(text: str) -> float:
    """--wait: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds; give one such as 30 or 2.5")
    return value


def user_path(text: str) -> Path:
    """A path as a user means it: "~" is their home, a relative path is from here."""
    if not text.strip() or "\0" in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a path; give a file or folder such as ~/articles")
    try:
        return Path(text).expanduser().resolve()
    except (RuntimeError, OSError, ValueError) as exc:  # an unknown ~user, a symlink loop
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a usable path ({exc}); give one such as ~/articles"
        ) from None


class Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line: ``error: ...``, and exit status 2."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")
