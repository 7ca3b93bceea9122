"""Training pairs, drawn afresh each epoch, and their labels as model inputs.

Per answerable question: its answer sentence and ``negatives`` others of its candidates.
Per unanswerable question: ``negatives`` candidates, always with the sentence holding the
plausible (wrong) answer: the hard case refusing is for. Training items that
:mod:`training.augment` gave extra negatives (other articles' sentences, a swapped answer
sentence) get all of those too. Batches are grouped by length
(sorted inside shuffled pools) so that little of each batch is padding.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from assistant.reading.model import PairEncoding, encode_pairs, pad
from training.config import Config
from training.data import Item

POOL_BATCHES = 50  # batches sorted by length together


@dataclass(frozen=True)
class Pair:
    item: Item
    candidate: int
    label: float
    span: tuple[int, int] | None  # char offsets in the candidate, for the answer sentence


def epoch_pairs(items: list[Item], cfg: Config, epoch: int) -> list[Pair]:
    """This epoch's pairs, in a fixed order for (seed, epoch): a resumed run sees the same."""
    rng = random.Random(f"{cfg.seed}:{epoch}")
    pairs = []
    for item in items:
        for _ in range(cfg.bbc_repeats if item.source == "bbc" else 1):
            pairs += _item_pairs(item, cfg, rng)
    rng.shuffle(pairs)
    return pairs


def _item_pairs(item: Item, cfg: Config, rng: random.Random) -> list[Pair]:
    extra = set(item.cross) | {item.swapped}
    others = [i for i in range(len(item.candidates)) if i not in (item.positive, item.hard) and i not in extra]
    chosen = rng.sample(others, min(len(others), cfg.negatives - (item.hard is not None)))
    pairs = [Pair(item, i, 0.0, None) for i in chosen + item.cross]
    if item.swapped is not None:
        pairs.append(Pair(item, item.swapped, 0.0, None))
    if item.hard is not None:
        pairs += [Pair(item, item.hard, 0.0, None)] * cfg.hard_repeats
    if item.positive is not None:
        pairs.append(Pair(item, item.positive, 1.0, item.span))
    return pairs


def batches(pairs: list[Pair], cfg: Config, epoch: int) -> list[list[Pair]]:
    """Pairs in batches of similar length, the batches in a seeded random order."""
    rng = random.Random(f"{cfg.seed}:{epoch}:batches")
    out = []
    size = cfg.batch * POOL_BATCHES
    for start in range(0, len(pairs), size):
        pool = sorted(pairs[start:start + size], key=lambda p: len(p.item.question) + len(p.item.candidates[p.candidate]))
        out += [pool[i:i + cfg.batch] for i in range(0, len(pool), cfg.batch)]
    rng.shuffle(out)
    return out


def token_span(row: PairEncoding, span: tuple[int, int] | None) -> tuple[int, int]:
    """Positions of the first and last word-piece of a char span; -100 (ignored) when there is
    no span or truncation cut it off."""
    if span is None:
        return -100, -100
    inside = [k for k, (s, e) in enumerate(row.offsets) if s < span[1] and e > span[0]]
    truncated = bool(inside) and inside[-1] == len(row.offsets) - 1 and row.offsets[-1][1] < span[1]
    if not inside or truncated:
        return -100, -100
    return row.candidate_start + inside[0], row.candidate_start + inside[-1]


def tensors(batch: list[Pair], titles: bool = False, context: bool = False) -> dict[str, np.ndarray]:
    """Model inputs and labels for a batch, encoded by the serving module's own encoder
    (with each candidate's article title, or the sentence before it, when the run trains so)."""
    rows = [encode_pairs(p.item.question, [p.item.candidates[p.candidate]],
                         [p.item.titles[p.candidate]] if titles else None,
                         [_previous(p)] if context else None)[0] for p in batch]
    padded = pad(rows)
    spans = np.array([token_span(row, p.span) for row, p in zip(rows, batch)], dtype=np.int64).reshape(-1, 2)
    candidate = np.zeros_like(padded.attention_mask, dtype=bool)
    for k, row in enumerate(rows):
        candidate[k, row.candidate_start:row.candidate_start + len(row.offsets)] = True
    return {**padded.feeds(), "labels": np.array([p.label for p in batch], dtype=np.float32),
            "start": spans[:, 0], "end": spans[:, 1], "candidate": candidate}


def _previous(pair: Pair) -> str:
    """The sentence before the pair's candidate; "" for a candidate made in training.augment
    (another article's sentence, a swapped answer), whose neighbours are not kept."""
    return pair.item.previous[pair.candidate] if pair.candidate < len(pair.item.previous) else ""
