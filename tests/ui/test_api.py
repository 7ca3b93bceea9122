"""The page's `/chat` endpoint through gradio_client against the real `assistant serve`,
and the upload checks that keep browser-chosen file names inside the uploads folder."""

from __future__ import annotations

import threading

import pytest

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
    only_japan = c.predict("What does ILMU stand for?", "extractive", 3, ["articles/japan-asean-ai-cocreation.md"],
                           api_name="/chat")
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
    from ui.server import _auth

    assert _auth(Settings.load()) is None
    assert _auth(Settings.load(auth_user="ann", auth_password="s3cret")) == ("ann", "s3cret")
    with pytest.raises(ConfigError, match="ASSISTANT_AUTH_PASSWORD"):
        _auth(Settings.load(auth_user="ann"))


def test_first_start_logs_indexing_progress_as_plain_lines(server):
    """The server's output goes to a file here: no progress-bar frames in it."""
    _, data_dir = server
    log = (data_dir.parent / "serve.log").read_text()
    assert "\r" not in log
    assert any(line.startswith("indexing the shipped articles: ") and "(100%" in line for line in log.splitlines()), log
