"""Questions keep being answered while another process indexes, and the new
article is answerable afterwards (embedded store and Chroma server)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading

import pytest

from tests.conftest import BBC, ROOT

NEW = "---\ntitle: Zorblax Accord\ndate: 2026-01-05\n---\nThe Zorblax Accord was signed in Reykjavik in 2031 by fourteen coastal nations.\n"


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_queries_keep_working_while_another_process_indexes(tmp_path, embedder, mode, request):
    from assistant import Assistant, Settings

    url = request.getfixturevalue("chroma_server") if mode == "server" else None
    data = tmp_path / "data"
    bot = Assistant(Settings.load(data_dir=data, chroma_url=url), embedder=embedder)
    bot.sync()
    folder = tmp_path / "incoming"
    folder.mkdir()
    for src in sorted((BBC / "tech").glob("*.txt"))[:25]:
        shutil.copy(src, folder / src.name)
    (folder / "zorblax.md").write_text(NEW)

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), **({"ASSISTANT_CHROMA_URL": url} if url else {})}
    indexer = subprocess.Popen([sys.executable, "-m", "assistant", "index", str(folder)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    answered, errors = 0, []
    stop = threading.Event()

    def ask_loop():
        nonlocal answered
        chat = bot.conversation()
        while not stop.is_set():
            try:
                chat.ask("What does ILMU stand for?")
                answered += 1
            except Exception as exc:  # any error here is a failure
                errors.append(repr(exc))

    worker = threading.Thread(target=ask_loop)
    worker.start()
    try:
        _, stderr = indexer.communicate(timeout=300)
    finally:
        stop.set()
        worker.join(60)
    assert indexer.returncode == 0, stderr[-2000:]
    assert not errors, errors[:3]
    assert answered >= 3
    import time

    time.sleep(1.1)  # the retriever re-checks the collection version at most once a second
    answer = bot.ask("Where was the Zorblax Accord signed?")
    assert "Reykjavik" in answer.text, answer.text
