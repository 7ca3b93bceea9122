"""The OpenAI-compatible API through the real ``openai`` package against one real
``assistant serve`` (page password and API key set), and how ``assistant serve`` starts:
its banner, a busy port, a host reachable from other machines."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import ROOT, free_port, serving, stop

KEY = "test-api-key"
USER, PASSWORD = "reader", "page-password"
USAID = "How much did USAID commit to AI capacity in Cambodia, Laos and Myanmar?"
JAPAN = "What did Japan and Cambodia agree on?"
FOLLOW_UP = "Why is it considered important?"
ILMU = "What does ILMU stand for?"
# What the stand-in LLM server says to anything: one supported sentence, one the articles do not support.
GENERATED = "ILMU stands for Intelek Luhur Malaysia Untukmu [1]. The moon is made of green cheese [2]."


class ScriptedLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat server that streams GENERATED word by word."""

    def do_POST(self):  # noqa: N802 (http.server API)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, word in enumerate(GENERATED.split(" ")):
            delta = {"content": word if i == 0 else f" {word}"}
            self.wfile.write(f"data: {json.dumps({'choices': [{'index': 0, 'delta': delta}]})}\n\n".encode())
        done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())

    def log_message(self, *args):
        pass


def _env(data_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k != "OPENAI_API_KEY"}
    env.update(
        ASSISTANT_DATA_DIR=str(data_dir),
        GRADIO_TEMP_DIR=str(data_dir.parent / "gradio-tmp"),
        GRADIO_ANALYTICS_ENABLED="False",
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def llm():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedLLM)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


@pytest.fixture(scope="module")
def served(tmp_path_factory, shipped_dir, llm):
    """(url, data_dir, log path, port) of a running `assistant serve` with a page password and an API key."""
    base = tmp_path_factory.mktemp("api")
    data_dir, log_path = base / "data", base / "serve.log"
    shutil.copytree(shipped_dir, data_dir)
    env = _env(
        data_dir,
        ASSISTANT_API_KEY=KEY,
        ASSISTANT_AUTH_USER=USER,
        ASSISTANT_AUTH_PASSWORD=PASSWORD,
        ASSISTANT_LLM_URL=llm,
        ASSISTANT_LLM_TIMEOUT="10",
    )
    with serving(env, log_path, "/v1/models") as (url, port):
        yield url, data_dir, log_path, port


@pytest.fixture(scope="module")
def client(served):
    from openai import OpenAI

    return OpenAI(base_url=f"{served[0]}/v1", api_key=KEY, max_retries=0, timeout=60)


def ask(client, *messages: str, **options):
    """Alternate user / assistant messages, the last one the question."""
    roles = ["user", "assistant"] * len(messages)
    return client.chat.completions.create(
        model=options.pop("model", "extractive"),
        messages=[{"role": r, "content": m} for r, m in zip(roles, messages)],
        **options,
    )


def test_models_are_the_backends(client):
    from assistant.llm.backends import BACKENDS

    ids = [m.id for m in client.models.list()]
    assert "extractive" in ids and "openai" in ids and set(ids) <= set(BACKENDS)


def test_a_question_is_answered_with_markers_and_citations(client):
    completion = ask(client, USAID)
    text = completion.choices[0].message.content
    extra = completion.answer  # the documented extra field
    assert completion.object == "chat.completion" and completion.choices[0].finish_reason == "stop"
    assert "$50 million" in text and "[1]" in text and not extra["refused"]
    first = extra["citations"][0]
    assert first["n"] == 1 and first["doc_id"] == "articles/asean-us-ai-partnership.md"
    assert "$50 million" in first["quote"] and first["quote"] in first["text"]
    assert {"title", "source", "start", "end", "quote_start", "quote_end", "score"} <= first.keys()
    answer, sources = text.split("\n\nSources:\n")
    assert answer == extra["answer"] and first["doc_id"] in sources and first["title"] in sources

    plain = ask(client, USAID, extra_body={"sources_in_content": False})
    assert plain.choices[0].message.content == extra["answer"]


