"""Every accepted input format, and every kind of bad file."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from corpus import load_path
from tests.conftest import BBC, SHARED

STORY = "The minister announced a fund of $40 million for rural clinics. " * 5


def load(folder: Path, **kwargs):
    return load_path(folder, lambda root: "t", **kwargs)


def one(folder: Path):
    result = load(folder)
    assert not result.skipped, result.skipped
    (article,) = result.articles
    return article


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a text stream, assembled by hand (no writer library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_txt_headline_becomes_title(tmp_path):
    (tmp_path / "a.txt").write_text("Ad sales boost profit\n\n" + STORY)
    article = one(tmp_path)
    assert article.title == "Ad sales boost profit"
    assert article.doc_id == "t/a.txt" and "$40 million" in article.text


def test_markdown_front_matter(tmp_path):
    (tmp_path / "n.md").write_text(
        "---\ntitle: Clinics funded\ndate: 2024-03-05\nurl: https://example.org/x\nauthor: A. Writer\n---\n# Heading\n\n"
        + STORY
    )
    article = one(tmp_path)
    assert (article.title, article.date, article.source, article.author) == (
        "Clinics funded",
        "2024-03-05",
        "https://example.org/x",
        "A. Writer",
    )
    assert "title:" not in article.text


def test_html_main_text_without_scripts_or_navigation(tmp_path):
    (tmp_path / "p.html").write_text(
        "<html><head><title>Clinic fund</title><meta property='article:published_time' content='2024-05-01T10:00'>"
        "<script>var tracking = 1;</script><style>p{}</style></head><body>"
        "<nav>Home | World | Sport</nav><header>Site header</header>"
        f"<article><h1>Clinic fund</h1><p>{STORY}</p><p>Second &amp; last paragraph.</p></article>"
        "<footer>Copyright</footer><script>alert(1)</script></body></html>"
    )
    article = one(tmp_path)
    assert article.title == "Clinic fund" and article.date == "2024-05-01"
    assert "$40 million" in article.text and "Second & last paragraph." in article.text
    for junk in ("tracking", "alert", "Home | World", "Site header", "Copyright", "p{}"):
        assert junk not in article.text


def test_pdf_text_is_extracted(tmp_path):
    (tmp_path / "r.pdf").write_bytes(minimal_pdf("Quarterly clinic funding rose to 40 million dollars."))
    article = one(tmp_path)
    assert "clinic funding rose" in article.text


def test_folder_is_read_recursively_with_relative_ids(tmp_path):
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "x" / "y" / "deep.md").write_text(STORY)
    (tmp_path / "top.txt").write_text(STORY)
    ids = sorted(a.doc_id for a in load(tmp_path).articles)
    assert ids == ["t/top.txt", "t/x/y/deep.md"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"   \n\n\t \n", "no text"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 20, "binary"),
        ("latin.txt", ("caf\xe9 " * 200).encode("latin-1"), "not UTF-8"),
        ("corrupt.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("image.png", b"whatever", "unsupported"),
        ("bad-utf16.txt", codecs.BOM_UTF16_LE + b"\x00\xd8", "utf-16"),
    ],
)
def test_bad_files_are_skipped_with_a_reason_and_the_rest_indexed(tmp_path, name, content, reason):
    (tmp_path / "good.txt").write_text(STORY)
    (tmp_path / name).write_bytes(content)
    result = load(tmp_path)
    assert [a.doc_id for a in result.articles] == ["t/good.txt"]
    (skipped,) = result.skipped
    assert skipped.path.endswith(name) and reason.lower() in skipped.reason.lower()


def test_oversized_file_is_skipped(tmp_path):
    (tmp_path / "big.txt").write_text(STORY * 100)
    (tmp_path / "ok.txt").write_text(STORY)
    result = load(tmp_path, max_bytes=10_000)
    assert [a.doc_id for a in result.articles] == ["t/ok.txt"]
    assert "too large" in result.skipped[0].reason


def test_encrypted_pdf_is_skipped(tmp_path):
    from pypdf import PdfReader, PdfWriter

    (tmp_path / "plain.pdf").write_bytes(minimal_pdf("Secret clinic numbers."))
    writer = PdfWriter()
    writer.append(PdfReader(tmp_path / "plain.pdf"))
    writer.encrypt("pw")
    (tmp_path / "plain.pdf").unlink()
    with open(tmp_path / "locked.pdf", "wb") as handle:
        writer.write(handle)
    result = load(tmp_path)
    assert not result.articles and "encrypted" in result.skipped[0].reason


def test_utf16_with_bom_is_read(tmp_path):
    (tmp_path / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + STORY.encode("utf-16-le"))
    assert "$40 million" in one(tmp_path).text


def test_few_invalid_bytes_are_replaced_with_a_warning():
    """The one BBC file that is not valid UTF-8 is kept, with a warning, not dropped."""
    bad = []
    for path in sorted(BBC.rglob("*.txt")):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            bad.append(path)
    assert len(bad) == 1
    result = load_path(bad[0], lambda root: "bbc")
    (article,) = result.articles
    assert article.warnings and "replaced" in article.warnings[0]


def test_symlink_pointing_outside_the_folder_is_skipped(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(STORY)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(STORY)
    os.symlink(outside, corpus / "link.txt")
    result = load(corpus)
    assert [a.doc_id for a in result.articles] == ["t/ok.txt"]
    assert "outside" in result.skipped[0].reason


def test_txt_without_headline_is_titled_by_its_opening_words(tmp_path):
    """The seed as a user would upload it: its first line is a long opening sentence."""
    (tmp_path / "000_9b1b4d3814f511aa.txt").write_bytes((SHARED / "seeds" / "000_9b1b4d3814f511aa.txt").read_bytes())
    article = one(tmp_path)

    assert article.doc_id == "t/000_9b1b4d3814f511aa.txt"  # the file name stays in the id
    assert "9b1b4d" not in article.title and article.title.endswith("…") and len(article.title) <= 71
    opening = article.title.removesuffix("…")
    assert article.text.startswith(opening) and article.text[len(opening)] == " "  # cut between words


@pytest.mark.parametrize(
    ("first_line", "headline"),
    [
        ("Ad sales boost profit", True),  # typed straight above the story, no blank line
        ("Is this the end of cheap flights?", True),
        ("The minister spoke.", False),  # a sentence
        ("By Jane Reporter", False),  # a byline
        ("Oct 21, 2025", False),  # a date
        ("The council approved the bridge after a debate that lasted well into the night and beyond it", False),
    ],
)
def test_what_counts_as_a_headline(first_line, headline):
    from corpus.readers import first_line_title

    assert first_line_title(f"{first_line}\n{STORY}")[0] == (first_line if headline else None)


@pytest.mark.parametrize(
    "opening",
    [
        "KIRKWALL, 14 March 2025 - ",
        "Ferry timetable changes\n\nKIRKWALL, 14 March 2025 – ",  # below a headline
        "NEW YORK, March 14, 2025 — ",
    ],
)
def test_a_leading_dateline_is_the_date_of_a_txt_article(tmp_path, opening):
    (tmp_path / "a.txt").write_text(opening + STORY)
    assert one(tmp_path).date == "2025-03-14"


def test_a_date_later_in_the_story_is_not_a_dateline(tmp_path):
    (tmp_path / "a.txt").write_text("The council met on 14 March 2025 - and agreed. " + STORY)
    assert one(tmp_path).date is None


def test_a_front_matter_date_wins_over_a_dateline(tmp_path):
    (tmp_path / "a.md").write_text("---\ndate: 2024-01-02\n---\nKIRKWALL, 14 March 2025 - " + STORY)
    assert one(tmp_path).date == "2024-01-02"


@pytest.mark.parametrize(
    "declared, shown",
    [
        ("source: shared/seeds/000_9b1b4d3814f511aa.txt", ""),  # where the text came from: a path, not a source
        ("source: /home/someone/news/a.txt", ""),
        ("url: https://example.org/story", "https://example.org/story"),
        ("source: BBC News", "BBC News"),
    ],
)
def test_a_declared_source_is_shown_only_when_it_is_not_a_file_path(tmp_path, declared, shown):
    from assistant.core.answer import shown_source

    (tmp_path / "a.md").write_text(f"---\ntitle: T\n{declared}\n---\n" + STORY)
    assert shown_source(one(tmp_path).source) == shown


def test_the_shipped_articles_cite_no_repository_path():
    from assistant.core.answer import shown_source
    from corpus.shipped import SHIPPED_CORPUS

    articles = load_path(SHIPPED_CORPUS, lambda root: "articles").articles
    assert articles and all(shown_source(a.source) == "" for a in articles)
