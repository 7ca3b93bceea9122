"""Embedder vectors (cached under .train/) and each question's candidate sentences."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from training.config import Config
from training.data import Item, Paragraph

log = logging.getLogger(__name__)
BBC_SHORTLIST = 10  # BBC articles are one long text: the top sentences by cosine (plus the answer)


def embed(texts: list[str], cache: Path, what: str) -> np.ndarray:
    """The answerer's own int8 embedder (index.MiniLMEmbedder.embed_batch), cached on disk by content."""
    from index import MiniLMEmbedder

    key = hashlib.sha256("\x00".join([MiniLMEmbedder.identity, *texts]).encode()).hexdigest()[:20]
    path = cache / f"{what}-{key}.npy"
    if path.exists():
        return np.load(path)
    embedder, parts = MiniLMEmbedder(), []
    for start in range(0, len(texts), 256):
        parts.append(embedder.embed_batch(texts[start:start + 256]))
        log.info("embedded %d/%d %s", min(start + 256, len(texts)), len(texts), what)
    vectors = np.concatenate(parts) if parts else np.zeros((0, MiniLMEmbedder.dim), np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def attach_vectors(articles: dict[str, list[Paragraph]], cfg: Config) -> None:
    """Give every paragraph the vectors of its sentences."""
    paragraphs = [p for paras in articles.values() for p in paras]
    vectors = embed([s for p in paragraphs for s in p.sentences], cfg.work / "cache", "sentences")
    at = 0
    for p in paragraphs:
        p.vectors, at = vectors[at:at + len(p.sentences)], at + len(p.sentences)


def attach_candidates(items: list[Item], articles: dict[str, list[Paragraph]], cfg: Config) -> None:
    """Fill each item's candidates, their cosines, and which one is positive / the hard negative."""
    questions = embed([item.question for item in items], cfg.work / "cache", "questions")
    for item, vector in zip(items, questions):
        _candidates(item, articles[item.article], vector, cfg)


def _candidates(item: Item, paragraphs: list[Paragraph], vector: np.ndarray, cfg: Config) -> None:
    """SQuAD: the paragraph's sentences plus the closest sentences of the article's other
    paragraphs; BBC: the article's closest sentences. The answer and the plausible-answer
    sentence are always kept; at most cfg.max_candidates, ordered by cosine."""
    scored = [(float(v @ vector), p, i) for p, para in enumerate(paragraphs) for i, v in enumerate(para.vectors)]
    if item.source == "bbc":
        pool = sorted(scored, reverse=True)[:BBC_SHORTLIST]
    else:
        own = [s for s in scored if s[1] == item.paragraph]
        others = sorted((s for s in scored if s[1] != item.paragraph), reverse=True)
        pool = own + others[: cfg.other_sentences]
    forced = {(item.paragraph, i) for i in (item.answer_sentence, item.plausible_sentence) if i is not None}
    keep = [s for s in scored if (s[1], s[2]) in forced]
    keep += [s for s in sorted(pool, reverse=True) if (s[1], s[2]) not in forced][: cfg.max_candidates - len(keep)]
    keep.sort(reverse=True)
    item.candidates = [paragraphs[p].sentences[i] for _, p, i in keep]
    item.titles = [paragraphs[p].title for _, p, _ in keep]
    item.previous = [paragraphs[p].sentences[i - 1] if i > 0 else "" for _, p, i in keep]
    item.cosines = [c for c, _, _ in keep]
    where = [(p, i) for _, p, i in keep]
    if item.answer_sentence is not None:
        item.positive = where.index((item.paragraph, item.answer_sentence))
    if item.plausible_sentence is not None:
        item.hard = where.index((item.paragraph, item.plausible_sentence))
