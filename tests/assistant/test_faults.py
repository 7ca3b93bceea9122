"""Faults: LLM servers that refuse, hang, talk nonsense or cut the stream; a Chroma
server that goes away and comes back; indexing that cannot write."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.errors import BackendError
from index import StoreUnavailableError
from index.mirror import GENERATION_CHECK_SECONDS
from tests.conftest import ROOT, free_port, wait_for_http

QUESTION = "What does ILMU stand for?"


def _chunk(text: str, finish: str | None = None) -> bytes:
    body = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class FaultyLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that misbehaves as server.mode says."""

    def do_POST(self):  # noqa: N802 (http.server API)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.server.mode
        if mode == "hang":
            time.sleep(30)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if mode == "malformed":
            self.wfile.write(b"data: {not json at all\n\n")
        elif mode == "cut":
            self.wfile.write(_chunk("ILMU stands for Intelek Luhur"))
            self.wfile.flush()  # then close without finish_reason or [DONE]
        else:
            self.wfile.write(_chunk("ILMU stands for Intelek Luhur Malaysia Untukmu [1]."))
            self.wfile.write(_chunk("", "stop") + b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def faulty_llm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultyLLM)
    server.daemon_threads = True
    server.mode = "ok"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.mark.parametrize(("mode", "message"), [("hang", "did not answer within"), ("malformed", "malformed"),
                                               ("cut", "cut the answer off")])
def test_llm_faults_are_named_and_bounded_and_fall_back(bot, faulty_llm, mode, message):
    faulty_llm.mode = mode
    url = f"http://127.0.0.1:{faulty_llm.server_address[1]}/v1"
    strict = bot(backend="openai", llm_url=url, llm_timeout=2, fallback_to_extractive=False)
    started = time.monotonic()
    with pytest.raises(BackendError, match=message) as caught:
        strict.ask(QUESTION)
    assert url in str(caught.value) and "openai backend" in str(caught.value)
    assert time.monotonic() - started < 15  # no hung request
    answer = bot(backend="openai", llm_url=url, llm_timeout=2).ask(QUESTION)
    assert "Intelek Luhur" in answer.text and answer.citations and "Answered extractively" in answer.notes[-1]


def test_a_well_behaved_stream_is_grounded(bot, faulty_llm):
    url = f"http://127.0.0.1:{faulty_llm.server_address[1]}/v1"
    answer = bot(backend="openai", llm_url=url).ask(QUESTION)
    assert answer.backend == "openai" and answer.text.startswith("ILMU stands for Intelek Luhur Malaysia Untukmu")
    assert "Untukmu" in answer.citations[0].text


def _chroma(path: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(path), "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc=proc)
    return proc


def test_chroma_server_stopped_mid_conversation_then_back(tmp_path, embedder):
    from assistant import Assistant, Settings

    port = free_port()
    server = _chroma(tmp_path / "chroma", port)
    try:
        bot = Assistant(Settings.load(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}"), embedder=embedder)
        bot.sync()
        chat = bot.conversation()
        assert not chat.ask("What did Japan and Cambodia agree on?").refused
        server.terminate()
        server.wait(10)
        # questions read an in-memory mirror; the store itself is looked at once a second
        time.sleep(GENERATION_CHECK_SECONDS)
        with pytest.raises(StoreUnavailableError, match=f"127.0.0.1:{port}.*chroma run"):
            chat.ask("Why is it considered important?")
        server = _chroma(tmp_path / "chroma", port)
        answer = chat.ask("Why is it considered important?")  # same objects: no restart
        assert not answer.refused and answer.citations
    finally:
        server.terminate()
        server.wait(10)


def test_indexing_that_cannot_write_fails_clearly_and_keeps_the_index(tmp_path, shipped_dir):
    """A file-size limit makes every write past it fail, like a full disk."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(shipped_dir, data)
    extra = tmp_path / "extra"
    extra.mkdir()
    for i in range(30):
        (extra / f"story-{i}.txt").write_text(f"Story {i}\n\n" + "The harbour authority approved a new pier. " * 400)
    before = sorted(f.stat().st_size for f in data.rglob("*") if f.is_file())
    limit = max(before) + 4096

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([sys.executable, "-m", "assistant", "index", str(extra)], capture_output=True, text=True,
                            timeout=600, env={**os.environ, "ASSISTANT_DATA_DIR": str(data)}, cwd=ROOT,
                            preexec_fn=small_disk)
    assert result.returncode != 0
    assert "error:" in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]
    out = subprocess.run([sys.executable, "-m", "assistant", "ask", QUESTION, "--json"], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "ASSISTANT_DATA_DIR": str(data)}, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Intelek Luhur" in json.loads(out.stdout)["answer"]
