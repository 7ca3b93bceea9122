"""What the page says about an upload, through its real handler and a real index: each
article added by its title, each refused file by the name it was uploaded as."""

from __future__ import annotations

import re

import pytest

STORY = "KIRKWALL, 14 March 2025 - The Orkney ferry timetable changes on Monday, the council said. " * 3


@pytest.fixture
def handlers(embedder):
    from assistant import Assistant, Settings
    from ui.handlers import Handlers

    return Handlers(Assistant(Settings.load(), embedder=embedder))


def browser_temp(tmp_path, name: str, data: bytes):
    """As Gradio hands over an upload: the user's file name inside a server temporary folder."""
    folder = tmp_path / "gradio-tmp" / "3f9a1c"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return str(folder / name)


def test_an_upload_names_the_article_it_added_and_says_it_can_be_asked(handlers, tmp_path):
    article = browser_temp(tmp_path, "ferries.md", f"# Orkney ferry timetable changes\n\n{STORY}".encode())
    summary = handlers.upload([article], progress=lambda *a, **k: None)[0]
    assert "Orkney ferry timetable changes" in summary and re.search(r"\d+ chunks?\)", summary)
    assert "ask about it" in summary


def test_a_refused_upload_is_named_as_uploaded_without_a_server_path(handlers, tmp_path, isolated_env):
    binary = browser_temp(tmp_path, "scan.txt", b"\x00\x01\x02 not text")
    summary = handlers.upload([binary], progress=lambda *a, **k: None)[0]
    assert "scan.txt" in summary and "binary" in summary
    assert str(tmp_path) not in summary and "/uploads/" not in summary
    assert not list((isolated_env / "uploads").glob("scan*"))  # not kept to be reported again
