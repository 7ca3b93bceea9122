"""The trained reader on ONNX Runtime: which candidate sentences answer a question, and where.

A cross-encoder fine-tuned from all-MiniLM-L6-v2 (see ``training/`` and
``models/reader/MODEL_CARD.md``) reads ``[CLS] question [SEP] title [SEP] candidate [SEP]``
(the title of the candidate's article, for a model trained with it) and gives
a logit that the candidate answers the question, and start/end logits per token that
locate the short answer inside it. :func:`encode_pairs` is the ONE way a pair becomes
model input: training imports it, so what the model learned on is what it is served.

Serving is torch-free (numpy, tokenizers, onnxruntime). The int8 graph
``models/reader/reader.onnx`` is found relative to this checkout (the project is installed
editable; ``models/`` is data, not a package) and is checked against the sha256 recorded
in ``models/reader/reader.json``, beside the refusal threshold chosen on dev data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "reader"
MODEL_PATH = MODEL_DIR / "reader.onnx"

# The pair layout, shared with training (changing one of these means retraining).
MAX_LENGTH = 128  # word-pieces of [CLS] question [SEP] candidate [SEP]
QUESTION_TOKENS = 32  # a longer question is cut here; the candidate gets the rest
MAX_ANSWER_TOKENS = 30  # a short answer is at most this many word-pieces
# A model trained with titles (its manifest says "title_tokens") reads the candidate's
# article title before it, cut here: a sentence that looks like the answer but comes from
# an article about something else is told apart by it.
TITLE_TOKENS = 16
# A model trained with context (its manifest says "context_tokens") reads the sentence before
# the candidate in its passage, cut here: "He employs 340 people" is about whoever it names.
CONTEXT_TOKENS = 24
OUTPUTS = ["answer_logit", "start_logits", "end_logits"]
RESTORE = "git checkout models/reader/reader.onnx models/reader/reader.json, or retrain with `python -m training`"


class ReaderModelError(AssistantError):
    """The reader model cannot be loaded; the message names the file and how to restore it."""


@dataclass(frozen=True)
class PairEncoding:
    """One (question, candidate) pair as word-pieces, unpadded."""

    ids: list[int]
    type_ids: list[int]
    candidate_start: int  # position of the candidate's first word-piece
    offsets: list[tuple[int, int]]  # (start, end) in the candidate text of each candidate word-piece


@dataclass(frozen=True)
class PairBatch:
    """Padded model inputs for several pairs, and where each row's candidate lies."""

    input_ids: np.ndarray  # (rows, width) int64
    attention_mask: np.ndarray
    token_type_ids: np.ndarray
    rows: list[PairEncoding]

    def feeds(self) -> dict[str, np.ndarray]:
        return {"input_ids": self.input_ids, "attention_mask": self.attention_mask,
                "token_type_ids": self.token_type_ids}


@dataclass(frozen=True)
class Span:
    """The short answer: ``candidate[start:end]``, with P(start) * P(end) under the model."""

    start: int
    end: int
    probability: float


@dataclass(frozen=True)
class Reading:
    """What the reader makes of one candidate sentence."""

    p_answer: float  # probability that the candidate answers the question
    span: Span | None  # the best short answer inside it, None for a candidate without word-pieces


def _tokenizer():
    # The embedder's tokenizer (same WordPiece vocabulary), located and sha-checked there.
    from index.embedders import MiniLMEmbedder

    return MiniLMEmbedder().tokenizer


def _pieces(texts: list[str]):
    """Word-pieces of each text without special tokens, stripped of the batch padding."""
    out = []
    for encoding in _tokenizer().encode_batch(texts, add_special_tokens=False):
        n = sum(encoding.attention_mask)
        out.append((encoding.ids[:n], encoding.offsets[:n]))
    return out


def encode_pairs(question: str, candidates: list[str], titles: list[str] | None = None,
                 previous: list[str] | None = None) -> list[PairEncoding]:
    """``[CLS] question [SEP] candidate [SEP]`` for each candidate, or with ``titles``
    ``[CLS] question [SEP] title [SEP] candidate [SEP]`` (with ``previous``, the sentence
    before each candidate in that place): the question cut to QUESTION_TOKENS word-pieces,
    a title to TITLE_TOKENS, a sentence before to CONTEXT_TOKENS, each candidate to what is
    left of MAX_LENGTH."""
    tokenizer = _tokenizer()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    before, budget = (previous, CONTEXT_TOKENS) if previous is not None else (titles, TITLE_TOKENS)
    pieces = _pieces([question, *candidates, *(before or [])])
    q_ids = pieces[0][0][:QUESTION_TOKENS]
    heads = [p[0][:budget] + [sep] for p in pieces[1 + len(candidates):]] if before else [[]] * len(candidates)
    rows = []
    for (c_ids, c_offsets), head in zip(pieces[1:1 + len(candidates)], heads):
        room = MAX_LENGTH - len(q_ids) - len(head) - 3
        c_ids, c_offsets = c_ids[:room], [tuple(o) for o in c_offsets[:room]]
        ids = [cls, *q_ids, sep, *head, *c_ids, sep]
        type_ids = [0] * (len(q_ids) + 2) + [1] * (len(head) + len(c_ids) + 1)
        rows.append(PairEncoding(ids, type_ids, len(q_ids) + 2 + len(head), c_offsets))
    return rows


