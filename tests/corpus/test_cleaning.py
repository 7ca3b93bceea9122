from __future__ import annotations

from corpus import SHIPPED_CORPUS, clean_text, load_path
from tests.conftest import SEEDS


def _shipped():
    return {a.doc_id.split("/")[-1]: a for a in load_path(SHIPPED_CORPUS, lambda root: "articles").articles}


def test_repeated_byline_is_dropped_and_article_kept():
    raw = (SEEDS / "000_9b1b4d3814f511aa.txt").read_text()
    assert raw.count("By /Oct 21, 2025") == 20
    cleaned = clean_text(raw)
    assert "By /Oct 21, 2025" not in cleaned
    assert cleaned.startswith("The bustling conference hall in Singapore")
    assert cleaned.endswith("the future shape of the global digital economy.")


def test_markdown_table_survives_cleaning_intact():
    raw = (SEEDS / "004_54911d1fff5e8421.txt").read_text()
    table = [line for line in raw.splitlines() if line.startswith("|")]
    assert len(table) == 6
    cleaned = clean_text(raw)
    assert "\n".join(table) in cleaned


def test_repeated_table_rules_and_short_repeats_below_threshold_are_kept():
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n\n| e | f |\n|---|---|\nSame line\nSame line\n"
    cleaned = clean_text(text)
    assert cleaned.count("|---|---|") == 3
    assert cleaned.count("Same line") == 2


def test_normalisation_removes_control_characters_and_crlf():
    assert clean_text("Hello\r\nworld\x00\x07 \t\n\n\n\nEnd") == "Hello\nworld\n\nEnd"


def test_shipped_articles_have_metadata():
    shipped = _shipped()
    us = shipped["asean-us-ai-partnership.md"]
    japan = shipped["japan-asean-ai-cocreation.md"]
    assert us.date == "2025-10-21" and "ASEAN" in us.title
    assert japan.date is None and "Japan" in japan.title
    assert "By /Oct" not in us.text and "| Feature |" in japan.text
