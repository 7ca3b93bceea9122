"""Where the shipped articles live (inside the package, so an install carries them)."""

from __future__ import annotations

from pathlib import Path

SHIPPED_CORPUS = Path(__file__).resolve().parent / "articles"