def pad(rows: list[PairEncoding]) -> PairBatch:
    """Rows padded with [PAD] (id 0) to the longest of them."""
    width = max((len(r.ids) for r in rows), default=0)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask, types = np.zeros_like(ids), np.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row.ids)] = row.ids
        mask[i, : len(row.ids)] = 1
        types[i, : len(row.ids)] = row.type_ids
    return PairBatch(ids, mask, types, rows)


def best_span(start_logits: np.ndarray, end_logits: np.ndarray, row: PairEncoding, text: str) -> Span | None:
    """The most likely (start, end) over the candidate's word-pieces, end not before start and
    at most MAX_ANSWER_TOKENS long, widened to whole words."""
    n = len(row.offsets)
    if n == 0:
        return None
    window = slice(row.candidate_start, row.candidate_start + n)
    s, e = _log_softmax(start_logits[window]), _log_softmax(end_logits[window])
    grid = s[:, None] + e[None, :]
    i, j = np.indices(grid.shape)
    grid[(j < i) | (j - i >= MAX_ANSWER_TOKENS)] = -np.inf
    first, last = np.unravel_index(int(np.argmax(grid)), grid.shape)
    start, end = _whole_words(text, row.offsets[first][0], row.offsets[last][1])
    return Span(start, end, float(np.exp(grid[first, last])))


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    return x - x.max() - np.log(np.exp(x - x.max()).sum())


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    # a span may start or end inside a word ("##ing"); an answer is whole words
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


class ReaderModel:
    """The int8 reader graph and its manifest; built once per file by :func:`load_reader`."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ReaderModelError(f"the reader model {self.path} is missing; {RESTORE}")
        self.manifest = _manifest(self.path)
        _verify(self.path, self.manifest.get("sha256", ""))
        self.session = _new_session(self.path, threads or os.cpu_count() or 1)

    @property
    def threshold(self) -> float:
        """Refuse when the best candidate's p_answer is below this (5% false refusals on dev)."""
        return float(self.manifest["threshold"])

    def run(self, batch: PairBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw outputs: answer logits (rows,), start and end logits (rows, width)."""
        answer, start, end = self.session.run(OUTPUTS, batch.feeds())
        return answer.reshape(-1), start, end

    @property
    def reads_titles(self) -> bool:
        """Whether the model was trained with each candidate's article title before it."""
        return "title_tokens" in self.manifest

    @property
    def reads_previous(self) -> bool:
        """Whether the model was trained with the sentence before each candidate."""
        return "context_tokens" in self.manifest

    def score(self, question: str, candidates: list[str], titles: list[str] | None = None,
              previous: list[str] | None = None) -> list[Reading]:
        """One Reading per candidate, in the given order; ``titles`` (of each candidate's
        article) and ``previous`` (the sentence before each, "" for none) are read only by
        a model trained with them."""
        if self.reads_previous and previous is None:
            previous = [""] * len(candidates)
        rows = encode_pairs(question.strip(), candidates, titles if self.reads_titles else None,
                            previous if self.reads_previous else None) if candidates else []
        # One pair per run: the int8 graph quantizes its activations with one scale per run, over
        # every row and its padding, so in a batch a sentence's P moved with the other sentences
        # read beside it (by up to 0.4 in logit: adding an unrelated article to the index turned
        # an answer into a refusal). Alone, a pair scores the same whatever else was retrieved;
        # it cost ~8 ms more over 12 sentences (55-61 -> 63 ms).
        readings = []
        for row, text in zip(rows, candidates):
            answer, start, end = self.run(pad([row]))
            readings.append(Reading(float(sigmoid(answer[0])), best_span(start[0], end[0], row, text)))
        return readings


def _manifest(path: Path) -> dict:
    manifest = path.with_suffix(".json")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        float(data["threshold"])
        return data
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReaderModelError(f"the reader manifest {manifest} is missing or unreadable ({exc}); {RESTORE}") from exc


def _verify(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ReaderModelError(f"the reader model {path} cannot be read ({exc}); {RESTORE}") from exc
    if digest.hexdigest() != expected:
        raise ReaderModelError(
            f"the reader model {path} has sha256 {digest.hexdigest()}, expected {expected} "
            f"(damaged or replaced); {RESTORE}"
        )


def _new_session(path: Path, threads: int):
    # as index.embedders builds the embedder's session, for the same reasons (see there)
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors for a bad graph
        raise ReaderModelError(f"the reader model {path} cannot be loaded ({exc}); {RESTORE}") from exc


_LOAD_LOCK = threading.Lock()
_MODELS: dict[Path, ReaderModel] = {}


def load_reader(path: Path | None = None) -> ReaderModel:
    """The reader for ``path`` (default ``models/reader/reader.onnx``), loaded and verified
    once per process; raises ReaderModelError when the file is missing or damaged."""
    key = Path(path or MODEL_PATH).resolve()
    model = _MODELS.get(key)
    if model is None:
        with _LOAD_LOCK:  # several first questions at once load the file once
            if key not in _MODELS:
                _MODELS[key] = ReaderModel(key)
                from index.malloc import release_free_memory

                release_free_memory()  # graph optimisation at load leaves freed memory behind
            model = _MODELS[key]
    return model


def score(question: str, candidates: list[str], titles: list[str] | None = None, path: Path | None = None,
          previous: list[str] | None = None) -> list[Reading]:
    """Read each candidate sentence with the question: P(it answers) and its best short answer."""
    return load_reader(path).score(question, candidates, titles, previous)


def threshold(path: Path | None = None) -> float:
    """The p_answer below which the best candidate should be refused (chosen on dev data)."""
    return load_reader(path).threshold
