"""SQuAD-format articles from /work/shared/qa-train, split by article into train/dev/test."""

from __future__ import annotations

import hashlib
import json
import logging
import random

from index.chunking import sentence_spans
from training.config import HELD_OUT, SQUAD_DIR, SQUAD_FILES, Config
from training.data import Item, Paragraph, sentence_of

log = logging.getLogger(__name__)


def load_file(name: str) -> list[dict]:
    """The file's articles, after checking it is the file the README describes."""
    data = (SQUAD_DIR / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SQUAD_FILES[name]:
        raise SystemExit(f"{SQUAD_DIR / name} has sha256 {digest}, expected {SQUAD_FILES[name]}")
    return json.loads(data)["data"]


def split_articles(cfg: Config) -> dict[str, dict[str, list[str]]]:
    """{file: {"train"|"dev"|"test": [titles]}}: a seeded shuffle of each file's titles, so the
    held-out halves are stratified across the three sources (SQuAD 2.0 dev, train, 1.1)."""
    split = {}
    for name in SQUAD_FILES:
        titles = sorted(article["title"] for article in load_file(name))
        if cfg.articles_per_file:
            titles = titles[: cfg.articles_per_file]
        n_test, n_dev = HELD_OUT[name] if not cfg.articles_per_file else (1, 1)
        random.Random(f"{cfg.seed}:{name}").shuffle(titles)
        split[name] = {"test": sorted(titles[:n_test]), "dev": sorted(titles[n_test:n_test + n_dev]),
                       "train": sorted(titles[n_test + n_dev:])}
    return split


def read_articles(cfg: Config, titles: set[str]) -> tuple[dict[str, list[Paragraph]], list[Item]]:
    """Paragraph sentences by article key, and every usable question of those articles."""
    articles, items, dropped = {}, [], 0
    for name in SQUAD_FILES:
        for article in load_file(name):
            if article["title"] not in titles:
                continue
            key = f"{name}:{article['title']}"
            articles[key] = []
            for p, paragraph in enumerate(article["paragraphs"]):
                context = paragraph["context"]
                spans = sentence_spans(context)
                # the title as bench/squad_heldout.py indexes the article (its first line)
                articles[key].append(Paragraph(key, [context[s:e] for s, e in spans], title=article["title"].replace("_", " ")))
                for qa in paragraph["qas"][: cfg.max_questions or None]:
                    item = _item(qa, spans, key, name, p)
                    dropped += item is None
                    items += [item] if item is not None else []
    log.info("SQuAD: %d questions over %d articles (%d dropped: answer across a sentence boundary)",
             len(items), len(articles), dropped)
    return articles, items


def _item(qa: dict, spans: list[tuple[int, int]], key: str, name: str, p: int) -> Item | None:
    """An Item for one question; None when its answer crosses a sentence boundary."""
    item = Item(qid=qa["id"], question=qa["question"].strip(), article=key, source=name, paragraph=p)
    if qa.get("is_impossible"):
        plausible = (qa.get("plausible_answers") or [None])[0]
        if plausible:
            item.plausible_sentence = sentence_of(spans, plausible["answer_start"])
        return item
    answer = qa["answers"][0]
    start, end = answer["answer_start"], answer["answer_start"] + len(answer["text"])
    i = sentence_of(spans, start)
    if i is None or end > spans[i][1]:
        return None
    item.answer_sentence, item.span = i, (start - spans[i][0], end - spans[i][0])
    item.answers = [a["text"] for a in qa["answers"]]
    return item
