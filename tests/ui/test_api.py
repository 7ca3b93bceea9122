"""The page's `/chat` endpoint through gradio_client against the real `assistant serve`,
and the upload checks that keep browser-chosen file names inside the uploads folder."""

from __future__ import annotations

import threading

import pytest

from ui.uploads import UploadError, safe_name, save_upload, save_uploads

JAPAN = "What did Japan and Cambodia agree on?"
USAID = "How much did USAID commit to AI capacity in Cambodia, Laos and Myanmar?"
FOLLOW_UP = "Why is it considered important?"


@pytest.fixture(scope="module")
def url(server):
    return server[0]


def client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False)


def test_chat_answers_with_citations(url):
    result = client(url).predict(USAID, api_name="/chat")

    assert not result["refused"]
    assert "$50 million" in result["answer"] and "[1]" in result["answer"]
    first = result["citations"][0]
    assert first["n"] == 1 and first["doc_id"] == "articles/asean-us-ai-partnership.md"
    assert first["quote"] in first["text"] and "$50 million" in first["quote"]
    assert {"title", "date", "source", "score", "start", "end"} <= first.keys()


def test_chat_options_and_clear_errors(url):
    from gradio_client.exceptions import AppError

    c = client(url)
    only_japan = c.predict(JAPAN, "extractive", 3, ["articles/japan-asean-ai-cocreation.md"], api_name="/chat")
    assert only_japan["citations"] and all(
        cit["doc_id"] == "articles/japan-asean-ai-cocreation.md" for cit in only_japan["citations"]
    )

    with pytest.raises(AppError, match="the question is empty"):
        c.predict("   ", api_name="/chat")
    with pytest.raises(AppError, match="characters long"):
        c.predict("why " * 1000, api_name="/chat")


def test_two_clients_keep_separate_histories(url):
    """Each client asks its own first question, then the same follow-up at the same time;
    each follow-up is resolved against its own thread."""
    threads = {"japan": (JAPAN, "japan-asean"), "usaid": (USAID, "asean-us")}
    barrier = threading.Barrier(len(threads))
    results: dict[str, dict] = {}
    errors: list[BaseException] = []

    def converse(name: str, first: str) -> None:
        try:
            c = client(url)
            c.predict(first, api_name="/chat")
            barrier.wait(timeout=30)
            results[name] = c.predict(FOLLOW_UP, api_name="/chat")
        except BaseException as exc:  # re-raised in the test thread below
            errors.append(exc)

    workers = [threading.Thread(target=converse, args=(n, q)) for n, (q, _) in threads.items()]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert not errors, errors

    for name, (first, doc) in threads.items():
        follow_up = results[name]
        other = next(q for n, (q, _) in threads.items() if n != name)
        assert first in follow_up["standalone_question"] and other not in follow_up["standalone_question"]
        assert not follow_up["refused"] and follow_up["citations"]
        assert all(doc in c["doc_id"] for c in follow_up["citations"]), (name, follow_up["citations"])


def test_page_password_needs_both_settings():
    from assistant.config import ConfigError, Settings
    from ui.app import _auth

    assert _auth(Settings.load()) is None
    assert _auth(Settings.load(auth_user="ann", auth_password="s3cret")) == ("ann", "s3cret")
    with pytest.raises(ConfigError, match="ASSISTANT_AUTH_PASSWORD"):
        _auth(Settings.load(auth_user="ann"))


# -- uploads -----------------------------------------------------------------
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
