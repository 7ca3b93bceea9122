"""Hostile and malformed articles: each is skipped with a reason or read safely."""

from __future__ import annotations

from pathlib import Path

import corpus.loader
from corpus import load_path
from corpus.models import MAX_FILE_BYTES

STORY = "The port authority approved a new pier after a long debate in the council. " * 5


def load(folder: Path):
    return load_path(folder, lambda root: "t")


def test_a_50_mb_file_is_skipped_by_the_documented_limit_without_reading_it(tmp_path, monkeypatch):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    (tmp_path / "ok.txt").write_text(STORY)
    opened = []
    monkeypatch.setattr(corpus.loader, "open", lambda *a, **k: opened.append(a[0]) or open(*a, **k), raising=False)
    result = load(tmp_path)
    assert [a.doc_id for a in result.articles] == ["t/ok.txt"]
    assert "too large" in result.skipped[0].reason and f"{MAX_FILE_BYTES / 1e6:.0f} MB" in result.skipped[0].reason
    assert huge not in opened


def test_html_iframes_objects_and_event_handlers_are_dropped(tmp_path):
    (tmp_path / "x.html").write_text(
        "<html><body><article><p>" + STORY + "</p>"
        "<iframe src='http://evil.example/'>iframe text</iframe><object data='x.swf'>object text</object>"
        "<p onclick='steal()'>Visible paragraph.</p><script>document.write('x')</script></article></body></html>"
    )
    (article,) = load(tmp_path).articles
    assert "Visible paragraph." in article.text
    for junk in ("iframe text", "object text", "steal", "document.write", "evil.example"):
        assert junk not in article.text


def test_a_file_renamed_away_while_indexing_is_skipped_not_fatal(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY)
    real = corpus.loader._read_bytes

    def rename_first(file: Path, max_bytes: int) -> bytes:
        if file.name == "a.txt":
            file.rename(file.with_name("a-renamed.txt"))
        return real(file, max_bytes)

    monkeypatch.setattr(corpus.loader, "_read_bytes", rename_first)
    result = load(tmp_path)
    assert [a.doc_id for a in result.articles] == ["t/b.txt"]
    assert "cannot be read" in result.skipped[0].reason
