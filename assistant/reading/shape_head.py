"""The learned half of the shape recogniser: a linear head over the embedder's vector of the
question with its names masked ("Give me a synopsis of the article on X leaving X").

The cue-word rules (:mod:`assistant.reading.shapes`) read the wordings they were written
from, and few others: tuned on two sets of 300 labelled wordings (0.990 / 0.963), they read
0.570 of a third set written without their cue words ("synopsis", "the bare bones of",
"Remind me who X is", "Who made the shortlist ..."). The head, trained on the first two sets,
the shapes dev half and lookups (``python -m training.shape_head``, numpy only, seconds),
alone reads that third set 0.740; asked only when the rules read a lookup, the two read
0.713 of it (bench/shapes.py phrasings). It is asked only then, and for a question of its
own (a follow-up such as "Which countries?" leans on the turn before), and its reading is
taken only with the cue its
shape needs: an article word for an article's overview, a word for the news for a topic's,
two names for a comparison, one name for a description; never for "How many ...".

``models/reader/shape_head.json`` holds its weights, checked against SHA256 below when loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path

import numpy as np

from assistant import calibration
from assistant.core.question import Shape, name_phrases
from assistant.errors import AssistantError
from assistant.reading.model import MODEL_DIR
from assistant.reading.shapes import COUNT

HEAD_PATH = MODEL_DIR / "shape_head.json"
SHA256 = "0909c1d8bf573e615d85ed7a817439e27b19080ca1875799112a4debf2734e03"  # printed by `python -m training.shape_head`
LABELS = ("lookup", "list", "overview_article", "overview_topic", "description", "comparison")

# Names and figures after the first word, masked: the head reads how a question asks, not
# what about (one rule, shared with training so that what it learned on is what it reads).
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b(?:[A-Z][\w'’.&-]*|\d[\w.,%$£-]*)"
                   r"(?:\s+(?:of|the|and|de|for)?\s*(?:[A-Z][\w'’.&-]*|\d[\w.,%$£-]*))*")
# The cue each shape needs before the head's reading is taken (English, closed classes)
_ARTICLE = re.compile(r"\b(article|story|piece|report|news item|write-up)\b", re.I)
_NEWS = re.compile(r"\b(articles|stories|pieces|reports|coverage|news|reporting|press|papers|pages|journalists|"
                   r"headlines|reported|written)\b", re.I)
_ROLE = re.compile(r"\b(of|for|in|at)\b", re.I)  # "Who is the President of the IPCC?": whoever holds a role


def masked(text: str) -> str:
    return _NAME.sub("X", text)


class ShapeHeadError(AssistantError):
    """The shape head cannot be loaded; the message names the file and how to restore it."""


class ShapeHead:
    def __init__(self, path: Path = HEAD_PATH, expected: str = SHA256) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ShapeHeadError(f"the shape head {path} is missing ({error}); git checkout it, or rebuild it with "
                                 f"`python -m training.shape_head`") from error
        if hashlib.sha256(data).hexdigest() != expected:
            raise ShapeHeadError(f"the shape head {path} is not the one this code was built with (sha256 differs); "
                                 f"git checkout it, or rebuild it with `python -m training.shape_head` and record its sha256")
        head = json.loads(data)
        self.labels = tuple(head["labels"])
        self.weights = np.asarray(head["weights"], dtype=np.float32)
        self.bias = np.asarray(head["bias"], dtype=np.float32)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        z = vector @ self.weights + self.bias
        z = np.exp(z - z.max())
        return z / z.sum()

    @staticmethod
    def asked(text: str, shape: Shape) -> bool:
        """Whether the head is asked at all: the rules read a lookup, not "How many ...?"."""
        return shape.kind == "lookup" and not COUNT.match(text)

    def read(self, text: str, shape: Shape, embedder) -> Shape:
        """:meth:`refine`, embedding the masked question itself (the engine embeds it in the
        batch of the question's other texts instead: one call, ~14 ms saved)."""
        return self.refine(text, shape, embedder.embed_batch([masked(text)])[0]) if self.asked(text, shape) else shape

    def refine(self, text: str, shape: Shape, vector: np.ndarray) -> Shape:
        """The rules' shape, or the head's when the rules read a lookup and the head reads
        another shape confidently (``vector``: the embedding of :func:`masked` text), with the
        cue that shape needs."""
        if not self.asked(text, shape):
            return shape
        p = self.probabilities(vector)
        label = self.labels[int(p.argmax())]
        floor = calibration.SHAPE_HEAD_LIST_P if label == "list" else calibration.SHAPE_HEAD_P
        if label == "lookup" or p.max() < floor:
            return shape
        names = name_phrases(text)
        if label == "list":
            return Shape("list")
        if label == "overview_article" and _ARTICLE.search(text):
            return Shape("overview", scope="article")
        if label == "overview_topic" and _NEWS.search(text):
            return Shape("overview", scope="topic")
        if label == "comparison" and len(names) == 2:
            return Shape("comparison", sides=tuple(names))
        if label == "description" and len(names) == 1 and not _ROLE.search(text):
            return Shape("description", subject=names[0])
        return shape


_lock = threading.Lock()
_head: ShapeHead | None = None


def shape_head() -> ShapeHead:
    """The head, loaded and checked once per process."""
    global _head
    with _lock:
        if _head is None:
            _head = ShapeHead()
        return _head
