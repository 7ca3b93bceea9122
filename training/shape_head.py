"""``python -m training.shape_head`` (from the repo root, in .venv: numpy and the embedder only):
train the shape head of :mod:`assistant.reading.shape_head` and write
``models/reader/shape_head.json``; prints its sha256, to record in that module.

Trained on: bench/shape_phrasings.json and bench/shape_phrasings_more.json (600 labelled
wordings), the dev half of bench/questions_shapes.json, the dev-half lookups of
bench/questions_bbc.json, and every third question of qa-train's
squad2-train-10-articles.json as a lookup (weight 0.3: they outnumber the rest; SQuAD
questions that ask for several things are among them, so the head learns a list from clear
cues only). Never on bench/shape_phrasings_third.json, the shapes test half or SQuAD's
dev articles, which measure it. Multinomial logistic regression, full-batch gradient
descent from zeros (deterministic): 3,000 steps, step 4.0, L2 1e-4 (set once, not searched).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BULK_LOOKUP_WEIGHT = 0.3


def examples() -> tuple[list[str], list[str], list[float]]:
    texts, labels, weights = [], [], []
    for name in ("shape_phrasings.json", "shape_phrasings_more.json"):
        for q in json.loads((ROOT / "bench" / name).read_text())["questions"]:
            texts.append(q["text"]), labels.append(q["shape"]), weights.append(1.0)
    for q in json.loads((ROOT / "bench" / "questions_shapes.json").read_text())["questions"]:
        if q["split"] == "dev":
            shape = q["shape"] if q["shape"] != "overview" else "overview_" + q.get("scope", "article")
            texts.append(q["question"]), labels.append(shape), weights.append(1.0)
    bulk = [q["question"] for q in json.loads((ROOT / "bench" / "questions_bbc.json").read_text())["answerable"]
            if q.get("split") == "dev"]
    squad = json.loads((SHARED / "qa-train" / "squad2-train-10-articles.json").read_text())
    bulk += [q["question"] for a in squad["data"] for p in a["paragraphs"] for q in p["qas"]][::3]
    texts += bulk
    labels += ["lookup"] * len(bulk)
    weights += [BULK_LOOKUP_WEIGHT] * len(bulk)
    return texts, labels, weights


def train(x: np.ndarray, y: np.ndarray, w: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    weights, bias = np.zeros((x.shape[1], classes)), np.zeros(classes)
    target, share = np.eye(classes)[y], (w / w.sum())[:, None]
    for _ in range(3000):
        z = x @ weights + bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        gradient = (p - target) * share
        weights -= 4.0 * (x.T @ gradient + 1e-4 * weights)
        bias -= 4.0 * gradient.sum(axis=0)
    return weights, bias


def main() -> int:
    from assistant.reading.shape_head import HEAD_PATH, LABELS, masked
    from index.embedders import MiniLMEmbedder

    texts, labels, weights = examples()
    x = MiniLMEmbedder().embed_batch([masked(t) for t in texts]).astype(np.float64)
    y = np.array([LABELS.index(label) for label in labels])
    w_, b_ = train(x, y, np.array(weights), len(LABELS))
    head = {"labels": list(LABELS), "weights": np.round(w_, 5).tolist(), "bias": np.round(b_, 5).tolist(),
            "trained_on": len(texts), "command": "python -m training.shape_head"}
    data = json.dumps(head, separators=(",", ":")).encode()
    HEAD_PATH.write_bytes(data)
    print(f"{HEAD_PATH}: {len(data):,} bytes from {len(texts)} questions, sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
