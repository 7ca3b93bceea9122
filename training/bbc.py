"""The dev half of bench/questions_bbc.json as training questions (never its test half:
that is the product's held-out evaluation), and, for a run that asks for them, our own
training questions (training/questions/*.json: written for training only, over BBC articles
that no question set of bench/ uses). Follow-up turns are left out: they need the
conversation to make sense."""

from __future__ import annotations

import json
import logging

from corpus.loader import load_file
from index.chunking import sentence_spans
from training.config import BBC_DIR, BBC_QUESTIONS, BBC_TRAIN_QUESTIONS
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


def read_dev(own: bool = False, dev: bool = True) -> tuple[dict[str, list[Paragraph]], list[Item]]:
    """BBC articles (one Paragraph each) and the dev questions about them; with ``own``, also
    our training questions; without ``dev``, only those (the dev half then stays unread, so
    that bench/adopt_reader.py's news half judges questions the reader never saw)."""
    data = json.loads(BBC_QUESTIONS.read_text(encoding="utf-8")) if dev else {"answerable": [], "unanswerable": []}
    answerable = [q for q in data["answerable"] if q["split"] == "dev"]
    unanswerable = [q for q in data["unanswerable"] if q["split"] == "dev"]
    if own:
        answerable, unanswerable = answerable + _own("answerable"), unanswerable + _own("unanswerable")
    articles: dict[str, list[Paragraph]] = {}
    items, dropped = [], 0
    for q in answerable:
        para = articles.setdefault(f"bbc:{q['doc']}", [article(q["doc"])])[0]
        item = _answerable(q, para)
        dropped += item is None
        items += [item] if item else []
    for q in unanswerable:
        for doc in [q["near_doc"], *q.get("docs", [])][:1]:
            articles.setdefault(f"bbc:{doc}", [article(doc)])
            items.append(Item(qid=q["id"], question=q["question"].strip(), article=f"bbc:{doc}", source="bbc",
                              paragraph=0))
    log.info("BBC: %d questions over %d articles (%d dropped: evidence not in one sentence)",
             len(items), len(articles), dropped)
    return articles, items


def _own(key: str) -> list[dict]:
    """Our training questions of one key, each with an id of its file and place."""
    found = []
    for path in sorted(BBC_TRAIN_QUESTIONS.glob("*.json")):
        for n, q in enumerate(json.loads(path.read_text(encoding="utf-8")).get(key, [])):
            found.append({**q, "id": f"{path.stem}:{key[0]}{n}"})
    return found


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
