"""OpenAIEmbedder against a real HTTP server on 127.0.0.1 speaking OpenAI's
``POST /v1/embeddings``, backed by the real MiniLM model; plus the embedder
contract, parametrized over every implementation."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from index import EmbedderError, Index, IndexMismatchError, MiniLMEmbedder, OpenAIEmbedder, make_embedder
from tests.conftest import free_port, run_cli

MODEL = "all-minilm-l6-v2"
TEXTS = [
    "The council approved a new bridge over the river.",
    "Shares in the airline fell after it warned on profits.",
    "x",
    "A much longer passage about trade talks between the two countries, " * 20,
]


class EmbeddingsHandler(BaseHTTPRequestHandler):
    """``/v1/embeddings`` answers like OpenAI (rows deliberately out of order, as
    the spec only promises ``index``); ``/bad/v1/embeddings`` answers garbage and
    ``/short/v1/embeddings`` one vector too few."""

    embedder: MiniLMEmbedder
    requests: list[dict]

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, **body})
        if self.path == "/bad/v1/embeddings":
            return self._reply(200, b"<html>this is not JSON</html>")
        if self.path not in ("/v1/embeddings", "/short/v1/embeddings"):
            return self._reply(404, b'{"error": {"message": "not found"}}')
        texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
        if not texts:
            return self._reply(400, b'{"error": {"message": "input must not be empty"}}')
        vectors = self.embedder.embed_batch(texts)
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
        if self.path.startswith("/short/"):
            data = data[:-1]
        payload = {"object": "list", "model": body["model"], "data": data[::-1], "usage": {"prompt_tokens": 0}}
        self._reply(200, json.dumps(payload).encode())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def embeddings_server(embedder):
    """A real HTTP server on 127.0.0.1 (own thread); yields its base URL (``.../v1``)."""
    handler = type("Handler", (EmbeddingsHandler,), {"embedder": embedder, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = handler.requests
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def openai_url(embeddings_server):
    host, port = embeddings_server.server_address[:2]
    return f"http://{host}:{port}/v1"


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# -- the contract every embedder keeps ---------------------------------------------


@pytest.fixture(params=["minilm", "openai"])
def any_embedder(request, embedder):
    if request.param == "minilm":
        return embedder
    return OpenAIEmbedder(request.getfixturevalue("openai_url"), MODEL)


def test_contract_unit_float32_rows_one_per_input(any_embedder):
    vectors = any_embedder.embed_batch(TEXTS)
    assert isinstance(vectors, np.ndarray) and vectors.dtype == np.float32
    assert vectors.ndim == 2 and vectors.shape[0] == len(TEXTS) and vectors.shape[1] > 0
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(any_embedder.identity, str) and any_embedder.identity


def test_contract_rows_keep_input_order_and_do_not_depend_on_the_batch(any_embedder):
    batch = any_embedder.embed_batch(TEXTS)
    alone = np.vstack([any_embedder.embed_batch([text]) for text in reversed(TEXTS)])[::-1]
    assert np.min(cosine_rows(batch, alone)) > 0.999
    assert np.max(cosine_rows(batch[:1], batch[1:2])) < 0.99  # different texts, different vectors


def test_contract_is_deterministic(any_embedder):
    first, second = any_embedder.embed_batch(TEXTS), any_embedder.embed_batch(TEXTS)
    assert np.array_equal(first, second)


def test_contract_empty_input_gives_zero_rows_of_the_right_width(any_embedder):
    width = any_embedder.embed_batch(["probe"]).shape[1]
    fresh = (
        OpenAIEmbedder(any_embedder.base_url, MODEL) if isinstance(any_embedder, OpenAIEmbedder) else MiniLMEmbedder()
    )
    for model in (any_embedder, fresh):  # fresh: the width is not known yet
        empty = model.embed_batch([])
        assert empty.shape == (0, width) and empty.dtype == np.float32


# -- OpenAIEmbedder against the loopback server -----------------------------------


def test_openai_vectors_match_minilm(openai_url, embedder, embeddings_server):
    remote = OpenAIEmbedder(openai_url, MODEL, api_key="sk-test")
    assert np.min(cosine_rows(remote.embed_batch(TEXTS), embedder.embed_batch(TEXTS))) > 0.999
    last = embeddings_server.requests[-1]
    assert (last["path"], last["model"], last["input"]) == ("/v1/embeddings", MODEL, TEXTS)


def test_indexes_the_shipped_corpus_through_the_server(openai_url, embedder, tmp_path):
    index = Index(tmp_path / "data", embedder=OpenAIEmbedder(openai_url, MODEL))
    report = index.sync()
    assert (report.added, report.chunks_embedded) == (2, index.store.count())
    assert report.chunks_embedded > 10
    assert index.status()["embedder"] == f"openai:{MODEL}"
    assert index.sync().unchanged == 2

    got = index.store.collection().get(include=["embeddings", "documents"])
    stored = np.array(got["embeddings"], dtype=np.float32)
    assert np.min(cosine_rows(stored, embedder.embed_batch(got["documents"]))) > 0.999
    (best,) = index.search(embedder.embed_batch(["How much did USAID commit?"])[0].tolist(), k=1)
    assert best.doc_id.startswith("articles/")


def test_switching_embedder_on_an_existing_index_needs_a_rebuild(openai_url, embedder, tmp_path):
    data = tmp_path / "data"
    Index(data, embedder=embedder).sync()
    remote = OpenAIEmbedder(openai_url, MODEL)
    with pytest.raises(IndexMismatchError, match="assistant index --rebuild") as caught:
        Index(data, embedder=remote).sync()
    assert f"openai:{MODEL}" in str(caught.value) and embedder.identity in str(caught.value)

    rebuilt = Index(data, embedder=remote)
    assert rebuilt.sync(rebuild=True).added == 2
    assert rebuilt.status()["embedder"] == f"openai:{MODEL}"
    with pytest.raises(IndexMismatchError, match="assistant index --rebuild"):
        Index(data, embedder=embedder).sync()  # and back again


def test_a_server_that_is_down_names_its_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EmbedderError, match=f"{url}/embeddings") as caught:
        OpenAIEmbedder(url, MODEL, timeout=5).embed_batch(["hello"])
    assert "ASSISTANT_EMBED_URL" in str(caught.value)
    with pytest.raises(EmbedderError, match=url):  # and the same error out of a sync
        Index(tmp_path / "data", embedder=OpenAIEmbedder(url, MODEL, timeout=5)).sync()


@pytest.mark.parametrize("path", ["/bad/v1", "/v1/nowhere", "/short/v1"])
def test_bad_replies_name_the_url(embeddings_server, path):
    host, port = embeddings_server.server_address[:2]
    url = f"http://{host}:{port}{path}"
    with pytest.raises(EmbedderError, match=f"{url}/embeddings"):
        OpenAIEmbedder(url, MODEL).embed_batch(["hello", "world"])


def test_factory_needs_url_and_model():
    with pytest.raises(EmbedderError, match="ASSISTANT_EMBED_URL"):
        make_embedder("openai", url=None, model=MODEL)
    with pytest.raises(EmbedderError, match="minilm, openai"):
        make_embedder("bert")


def test_cli_indexes_with_the_openai_embedder(openai_url, tmp_path):
    env = {"ASSISTANT_EMBEDDER": "openai", "ASSISTANT_EMBED_URL": openai_url, "ASSISTANT_EMBED_MODEL": MODEL}
    report = json.loads(run_cli("index", "--json", env=env).stdout)
    assert report["added"] == 2 and report["chunks_embedded"] > 10
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["embedder"] == f"openai:{MODEL}"

    down = {**env, "ASSISTANT_EMBED_URL": f"http://127.0.0.1:{free_port()}/v1"}
    failed = run_cli("index", "--data-dir", str(tmp_path / "other"), env=down, check=False)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert f"error: embedding server {down['ASSISTANT_EMBED_URL']}/embeddings failed" in failed.stderr
