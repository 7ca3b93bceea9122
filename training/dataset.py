"""All questions, split by article, with their candidates: what every later step reads."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from training import bbc, squad
from training.augment import add_extra_negatives
from training.candidates import attach_candidates, attach_vectors
from training.config import Config
from training.data import Item

log = logging.getLogger(__name__)


@dataclass
class Splits:
    train: list[Item]
    dev: list[Item]
    test: list[Item]
    articles: dict[str, dict[str, list[str]]]  # {file: {split: [titles]}}

    def counts(self) -> dict[str, dict[str, int]]:
        """Questions per half, answerable and not (for the model card)."""
        return {name: {"answerable": sum(i.answerable for i in items),
                       "unanswerable": sum(not i.answerable for i in items),
                       "bbc": sum(i.source == "bbc" for i in items)}
                for name, items in (("train", self.train), ("dev", self.dev), ("test", self.test))}


def build(cfg: Config) -> Splits:
    """SQuAD split by article (train also gets the BBC dev questions), candidates attached."""
    split = squad.split_articles(cfg)
    titles = {t for halves in split.values() for ts in halves.values() for t in ts}
    articles, items = squad.read_articles(cfg, titles)
    bbc_articles, bbc_items = bbc.read_dev(cfg.own_questions, dev=cfg.bbc_dev)
    if cfg.max_questions:
        bbc_items = bbc_items[: cfg.max_questions]
    articles.update(bbc_articles)
    items += bbc_items
    attach_vectors(articles, cfg)
    attach_candidates(items, articles, cfg)
    half_of = {f"{name}:{t}": half for name, halves in split.items() for half, ts in halves.items() for t in ts}
    halves: dict[str, list[Item]] = {"train": [], "dev": [], "test": []}
    for item in items:
        halves["train" if item.source == "bbc" else half_of[item.article]].append(item)
    if cfg.cross_negatives or cfg.swapped_negatives:
        log.info("extra negatives: %s", add_extra_negatives(halves["train"], articles, cfg))
    splits = Splits(halves["train"], halves["dev"], halves["test"], split)
    log.info("questions: %s", splits.counts())
    return splits
