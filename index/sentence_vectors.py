"""One vector per sentence of a chunk, pooled from the token vectors the chunk's own
embedding already computed, and stored with the chunk.

The reader weighs each candidate sentence by its cosine to the question. Embedding the
six best sentences at question time was ~60 of the ~100 ms an answer took. The model has
already read every sentence while embedding its chunk, so indexing keeps, for each
sentence, the mean of its tokens' vectors (read in the chunk's context) at no extra
model cost. Read in context, a sentence's vector leans towards its chunk's topic; on the
dev half of bench/questions_bbc.json the reader ranks sentences as well with them
(5-fold cross-validated top-1 0.674, against 0.673 embedding each sentence alone, each
with weights refit by bench/fit_reader.py), and answers take ~26 ms instead of ~100.

An index written before them (or by a server's embedder, which returns whole vectors
only) has none: the reader then embeds its shortlist at question time, as before.
`assistant index --rebuild` gives an existing index its sentence vectors.

Stored in the chunk's metadata as one base64 string: per sentence a float16 scale and
384 int8 components (a unit vector quantised to 1/127 of its largest component: cosine
error ~1e-3). ~5 KB per chunk. Rows are in the order of
:func:`index.chunking.sentence_spans` over the chunk's text; a sentence the model never
saw (past its 256 wordpieces) is a zero row, and the reader embeds it on its own.
"""

from __future__ import annotations

import base64

import numpy as np

METADATA_KEY = "sentences"
_FORMAT = "sv1"


def pool(hidden: np.ndarray, offsets: list[tuple[int, int]], spans: list[tuple[int, int]]) -> np.ndarray:
    """Unit-length mean of the token vectors inside each (start, end) character span of
    the text the tokens came from; a span with no token is a zero row."""
    rows = np.zeros((len(spans), hidden.shape[-1]), dtype=np.float32)
    # a batch's padding may have been trimmed from hidden
    token_start, token_end = np.asarray(offsets[: len(hidden)]).reshape(-1, 2).T
    real = token_end > token_start  # [CLS], [SEP] and padding have empty offsets
    for i, (start, end) in enumerate(spans):
        inside = real & (token_start >= start) & (token_end <= end)
        if inside.any():
            mean = hidden[inside].mean(axis=0)
            rows[i] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return rows


def encode(rows: np.ndarray) -> str:
    scales = np.abs(rows).max(axis=1) / 127.0
    quantised = np.round(rows / np.where(scales > 0, scales, 1.0)[:, None]).astype(np.int8)
    payload = scales.astype(np.float16).tobytes() + quantised.tobytes()
    return f"{_FORMAT}:{len(rows)}:{rows.shape[1]}:" + base64.b64encode(payload).decode("ascii")


def decode(stored: str | None) -> np.ndarray | None:
    """The rows :func:`encode` wrote (float32), or None for a chunk stored without them."""
    if not stored or not stored.startswith(f"{_FORMAT}:"):
        return None
    _, n, dim, data = stored.split(":", 3)
    n, dim = int(n), int(dim)
    payload = base64.b64decode(data)
    scales = np.frombuffer(payload[: 2 * n], dtype=np.float16).astype(np.float32)
    quantised = np.frombuffer(payload[2 * n :], dtype=np.int8).reshape(n, dim)
    return quantised.astype(np.float32) * scales[:, None]
