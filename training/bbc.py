"""The dev half of bench/questions_bbc.json as training questions (never its test half:
that is the product's held-out evaluation). Follow-up turns are left out: they need the
conversation to make sense."""

from __future__ import annotations

import json
import logging

from corpus.loader import load_file
from index.chunking import sentence_spans
from training.config import BBC_DIR, BBC_QUESTIONS
from training.data import Item, Paragraph

log = logging.getLogger(__name__)


def _norm(text: str) -> str:
    # as bench/bbc_questions.py compares evidence with the article
    return " ".join(text.lower().replace("’", "'").split())


def article(doc: str) -> Paragraph:
    """The article as the assistant indexes it (corpus.loader: decoded, cleaned), in sentences."""
    document = load_file(BBC_DIR / doc, BBC_DIR.resolve(), "bbc")
    text = document.text
    return Paragraph(f"bbc:{doc}", [text[s:e] for s, e in sentence_spans(text)], title=document.title)


def read_dev() -> tuple[dict[str, list[Paragraph]], list[Item]]:
    """BBC articles (one Paragraph each) and the dev questions about them."""
    data = json.loads(BBC_QUESTIONS.read_text(encoding="utf-8"))
    articles: dict[str, list[Paragraph]] = {}
    items, dropped = [], 0
    for q in (q for q in data["answerable"] if q["split"] == "dev"):
        para = articles.setdefault(f"bbc:{q['doc']}", [article(q["doc"])])[0]
        item = _answerable(q, para)
        dropped += item is None
        items += [item] if item else []
    for q in (q for q in data["unanswerable"] if q["split"] == "dev"):
        for doc in [q["near_doc"], *q.get("docs", [])][:1]:
            articles.setdefault(f"bbc:{doc}", [article(doc)])
            items.append(Item(qid=q["id"], question=q["question"].strip(), article=f"bbc:{doc}", source="bbc",
                              paragraph=0))
    log.info("BBC dev: %d questions over %d articles (%d dropped: evidence not in one sentence)",
             len(items), len(articles), dropped)
    return articles, items


def _answerable(q: dict, para: Paragraph) -> Item | None:
    """Positive: the sentence holding the evidence; span: the first expected answer found in it."""
    evidence = _norm(q["evidence"])
    found = [i for i, s in enumerate(para.sentences) if evidence in _norm(s)]
    # evidence over several sentences: the first sentence it holds whole
    found = found or [i for i, s in enumerate(para.sentences) if len(s) > 20 and _norm(s) in evidence]
    if not found:
        return None
    sentence = para.sentences[found[0]]
    item = Item(qid=q["id"], question=q["question"].strip(), article=para.article, source="bbc", paragraph=0,
                answers=list(q["expected"]), answer_sentence=found[0])
    for expected in q["expected"]:
        at = sentence.lower().find(expected.lower())
        if at >= 0:
            item.span = (at, at + len(expected))
            break
    return item
