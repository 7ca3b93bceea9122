from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port, skip_or_fail, stop, wait_for_http


def index_articles(articles: dict[str, str], corpus: Path, data: Path, embedder):
    """An assistant over ``articles`` (file name -> text) written into ``corpus`` and indexed
    into ``data``: the small articles tests write for themselves."""
    from assistant import Assistant, Settings

    corpus.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (corpus / name).write_text(text)
    bot = Assistant(Settings.load(data_dir=data), embedder=embedder)
    bot.sync([corpus])
    return bot


@pytest.fixture(scope="session")
def shipped_dir(tmp_path_factory, embedder):
    """An index of the shipped corpus, built once per session; tests only read it."""
    from assistant import Assistant, Settings

    data = tmp_path_factory.mktemp("shipped-index")
    Assistant(Settings.load(data_dir=data), embedder=embedder).sync()
    return data


@pytest.fixture
def bot(shipped_dir, embedder):
    from assistant import Assistant, Settings

    def make(**overrides):
        return Assistant(Settings.load(data_dir=shipped_dir, **overrides), embedder=embedder)

    return make


def smollm2() -> Path:
    try:
        import llama_cpp  # noqa: F401

        from assistant.llm.backends import default_gguf

        path = default_gguf()
    except Exception as exc:  # ImportError or BackendError
        skip_or_fail(f"llama-cpp backend unavailable: {exc}")
    if not path.is_file():
        skip_or_fail(f"{path} missing")
    return path


@pytest.fixture(scope="session")
def openai_server():
    """A real OpenAI-compatible server on loopback: llama.cpp's, serving SmolLM2."""
    model = smollm2()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", timeout=60, proc=proc)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(proc)
