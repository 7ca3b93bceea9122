"""Extra negatives for training questions only (never for the held-out halves, whose
candidates stay what the figures were defined on).

Two kinds, for the two ways the served reader answers what the articles do not say:

- **Other articles' sentences.** The answerer reads passages retrieved from several
  articles, so the sentence that looks most like an answer is often from an article about
  something else ("How much did Clarkson's lawsuit ask?" -> another article's "firms were
  asked to pay £350m"). SQuAD candidates all come from the question's own article; here each
  training question also gets the ``cross_negatives`` sentences of *other* training
  articles closest to it by the embedder's cosine (the answerer's own shortlist measure).
- **The answer sentence about something else.** SQuAD 2.0's unanswerable questions are
  mostly the answerable one with its entity or date swapped; the swap is made the other way
  here: in the answer sentence, a name or year the question asks about is replaced by
  another name (from other articles' questions) or another year. The sentence keeps its
  shape and its answer-like span but is now about something else, so it must not answer.

Both are appended to the item's candidates; ``Item.cross`` and ``Item.swapped`` say where.
"""

from __future__ import annotations

import random
import re

import numpy as np

from training.candidates import embed
from training.config import Config
from training.data import Item, Paragraph

# English words that open questions or name nothing: a capitalised run starting with one of
# these starts after it ("When did Apple ..." -> "Apple"). A closed class, not fitted to data.
_FUNCTION_WORDS = {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "in", "on", "at", "for", "from",
    "to", "by", "of", "the", "a", "an", "is", "are", "was", "were", "do", "does", "did", "can", "could", "has",
    "have", "had", "will", "would", "should", "after", "before", "during", "according", "with", "about", "as",
    "name", "besides", "other", "than", "and", "or", "not", "if", "that", "this", "these", "those", "i",
}
_NAME = re.compile(r"[A-Z][\w'’.&-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'’.&-]*)*")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")


def names_in(question: str) -> list[str]:
    """Capitalised runs of a question, less the function words that open them."""
    out = []
    for match in _NAME.finditer(question):
        words = match.group().split()
        while words and words[0].lower().strip("'’") in _FUNCTION_WORDS:
            words = words[1:]
        name = " ".join(words).rstrip(".")
        name = re.sub(r"['’]s?$", "", name)  # "Newcastle's" is the name Newcastle
        if len(name) >= 2:
            out.append(name)
    return out


def add_extra_negatives(train: list[Item], articles: dict[str, list[Paragraph]], cfg: Config) -> dict[str, int]:
    """Append cross-article and swapped negatives to the training items; returns counts."""
    counts = {"cross": _add_cross(train, articles, cfg) if cfg.cross_negatives else 0,
              "swapped": _add_swaps(train, cfg) if cfg.swapped_negatives else 0}
    return counts


def _add_cross(train: list[Item], articles: dict[str, list[Paragraph]], cfg: Config) -> int:
    keys = sorted({item.article for item in train})
    owner, texts, titles, vectors = [], [], [], []
    for k, key in enumerate(keys):
        for para in articles[key]:
            owner += [k] * len(para.sentences)
            texts += para.sentences
            titles += [para.title] * len(para.sentences)
            vectors.append(para.vectors)
    matrix, owner = np.concatenate(vectors), np.asarray(owner)
    questions = embed([item.question for item in train], cfg.work / "cache", "questions-train")
    index_of = {key: k for k, key in enumerate(keys)}
    added = 0
    for start in range(0, len(train), 512):
        block = questions[start:start + 512] @ matrix.T
        for row, item in zip(block, train[start:start + 512]):
            row[owner == index_of[item.article]] = -np.inf
            top = np.argpartition(-row, cfg.cross_negatives)[: cfg.cross_negatives]
            top = top[np.argsort(-row[top])]
            item.cross = list(range(len(item.candidates), len(item.candidates) + len(top)))
            item.candidates += [texts[i] for i in top]
            item.titles += [titles[i] for i in top]
            item.cosines += [float(row[i]) for i in top]
            added += len(top)
    return added


def _add_swaps(train: list[Item], cfg: Config) -> int:
    pool: dict[int, list[str]] = {}
    for item in train:
        for name in names_in(item.question):
            pool.setdefault(len(name.split()), []).append(name)
    added = 0
    for item in train:
        if item.positive is None:
            continue
        rng = random.Random(f"{cfg.seed}:swap:{item.qid}")
        sentence = swapped(item.question, item.candidates[item.positive], item.span, pool, rng)
        if sentence is not None:
            item.swapped = len(item.candidates)
            item.candidates.append(sentence)
            item.titles.append(item.titles[item.positive])
            item.cosines.append(item.cosines[item.positive])
            added += 1
    return added


def swapped(question: str, sentence: str, span: tuple[int, int] | None, pool: dict[int, list[str]],
            rng: random.Random) -> str | None:
    """``sentence`` with one name or year the question asks about replaced (outside the
    answer span), or None when the sentence holds none of them."""
    answer = span or (0, 0)
    choices = []
    for name in names_in(question):
        for m in re.finditer(re.escape(name), sentence):
            if m.end() <= answer[0] or m.start() >= answer[1]:
                choices.append((m.start(), m.end(), "name", name))
    for m in _YEAR.finditer(question):
        for s in _YEAR.finditer(sentence):
            if s.group() == m.group() and (s.end() <= answer[0] or s.start() >= answer[1]):
                choices.append((s.start(), s.end(), "year", s.group()))
    if not choices:
        return None
    start, end, kind, old = rng.choice(choices)
    if kind == "year":
        new = str(int(old) + rng.choice([-1, 1]) * rng.randint(1, 20))
    else:
        others = [n for n in pool.get(len(old.split()), []) if n.lower() not in question.lower()
                  and n.lower() not in sentence.lower()]
        if not others:
            return None
        new = rng.choice(others)
    return sentence[:start] + new + sentence[end:]
