"""Upload checks: browser-chosen file names never escape the uploads folder."""

from __future__ import annotations

import pytest

from corpus.uploads import UploadError, safe_name, save_upload, save_uploads


@pytest.mark.parametrize(
    "name, stored",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/etc/cron.d/evil.md", "evil.md"),
        ("..\\..\\windows\\win.ini.html", "win.ini.html"),
        ("../.hidden.md", "hidden.md"),
        ("my article (final) é.PDF", "my-article-final.pdf"),
        ("a" * 300 + ".txt", "a" * 116 + ".txt"),
    ],
)
def test_safe_name_keeps_only_a_clean_base_name(name, stored):
    assert safe_name(name) == stored


@pytest.mark.parametrize("name", ["../../etc/passwd", "report.exe", "notes.docx", "..", "", "archive.md.zip"])
def test_safe_name_rejects_unsupported_types(name):
    with pytest.raises(UploadError, match="unsupported file type"):
        safe_name(name)


def test_save_upload_stays_inside_the_uploads_folder(tmp_path):
    source = tmp_path / "tmp-upload"
    source.write_text("# Title\n\nBody.")
    folder = tmp_path / "data" / "uploads"

    for name in ("../../escape.md", str(tmp_path / "abs.md"), "sub/dir/nested.md"):
        saved = save_upload(source, name, folder, max_bytes=1000)
        assert saved.parent == folder.resolve() and saved.read_text() == "# Title\n\nBody."
    assert sorted(p.name for p in folder.iterdir()) == ["abs.md", "escape.md", "nested.md"]
    assert not (tmp_path / "escape.md").exists()


def test_too_large_and_bad_uploads_are_reported_not_saved(tmp_path):
    small, big = tmp_path / "small", tmp_path / "big"
    small.write_text("fine")
    big.write_bytes(b"x" * 2048)
    folder = tmp_path / "uploads"

    saved, rejected = save_uploads(
        [(small, "ok.txt"), (big, "huge.md"), (small, "../../run.sh")], folder, max_bytes=1024
    )

    assert [p.name for p in saved] == ["ok.txt"]
    assert [r["path"] for r in rejected] == ["huge.md", "run.sh"]
    assert "larger than the" in rejected[0]["reason"] and "ASSISTANT_UPLOAD_MAX_MB" in rejected[0]["reason"]
    assert "unsupported file type '.sh'" in rejected[1]["reason"]
    assert sorted(p.name for p in folder.iterdir()) == ["ok.txt"]