def test_a_streamed_question_ends_with_the_citations_and_done(client):
    chunks = list(ask(client, USAID, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 2  # text, then the Sources list
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].answer["citations"]
    assert text == ask(client, USAID).choices[0].message.content


def test_a_generated_answer_streams_only_what_the_sources_support(client):
    chunks = list(ask(client, ILMU, model="openai", stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    final = chunks[-1].answer
    assert final["backend"] == "openai" and "Intelek Luhur Malaysia Untukmu" in text
    assert "cheese" not in text and any("cheese" in note for note in final["notes"])
    assert text.startswith(final["answer"])


def test_a_follow_up_is_resolved_from_the_earlier_messages(client):
    first = ask(client, JAPAN).choices[0].message.content
    follow_up = ask(client, JAPAN, first, FOLLOW_UP).answer
    assert JAPAN in follow_up["standalone_question"]
    assert not follow_up["refused"] and follow_up["citations"]
    alone = ask(client, FOLLOW_UP).answer  # the same words without the conversation
    assert JAPAN not in alone["standalone_question"]


def test_a_refusal_is_a_normal_answer(client):
    completion = ask(client, "How do I bake sourdough bread at home?")
    assert completion.answer["refused"] and not completion.answer["citations"]
    assert completion.choices[0].message.content == completion.answer["answer"]  # no Sources list


def test_responses_carry_a_usage_block_counted_in_tokens(client):
    from index import count_tokens

    question = "How do I bake sourdough bread at home?"
    reply = ask(client, question)
    usage = reply.usage
    assert usage.prompt_tokens == count_tokens(question)
    assert usage.completion_tokens == count_tokens(reply.choices[0].message.content) > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens

    chunks = list(ask(client, question, stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert chunks[-1].usage.total_tokens == usage.total_tokens
    assert all(c.usage is None for c in chunks[:-1])
    assert list(ask(client, question, stream=True))[-1].usage is None  # only when asked for


def test_wrong_methods_get_405_with_allow_and_unknown_paths_list_the_endpoints(served):
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=f"{served[0]}/v1", headers=headers, timeout=10) as raw:
        get_chat = raw.get("/chat/completions")
        post_models = raw.post("/models", json={})
        unknown = raw.get("/responses")
    assert get_chat.status_code == 405 and get_chat.headers["allow"] == "POST"
    assert post_models.status_code == 405 and post_models.headers["allow"] == "GET"
    for reply in (get_chat, post_models):
        error = reply.json()["error"]
        assert error["code"] == "method_not_allowed" and error["type"] == "invalid_request_error"
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("application/json")
    assert "/v1/chat/completions" in unknown.json()["error"]["message"]
    assert "/v1/models" in unknown.json()["error"]["message"]


def test_a_wrong_or_missing_key_is_refused(served, client):
    import openai

    with pytest.raises(openai.AuthenticationError) as caught:
        ask(client.with_options(api_key="not-the-key"), USAID)
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
    bare = httpx.get(f"{served[0]}/v1/models", timeout=10)
    assert bare.status_code == 401 and bare.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("request_body", "status", "code"),
    [
        ({"model": "extractive", "messages": []}, 400, "missing_messages"),
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": USAID}]}, 404, "model_not_found"),
        ({"model": "extractive", "messages": [{"role": "user", "content": "why " * 1000}]}, 400, "invalid_question"),
    ],
    ids=["no messages", "unknown model", "question too long"],
)
def test_bad_requests_get_openai_shaped_errors(client, request_body, status, code):
    import openai

    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(**request_body)
    error = caught.value
    assert error.status_code == status and error.code == code and error.type == "invalid_request_error"
    assert error.body["message"]


def test_malformed_json_and_other_endpoints_get_openai_shaped_errors(served):
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    with httpx.Client(base_url=f"{served[0]}/v1", headers=headers, timeout=10) as raw:
        malformed = raw.post("/chat/completions", content=b'{"model": "extractive", "messages": [')
        elsewhere = raw.post("/embeddings", json={"model": "extractive", "input": "hello"})
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_json"
    assert elsewhere.status_code == 404 and elsewhere.json()["error"]["code"] == "unknown_url"
    for reply in (malformed, elsewhere):
        assert {"message", "type", "code"} <= reply.json()["error"].keys() and reply.json()["error"]["message"]


def test_page_events_need_a_login_even_when_posted_to_the_queue(served):
    """Upload and re-index are private events, but Gradio's queue runs any event by number:
    with a password set, a client that has not logged in gets 401 for both."""
    url = served[0]
    with httpx.Client(base_url=url, timeout=10) as page:
        assert page.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        config = page.get("/config").json()
        elem = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
        events = {elem.get(d["targets"][0][0]): d for d in config["dependencies"] if d["targets"]}

        def join(client, name: str, data: list):
            body = {
                "data": data,
                "fn_index": events[name]["id"],
                "session_hash": "outsider",
                "trigger_id": events[name]["targets"][0][0],
                "event_data": None,
            }
            return client.post("/gradio_api/queue/join", json=body)

        with httpx.Client(base_url=url, timeout=10) as outsider:
            assert join(outsider, "reindex", []).status_code == 401
            assert join(outsider, "upload", [None]).status_code == 401
        assert join(page, "reindex", []).status_code == 200  # the same request, logged in, is queued


def test_the_banner_shows_where_and_what_not_share(served):
    url, data_dir, log_path, _ = served
    log = log_path.read_text()
    assert url in log and str(data_dir) in log and re.search(r"\b2 articles\b", log)
    assert "share=True" not in log and "Traceback" not in log


def test_a_busy_port_ends_serve_with_one_error_line(served, tmp_path):
    port = served[3]
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(tmp_path / "data"),
        cwd=ROOT,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("error:") and str(port) in lines[0] and "--port" in lines[0]


def test_serving_beyond_this_machine_needs_a_password_and_a_key(tmp_path):
    command = [sys.executable, "-m", "assistant", "serve", "--host", "0.0.0.0", "--port", str(free_port())]
    cases = {
        "nothing": {},
        "no key": {"ASSISTANT_AUTH_USER": USER, "ASSISTANT_AUTH_PASSWORD": PASSWORD},
    }
    procs = {
        name: subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=_env(tmp_path / name, **extra),
        )
        for name, extra in cases.items()
    }
    try:
        results = {name: (proc.wait(60), proc.stderr.read()) for name, proc in procs.items()}
    finally:
        for proc in procs.values():
            stop(proc)
    for code, stderr in results.values():
        assert code == 1 and stderr.startswith("error:") and "Traceback" not in stderr, stderr[-2000:]
        assert "ASSISTANT_API_KEY" in stderr
    assert "ASSISTANT_AUTH_PASSWORD" in results["nothing"][1]
    assert "ASSISTANT_AUTH_PASSWORD" not in results["no key"][1]


def test_a_question_on_an_empty_index_says_how_to_add_articles(embedder):
    from fastapi.testclient import TestClient

    from assistant import Assistant, Settings
    from assistant.surfaces.openai_api import create_app

    app = create_app(Assistant(Settings.load(), embedder=embedder))  # the autouse fixture's empty data dir
    body = {"model": "extractive", "messages": [{"role": "user", "content": ILMU}]}
    with TestClient(app) as http:
        reply = http.post("/v1/chat/completions", json=body)
    assert reply.status_code == 409 and reply.json()["error"]["code"] == "empty_index"
    assert "nothing is indexed yet" in reply.json()["error"]["message"]
    assert "assistant index" in reply.json()["error"]["message"]
