"""Held-out figures, computed with the serving module on the int8 graph (what ships).

Per question the model reads all its candidates (the shortlist shape: up to 16 sentences).
Sentence top-1 is beside the embedder-cosine baseline on the same candidates; answerability
is max P(answers) over the candidates, answerable vs unanswerable questions; spans are
scored like SQuAD (normalised exact match and token F1, best over the crowd answers).
"""

from __future__ import annotations

import random
import re
import string
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from assistant.reading.model import ReaderModel, Reading
from training.data import Item

FALSE_REFUSAL_RATES = (0.01, 0.02, 0.05, 0.10, 0.20)


@dataclass
class Read:
    item: Item
    readings: list[Reading]

    @property
    def best(self) -> int:
        return int(np.argmax([r.p_answer for r in self.readings]))

    @property
    def p_max(self) -> float:
        return max(r.p_answer for r in self.readings)

    def span_text(self, candidate: int) -> str:
        span = self.readings[candidate].span
        return self.item.candidates[candidate][span.start:span.end] if span else ""


def sample(items: list[Item], n: int, seed: int) -> list[Item]:
    """A seeded sample of the held-out questions (all of them when there are fewer)."""
    return items if len(items) <= n else random.Random(seed).sample(items, n)


def read_all(model: ReaderModel, items: list[Item]) -> list[Read]:
    return [Read(item, model.score(item.question, item.candidates, item.titles, item.previous)) for item in items if item.candidates]


def normalise(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def f1(prediction: str, gold: str) -> float:
    p, g = normalise(prediction).split(), normalise(gold).split()
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return float(p == g)
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def auc(positive: list[float], negative: list[float]) -> float:
    """ROC AUC: the chance that an answerable question scores above an unanswerable one (ties half)."""
    if not positive or not negative:
        return float("nan")
    pos, neg = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float(np.mean((pos > neg) + 0.5 * (pos == neg)))


def sentence_metrics(reads: list[Read]) -> dict:
    answerable = [r for r in reads if r.item.positive is not None]
    cosine = [int(np.argmax(r.item.cosines)) == r.item.positive for r in answerable]
    return {"questions_answerable": len(answerable),
            "top1": float(np.mean([r.best == r.item.positive for r in answerable])) if answerable else None,
            "top1_cosine": float(np.mean(cosine)) if answerable else None,
            "candidates_mean": float(np.mean([len(r.item.candidates) for r in reads]))}


def _mean(xs: list[float]) -> float | None:
    return float(np.mean(xs)) if xs else None


def span_metrics(reads: list[Read]) -> dict:
    """Best span of the best sentence; and, to tell span errors from sentence errors, the best
    span of the answer sentence."""
    rows = [r for r in reads if r.item.positive is not None and r.item.answers]
    em, f, em_gold, f_gold = [], [], [], []
    for r in rows:
        chosen, oracle = r.span_text(r.best), r.span_text(r.item.positive)
        em.append(max(float(normalise(chosen) == normalise(a)) for a in r.item.answers))
        f.append(max(f1(chosen, a) for a in r.item.answers))
        em_gold.append(max(float(normalise(oracle) == normalise(a)) for a in r.item.answers))
        f_gold.append(max(f1(oracle, a) for a in r.item.answers))
    return {"span_em": _mean(em), "span_f1": _mean(f), "span_em_given_sentence": _mean(em_gold),
            "span_f1_given_sentence": _mean(f_gold)}


def refusal_metrics(reads: list[Read], threshold: float | None) -> dict:
    """AUC, the share of unanswerables refused at set false-refusal rates, and at ``threshold``."""
    yes = [r.p_max for r in reads if r.item.answerable]
    no = [r.p_max for r in reads if not r.item.answerable]
    out = {"questions_unanswerable": len(no), "auc": auc(yes, no), "refused_at_false_refusals": {}}
    for rate in FALSE_REFUSAL_RATES:
        cut = float(np.quantile(yes, rate)) if yes else float("nan")
        out["refused_at_false_refusals"][f"{rate:.2f}"] = float(np.mean([p < cut for p in no])) if no else None
    if threshold is not None:
        out["at_threshold"] = {"threshold": threshold,
                               "false_refusals": float(np.mean([p < threshold for p in yes])) if yes else None,
                               "unanswerable_refused": float(np.mean([p < threshold for p in no])) if no else None}
    return out


def choose_threshold(reads: list[Read], false_refusals: float) -> float:
    """The p_answer under which ``false_refusals`` of the answerable questions fall."""
    return float(np.quantile([r.p_max for r in reads if r.item.answerable], false_refusals))


def evaluate(reads: list[Read], threshold: float | None) -> dict:
    return {**sentence_metrics(reads), **span_metrics(reads), **refusal_metrics(reads, threshold)}


def latency(model: ReaderModel, items: list[Item], sizes: tuple[int, ...] = (8, 16), runs: int = 40) -> dict:
    """p50 and p90 milliseconds of ``score`` for n held-out candidates (repeated to n if fewer)."""
    out = {}
    for n in sizes:
        times = []
        for item in (items * runs)[:runs]:
            candidates, titles, previous = (item.candidates * n)[:n], (item.titles * n)[:n], (item.previous * n)[:n]
            began = time.perf_counter()
            model.score(item.question, candidates, titles, previous)
            times.append(1000 * (time.perf_counter() - began))
        out[str(n)] = {"p50_ms": float(np.median(times)), "p90_ms": float(np.quantile(times, 0.9))}
    return out
