"""Answers to questions that are not one-fact lookups (see :mod:`assistant.reading.shapes`):
an overview of an article or a topic, a comparison, a list, a description.

Each is a step that gathers what the shape needs (the whole article for an overview, each
side's passages for a comparison) and an answerer that composes cited sentences from it.
Sentences are chosen with the stored sentence vectors and the trained reader; no step here
calls the embedder.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import replace

import numpy as np

from assistant import calibration
from assistant.core.answer import Answer, Citation, Refusal
from assistant.core.pipeline import Found
from assistant.core.question import LABELS, Question
from assistant.reading.evidence import BULLET, Evidence, read_as, sentence_vectors_of, sentences_of
from assistant.reading.model import Reading
from assistant.reading.refusal import mentioned, spelled_out_acronyms
from assistant.reading.shapes import side_query
from assistant.reading.steps import article_passages, articles_of, leans_on_cited
from index import Passage
from index.chunking import sentence_spans
from index.lexical import stem, term_set, terms
from index.mirror import LiveMirror


def _about(question: Question, found: Found, mirror: LiveMirror) -> list[str]:
    """The articles a question about "the article" means, best first: the one document it is
    filtered to, the one the previous answer cited (a follow-up), else the article of the
    passage retrieval ranks first. Hybrid retrieval already weighs the title and the lead
    (its features were fitted on lookups); the overrides it replaced, the article whose title
    holds two of the question's terms and the article most passages come from among those
    naming its rarest name, each chose a wrong article where retrieval's first was right
    (shapes dev overviews 0.752 -> 0.777: "Sharp's motion-sensitive phone for Vodafone in
    Japan" is not "Vodafone appoints new Japan boss"; 2026-12-08)."""
    if len(question.filters.doc_ids) == 1:
        return list(question.filters.doc_ids)
    # a follow-up that names something the conversation did not ask about ("Summarize the
    # Japan article" after a question on sovereign AI) means the article that names it
    if question.follow_up and question.cited_doc and (leans_on_cited(question) or _OTHER.search(question.text)):
        if not _OTHER.search(question.text):
            return [question.cited_doc]
        # "And the other article?": the closest article to the conversation but the one cited
        current = mirror.current()
        for i in np.argsort(-(current.vectors @ question.vector), kind="stable"):
            if current.passages[i].doc_id != question.cited_doc:
                return [current.passages[i].doc_id]
        return []
    return [found.retrieved.passages[0].doc_id] if found.retrieved.passages else []


_OTHER = re.compile(r"\b(other|another|second|next|different)\b", re.I)

# Words that speak of the text, not of its topic ("the main points of the articles"): terms
# as index.lexical.terms gives them ("new" is how it gives "news"), a closed class.
_OF_THE_TEXT = frozenset("article story stories piece report new main point summar summary summarize summarise gist "
                         "overview key two three compare comparison contrast differ difference "
                         # the cue words of a topic overview ("Catch me up on X", "Bring me up to speed")
                         "catch fill bring spe update happen latest recap boil rundown coverage far".split())


# "both articles", "the two stories": how many articles a topic overview gives (English numbers)
_COUNTED = re.compile(r"\b(both|two|three)\s+(?:\w+\s+)?(?:articles|stories|pieces|reports)\b", re.I)


def articles_asked(question: Question) -> int:
    """How many articles a topic overview gives: as many as the question says, else TOPIC_ARTICLES."""
    counted = _COUNTED.search(question.text)
    return {"both": 2, "two": 2, "three": 3}[counted.group(1).lower()] if counted else calibration.TOPIC_ARTICLES


def topic_terms(question: Question) -> set[str]:
    """The question's terms that name its topic, less those that speak of the articles."""
    return set(question.terms) - _OF_THE_TEXT


class EveryArticle:
    """A topic overview that names no topic ("What are the main points of the articles?"):
    the newest TOPIC_ARTICLES articles, each with its gist, instead of a relevance floor that
    its few words would never pass; any other topic question goes to ``floor``, with only
    the words of its topic."""

    def __init__(self, floor, mirror: LiveMirror) -> None:
        self.floor, self.mirror = floor, mirror

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        if topic_terms(question) or question.follow_up:
            # "the articles" in "What do the articles say about X?" is no word of its topic
            return self.floor(replace(question, terms=tuple(t for t in question.terms if t not in _OF_THE_TEXT)), found)
        firsts = articles_of([p for p in self.mirror.passages if question.filters.accepts(p)])
        newest = sorted(firsts, key=lambda p: p.date or "", reverse=True)[: articles_asked(question)]
        if not newest:
            return Refusal("not_about", "no indexed article is within the filters", "none of them is within your filters")
        return found.narrowed([p for doc in newest for p in article_passages(self.mirror, doc.doc_id)])


class WholeArticle:
    """An overview of "the article": its passages become all of that article's chunks."""

    def __init__(self, mirror: LiveMirror) -> None:
        self.mirror = mirror

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        if not found.retrieved.passages and not question.filters.doc_ids:
            return Refusal("not_about", "no indexed passage is about this question", "none of them says what you asked")
        docs = _about(question, found, self.mirror)
        passages = [p for d in docs for p in article_passages(self.mirror, d)]
        if question.asks_for_more and passages and not _unsaid(_prose(sentences_of(passages)), question):
            return Refusal("article_ends", "the overview before gave every sentence of the article",
                           "the article says nothing more")
        return found.narrowed(passages) if passages else found


def key_sentences(evidence: list[Evidence], vectors: np.ndarray, n: int, said: np.ndarray | None = None,
                  towards: np.ndarray | None = None) -> list[Evidence]:
    """The ``n`` sentences that best cover an article: central (close to the article's mean
    vector), early (news puts what matters first), holding facts (names, dates, figures: up
    to three count), and not saying what a chosen one says,
    nor what ``said`` (sentences already shown from other articles) says (maximal marginal
    relevance), returned in the article's order. With ``towards`` (a question's vector),
    closeness to it takes the place of centrality and position: what the article says of
    the question rather than its gist."""
    if not evidence:
        return []
    facts = np.array([min(_names_in(e), 3) / 3 for e in evidence], dtype=np.float32)
    if towards is not None:
        value = vectors @ towards + calibration.OVERVIEW_FACTS * facts
    else:
        centre = vectors.mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        position = np.arange(len(evidence), dtype=np.float32) / max(len(evidence) - 1, 1)
        value = vectors @ centre - calibration.OVERVIEW_POSITION * position + calibration.OVERVIEW_FACTS * facts
    shown = said if said is not None else np.zeros((0, vectors.shape[1]), dtype=np.float32)
    chosen: list[int] = []
    while len(chosen) < min(n, len(evidence)):
        before = np.concatenate([shown, vectors[chosen]])
        redundancy = (vectors @ before.T).max(axis=1) if len(before) else np.zeros(len(evidence))
        score = value - calibration.OVERVIEW_REDUNDANCY * redundancy
        score[chosen] = -np.inf
        if len(shown):  # what another article already said is not said again
            score[(vectors @ shown.T).max(axis=1) >= calibration.SAID_ALREADY] = -np.inf
        if not np.isfinite(score).any():
            break
        chosen.append(int(np.argmax(score)))
    return [evidence[i] for i in sorted(chosen, key=lambda i: evidence[i].doc_start)]


def _names_in(e: Evidence) -> int:
    """How many names, dates and figures (spaCy's entities, stored at index time) it holds."""
    lo, hi = e.start, e.start + len(e.text)
    return sum(1 for s, t, _ in e.passage.entities if lo <= s and t <= hi)


def _prose(evidence: list[Evidence]) -> list[Evidence]:
    """Sentences that read as prose: no table rows or headings, nor the article's title line
    (an overview shows the title as its heading already)."""
    return [e for e in evidence if e.header is None and not e.text.lstrip().startswith("|")
            and e.text.strip() != e.passage.title.strip()]


def _cite(groups: list[tuple[str, list[Evidence]]]) -> tuple[str, list[Citation]]:
    """Text with [n] markers, one group per heading ("" for none), and its citations."""
    text, citations, _ = _numbered(groups)
    return text, citations


def _numbered(groups: list[tuple[str, list[Evidence]]]) -> tuple[str, list[Citation], dict[str, int]]:
    """:func:`_cite`, and the marker number of each passage (chunk id)."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    blocks = []
    for heading, items in groups:
        parts = []
        shown_to = (None, -1, 0)  # (article, offset, marker) up to which a quotation run on has shown it
        for item in items:
            key = item.passage.chunk_id
            if item.passage.doc_id == shown_to[0] and item.doc_start < shown_to[1]:
                numbers.setdefault(key, shown_to[2])
                continue  # the quotation of the sentence before already holds it
            text = item.shown
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(Citation.of(numbers[key], item.passage, text, item.doc_start))
            shown_to = (item.passage.doc_id, item.doc_start + len(text), numbers[key])
            parts.append(f"{text} [{numbers[key]}]")
        blocks.append((f"**{heading}**\n" if heading else "") + " ".join(parts))
    return "\n\n".join(blocks), citations, numbers


def _dated(passage: Passage) -> str:
    return f"{passage.title} ({passage.date})" if passage.date else passage.title


class OverviewAnswerer:
    """The gist: one article's key sentences in its order, or for a question about a topic
    across articles, each article's best sentences under its title, newest first."""

    name = "extractive"

    def __init__(self, embedder, mirror: LiveMirror) -> None:
        self.embedder, self.mirror = embedder, mirror

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        docs = list(dict.fromkeys(p.doc_id for p in found.passages))
        if len(docs) == 1:
            evidence = _unsaid(_prose(sentences_of(list(found.passages))), question)
            chosen = key_sentences(evidence, sentence_vectors_of(evidence, self.embedder), calibration.OVERVIEW_SENTENCES)
            text, citations = _cite([(_dated(found.passages[0]), chosen)])
        else:
            text, citations = _cite(self._per_article(question, found))
        yield text
        return Answer(text=text, citations=citations, backend=backend or self.name, notes=list(question.notes))

    def _per_article(self, question: Question, found: Found) -> list[tuple[str, list[Evidence]]]:
        """Each retrieved article's key sentences (see :func:`key_sentences`) that add to
        what the articles before it said, newest article first. Retrieval already chose
        the articles by the question; within one, its gist is what the question asks."""
        groups = []
        said: list[np.ndarray] = []  # what the articles before said: another article's sentence adds to it
        best: dict[str, float] = {}  # each article's closest passage
        for p in found.passages:
            best[p.doc_id] = max(best.get(p.doc_id, -1.0), p.score)
        top = max(best.values(), default=0.0)
        topic = topic_terms(question)
        close = [d for d in best if not topic or best[d] >= top - calibration.TOPIC_GAP]  # not one that only touches it
        # of those, the articles whose opening names the topic are about it; one that only
        # mentions it further on is left out, when two openings or more name it
        named = {d for d in close if self._names_topic(d, topic)} if topic else set()
        if len(named) >= 2:  # a story two articles open on; with one, the others may word it otherwise
            close = [d for d in close if d in named]
        about = self._distinct(close, articles_asked(question))
        # a topic only one article is about gets that article's whole overview
        n = calibration.TOPIC_SENTENCES if len(about) > 1 else calibration.OVERVIEW_SENTENCES
        for evidence, vectors in about:
            if question.asks_for_more:  # "Tell me more": the key sentences not yet given
                unsaid = _unsaid(evidence, question) or evidence
                vectors, evidence = vectors[[evidence.index(e) for e in unsaid]], unsaid
            # an article whose opening (title, first two sentences) names the topic is about it: its gist;
            # one that only mentions it further on ("sovereign AI" in an article on an AI
            # partnership): what it says of the question
            towards = question.vector if topic and evidence[0].passage.doc_id not in named else None
            chosen = key_sentences(evidence, vectors, n, said=np.asarray(said, dtype=np.float32) if said else None,
                                   towards=towards)
            said += [vectors[evidence.index(e)] for e in chosen]
            groups.append((evidence[0].passage, chosen))
        groups.sort(key=lambda g: g[0].date or "", reverse=True)  # newest first; undated last
        return [(_dated(passage), items) for passage, items in groups]

    def _names_topic(self, doc_id: str, topic: set[str]) -> bool:
        """The article's opening (title and first two sentences) holds TOPIC_NAMED of the
        topic's words (by idf)."""
        idf = self.mirror.bm25().idf
        first = _prose(sentences_of(article_passages(self.mirror, doc_id)))[:2]
        opening = term_set(" ".join([first[0].passage.title, *(e.text for e in first)])) if first else set()
        return sum(idf(t) for t in topic & opening) >= calibration.TOPIC_NAMED * sum(idf(t) for t in topic)

    def _distinct(self, doc_ids: list[str], most: int) -> list[tuple[list[Evidence], np.ndarray]]:
        """The first ``most`` articles' prose sentences and their vectors, leaving out a copy
        of one before it: the same title and a first sentence that says the same (some
        stories are filed twice, under two ids)."""
        kept: list[tuple[list[Evidence], np.ndarray]] = []
        for doc_id in doc_ids:
            if len(kept) == most:
                break
            evidence = _prose(sentences_of(article_passages(self.mirror, doc_id)))
            if not evidence:
                continue
            vectors = sentence_vectors_of(evidence, self.embedder)
            title = evidence[0].passage.title.strip().lower()
            if not any(title == e[0].passage.title.strip().lower() and float(v[0] @ vectors[0]) >= calibration.SAID_ALREADY
                       for e, v in kept):
                kept.append((evidence, vectors))
        return kept


def _unsaid(evidence: list[Evidence], question: Question) -> list[Evidence]:
    """For "Tell me more" after an overview, the sentences no answer of the conversation gave."""
    if not question.asks_for_more:
        return evidence
    said = question.said_so_far
    return [e for e in evidence if e.text not in said]


def _name_terms(name: str) -> list[str]:
    """The terms a name is found by, numbers aside (an article's "March Budget" for a
    question's "March 2005 Budget")."""
    return [t for t in terms(name) if not t.isdigit()]


def _names(wanted: list[str], have: set[str] | frozenset[str]) -> bool:
    """Terms ``have`` name the thing: every one of its terms, as :func:`mentioned` allows."""
    return bool(wanted) and all(mentioned(t, have) for t in wanted)


def _present(side: str, mirror: LiveMirror, doc_ids: list[str]) -> bool:
    """Some article names the side: all its terms, and, for a name that repeats a term
    ("Johnson & Johnson", which a set of terms cannot tell from "Johnson"), as a phrase."""
    wanted = _name_terms(side)
    naming = [d for d in doc_ids if _names(wanted, mirror.article_terms(d))]
    if len(set(wanted)) == len(wanted):
        return bool(naming)
    return any(_says(wanted, " ".join(p.text for p in article_passages(mirror, d))) for d in naming)


class Sides:
    """A comparison: each side's passages, retrieved with the side's name and the rest of
    the question; refused only when a side is named in no article at all."""

    def __init__(self, retriever, k: int) -> None:
        self.retriever, self.k = retriever, k

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        mirror = self.retriever.mirror
        every = list(dict.fromkeys(p.doc_id for p in mirror.passages))
        absent = [s for s in question.shape.sides if not _present(s, mirror, every)
                  and not set(terms(s)) <= spelled_out_acronyms(" ".join(p.text for p in found.retrieved.passages))]
        if absent:
            named = " and ".join(absent)
            return Refusal("unmentioned", f"the articles never mention {named}", f"no article mentions {named}")
        passages = []
        sides = question.shape.sides
        for side, vector in zip(sides, question.side_vectors):
            query = side_query(question.standalone, side, sides)
            got = self.retriever.retrieve(query, 2 * self.k, question.filters, vector=vector)
            passages += [p for p in got.passages if _present(side, mirror, [p.doc_id])][: self.k]
        return found.narrowed(list({p.chunk_id: p for p in passages}.values()))


def _says(wanted: list[str], text: str) -> bool:
    """The text names it as one phrase, its terms in a row: "said John Craig", not "Craig
    Bellamy and John Hartson"."""
    have, n = terms(text), len(wanted)
    return n > 0 and any(have[i:i + n] == wanted for i in range(len(have) - n + 1))


def _naming(wanted: list[str], evidence: list[Evidence], phrase: bool = False) -> list[int]:
    """The sentences that name a side: all its terms (with ``phrase``, in a row: a person's
    name), or (news names "George Galloway" once, then "Galloway") the last term of a name of
    several, in an article that names it whole."""
    whole = [i for i, e in enumerate(evidence)
             if ((_says(wanted, e.text) or _says(wanted, e.passage.title)) if phrase
                 else _names(wanted, set(terms(f"{e.text} {e.passage.title}"))))]
    if len(wanted) < 2:
        return whole
    articles = {evidence[i].passage.doc_id for i in whole}
    return [i for i, e in enumerate(evidence) if i in whole or (
        e.passage.doc_id in articles and mentioned(wanted[-1], set(terms(e.text))))]


class ComparisonAnswerer:
    """For each side, its best sentences that name it, under the side's name, each cited:
    first from an article whose title names the side, and all from one article (its best
    sentence's) or from articles that name every side, so that a side is not told with a
    sentence from another story that happens to name it."""

    name = "extractive"

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        evidence = _prose(sentences_of(list(found.passages)))
        vectors = sentence_vectors_of(evidence, self.embedder) if evidence else np.zeros((0, 1))
        sides = [_name_terms(side) for side in question.shape.sides]
        naming = [_naming(wanted, evidence) for wanted in sides]
        # articles with sentences naming every side are about the comparison itself
        every = set.intersection(*({evidence[i].passage.doc_id for i in n} for n in naming)) if naming else set()
        groups = []
        told: set[str] = set()  # sentences a side before was told with
        for side, wanted, named, side_vector in zip(question.shape.sides, sides, naming, question.side_vectors):
            score = {i: float(vectors[i] @ question.vector + vectors[i] @ side_vector) for i in named}
            # its own article first (its title names it: "Yahoo moves into desktop search"), then the best
            own = {i for i in named if _names(wanted, set(terms(evidence[i].passage.title)))}
            # a sentence naming both sides tells the first; the second gets its own, if it has any
            fresh = [i for i in named if evidence[i].text not in told] or named
            top: list[int] = []
            for i in sorted(fresh, key=lambda i: (i not in own, -score[i])):
                if len(top) == calibration.COMPARISON_SENTENCES:
                    break
                if top and evidence[i].passage.doc_id not in every | {evidence[top[0]].passage.doc_id}:
                    continue  # from its best sentence's article, or one about every side: not another story
                if all(evidence[i].text != evidence[j].text for j in top):  # overlapping chunks hold it twice
                    top.append(i)
            told |= {evidence[i].text for i in top}
            groups.append((side, sorted((evidence[i] for i in top), key=lambda e: (e.passage.doc_id, e.doc_start))))
        text, citations = _cite([(side, items) for side, items in groups if items])
        yield text
        return Answer(text=text, citations=citations, backend=backend or self.name, notes=list(question.notes))


class ListAnswerer:
    """The items a list question asks for, each once, each cited: names of the asked kind
    (spaCy's entities stored at index time: organisations for "which companies") or, for a
    head noun that is no kind ("frameworks", "models"), the capitalised names that end in it
    ("the ASEAN Digital Data Governance Framework"), taken from the sentences the reader says
    answer, else from every passage found; then the reader's short answers in the other
    sentences of that article (see :meth:`_answered_items`)."""

    name = "extractive"

    def __init__(self, mirror: LiveMirror, load_reader=None) -> None:
        self.mirror, self.load_reader = mirror, load_reader

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        head = list_head(question.text)
        items: dict[str, tuple[str, Evidence]] = {}
        for doc_id in dict.fromkeys(p.doc_id for p in found.passages):  # lists the articles set out themselves
            _add(items, _bulleted(_prose(sentences_of(article_passages(self.mirror, doc_id))), head,
                                  frozenset(question.terms) - {head}), question)
        # a list an article sets out itself, under a sentence naming the noun asked or
        # announcing it, is the answer: names gathered from prose beside it would only add
        # what is not of the kind
        if not items and head in _UNNAMED_HEADS:  # "Which years ...", "What were the reasons ...": no names to list
            return (yield from _the_sentences(question, found, backend))
        if not items and found.evidence and question.asked.kind == "description" and _no_name_answers(found.evidence[0]):
            # "What threats will IE7 protect against?": the reader's answer is "spyware and
            # phishing scams", no name; the names of the sentences around are none of the items
            return (yield from _the_sentences(question, found, backend))
        if not items:
            _add(items, _counted(question.text, found), question)
        if not items:
            article = list_article(found, question, self.mirror) if found.evidence else None
            _add(items, list((_items(_listing(found, article), question, head)
                              or _items(_best_article(found, article), question, head)).values()),
                 question)
            if self.load_reader is not None and found.evidence:
                _add(items, self._answered_items(question, article, found.evidence), question)
        items = _full_names(items, self.mirror)
        if question.asked.kind in ("person", "who"):
            items = _no_places(items)
        if not _ASKS_WHO_SAID.search(question.text):
            items = _not_sources(items)
        if not items:  # nothing of the kind named: the sentences themselves
            return (yield from _the_sentences(question, found, backend))
        answer = _itemised(items, question, backend or self.name, found.evidence[0].score if found.evidence else None)
        yield answer.text
        return answer

    def _answered_items(self, question: Question, doc_id: str, read: tuple[Evidence, ...] = ()
                        ) -> list[tuple[str, Evidence]]:
        """The short answers the reader finds in the sentences of the article that it says
        answer the question (P at least LIST_SPAN_P and LIST_SPAN_SHARE of the article's
        best): in news a list is often spread over sentences, each item its own sentence's
        answer ("Burnout 3 won three awards", "Halo 2 won the best Xbox game category"). A
        short answer inside an enumeration brings the enumeration's names, and so does any
        enumeration of a sentence given at least LIST_SENTENCE_P ("... joining headliners
        Scissor Sisters and Franz Ferdinand")."""
        article = _prose(sentences_of(article_passages(self.mirror, doc_id)))
        if not article:
            return []
        # the sentences the reader already read for this question (a follow-up's were read otherwise)
        known = {} if question.follow_up else {(e.passage.doc_id, e.doc_start): Reading(e.score, e.span) for e in read}
        unread = [e for e in article if (e.passage.doc_id, e.doc_start) not in known]
        fresh = dict(zip(map(id, unread), self.load_reader().score(question.as_read, *read_as(unread))))
        readings = [known.get((e.passage.doc_id, e.doc_start)) or fresh[id(e)] for e in article]
        floor = max(calibration.LIST_SPAN_P, calibration.LIST_SPAN_SHARE * max(r.p_answer for r in readings))
        typed = question.asked.kind in LABELS and question.asked.kind not in ("title", "quantity")
        out = []
        listed, lone = set(), set()
        for i, (sentence, reading) in enumerate(zip(article, readings)):
            if reading.p_answer < floor or reading.span is None:
                continue
            names = _span_names(sentence.text, reading.span.start, reading.span.end)
            if typed:  # "which companies": a name spaCy tagged as some name (its label is often wrong)
                tagged = " ".join(_entities(sentence, _NAME_LABELS)).lower()
                names = [n for n in names if any(w.lower() in tagged for w in n.split())]
            if reading.p_answer >= calibration.LIST_SENTENCE_P:  # it answers: its enumerations are the list
                names += _enumerations(sentence.text)
                if not names and i + 1 < len(article):
                    # it answers but names nothing ("Four British athletes have been picked."):
                    # news names them in the sentence that follows ("A, B, C and D will ...")
                    out += [(name, article[i + 1]) for name in _enumerations(article[i + 1].text)]
            out += [(name, sentence) for name in names]
            if len(names) >= 3:
                listed.add(id(sentence))
            elif reading.p_answer < calibration.LIST_SENTENCE_P:
                lone.add(id(sentence))
        # news writes a list as an enumeration: once a sentence gives three names or more,
        # a lone name from a sentence the reader doubts answers ("Japan", "the ASEAN
        # Responsible AI Roadmap" beside "SEA-LION, ILMU and Sahabat-AI") is not of it.
        # Shapes dev lists 0.671 / 0.652 -> 0.660 / 0.691 (2026-12-07)
        if listed:
            out = [(name, sentence) for name, sentence in out if id(sentence) not in lone]
        return out


_HOW_MANY = re.compile(r"^(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|dozens?|"
                       r"hundreds?|thousands?|several|many)$", re.I)


def _no_name_answers(best: Evidence) -> bool:
    """The best sentence answers (P at least LIST_SENTENCE_P) with a short answer of common
    words: no word in it opens with a capital (but the sentence's first) or a digit. Shapes
    dev lists (50, 2026-12-08), for questions whose head noun is of no name kind ("threats",
    "ingredients"): recall / precision 0.634 / 0.579 -> 0.654 / 0.594; for every list
    question 0.544 / 0.513 (a sentence-initial "Campaigners" or "Six" answers lists of names)."""
    span = best.span
    if span is None or best.score < calibration.LIST_SENTENCE_P:
        return False
    words = best.text[span.start:span.end].split()
    if not words or _HOW_MANY.match(words[0]):
        return False  # "three new ferries": how many, and the items are named after ("Osprey, Kittiwake and ...")
    opens = not best.text[:span.start].strip()  # the answer opens the sentence: its capital says nothing
    return not any(w[:1].isupper() or w[:1].isdigit() for i, w in enumerate(words) if i or not opens)


def _labels_of(name: str, sentence: Evidence) -> set[str]:
    """spaCy's labels (stored at index time) of the sentence's entities that hold the name or
    that it holds."""
    text, end = sentence.passage.text, sentence.start + len(sentence.text)
    return {label for s, e, label in sentence.passage.entities
            if sentence.start <= s and e <= end and (text[s:e] in name or name in text[s:e])}


def _no_places(items: dict[str, tuple[str, Evidence]]) -> dict[str, tuple[str, Evidence]]:
    """A list of people holds no place or nationality: spaCy's small model mislabels people
    as organisations or places now and then, but what it labels a country, a city or a
    nationality (and never a person) is one ("Birmingham", "Italy" among "Which players ...").
    Shapes dev lists (50): precision 0.569 -> 0.579, recall unchanged (2026-12-08)."""
    kept = {}
    for key, (name, sentence) in items.items():
        labels = _labels_of(name, sentence)
        if "PERSON" in labels or not labels & {"GPE", "LOC", "NORP"}:
            kept[key] = (name, sentence)
    return kept


# Who a sentence says said it: "said Rob Pollard, sales director for Arbor Networks ...",
# "Lawyer Louise Christian, who represents ..., said", "Foreign Secretary Jack Straw told"
# (English reporting verbs, a closed set; after "said" only capitalised words or a role's
# lowercase ones, not "said it will ...": what was said).
_REPORTED = r"(?:said|says|told|tells|added)"
_SOURCE_NAME = r"(?:[A-Z][\w.'’&-]*)(?:\s+(?:of|the|for|and|de|at)?\s*[A-Z][\w.'’&-]*)*"
_SOURCES = (
    re.compile(rf"\b{_REPORTED}\s+(?:(?!(?:that|it|he|she|they|we|i|you|there|this|the|a|an|its|his|her|their|was|is|"
               rf"will|would|had|has|to|on|in)\b)[a-z-]+\s+){{0,3}}{_SOURCE_NAME}(?:,[^\"“”]*)?"),
    re.compile(rf"{_SOURCE_NAME}(?:,\s[^,\"“”]{{1,90}},)?\s+{_REPORTED}\b"),
)
# a question about what was said wants its sources
_ASKS_WHO_SAID = re.compile(r"\b(said|say|says|told|tell|quoted|quote|comment|commented|criticis|criticiz|spoke|speak|"
                            r"warn|warned|claim|claimed|argue|argued|according)\w*", re.I)


def _not_sources(items: dict[str, tuple[str, Evidence]]) -> dict[str, tuple[str, Evidence]]:
    """A list holds what its sentences report, not who reports it: a name inside the
    attribution of its sentence ("..., said Rob Pollard, sales director for Arbor Networks")
    is the source, not an item. On the 50 dev lists of the shapes bench (2026-12-08) this
    drops 11 names, none of them an item asked for."""
    kept = {}
    for key, (name, sentence) in items.items():
        spans = [m.span() for pattern in _SOURCES for m in pattern.finditer(sentence.text)]
        if not any(name in sentence.text[a:b] for a, b in spans):
            kept[key] = (name, sentence)
    return kept


def _itemised(items: dict[str, tuple[str, Evidence]], question: Question, backend: str,
              confidence: float | None = None) -> Answer:
    """"A [1], B [2] and C [1].": each item with the citation of the sentence that gave it."""
    used = list(dict.fromkeys(s for _, s in items.values()))
    _, citations, number = _numbered([("", used)])
    named = [f"{text} [{number[s.passage.chunk_id]}]" for text, s in items.values()]
    text = ((", ".join(named[:-1]) + " and " + named[-1]) if len(named) > 1 else named[0]) + "."
    return Answer(text=text, citations=citations, backend=backend, notes=list(question.notes), confidence=confidence)


# "Who else ...", "Which other companies ...": besides those already named (closed class)
_BESIDES = re.compile(r"\b(else|other|others|another|besides)\b", re.I)
# Words that ask which names of a kind the text gives, and nothing about them ("Which
# companies are mentioned?", "Who is quoted in the article?"): a closed class, as terms gives them
_AS_GIVEN = frozenset(terms("list name named mention mentioned cite cited quote quoted involved appear appears "
                            "article articles story stories piece report text all every people person persons "
                            "else other others another besides"))
_KINDS_NAMED = {"person": ("PERSON",), "who": ("PERSON",), "organisation": ("ORG",), "place": ("GPE", "LOC")}


def named_of_a_kind(question: Question) -> tuple[str, ...]:
    """The entity labels a question asks for when it asks only which names of a kind an
    article gives ("Which companies are mentioned?", "Who is quoted in the story about the
    Ambani feud?"), else ()."""
    labels = _KINDS_NAMED.get(question.asked.kind, ())
    asked = terms(_IN_THE_ARTICLE.sub("", question.text))  # "... in the article about X" says which article
    if not labels or set(asked) - _AS_GIVEN - {list_head(question.text)} - set(terms(question.asked.focus)):
        return ()
    return labels


# "... in the article about X", "... in the story on X": which article (English, closed class)
_IN_THE_ARTICLE = re.compile(r"\b(in|from|by|of)\s+(the|this|that)\s+(article|story|piece|report)\b.*$", re.I)


class FocusArticles:
    """The articles a question about "the names mentioned" means: the one(s) ``--doc``
    names, else the one "in the article about X" names (found as an overview finds it), else
    (a follow-up) the one the previous answer cited, else every article when there are no
    more than TOPIC_ARTICLES, else the best retrieved one. Its other words say nothing about
    what it asks of, so retrieval by them would pick at random."""

    def __init__(self, mirror: LiveMirror) -> None:
        self.mirror = mirror

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        every = list(dict.fromkeys(p.doc_id for p in self.mirror.passages if question.filters.accepts(p)))
        named = _IN_THE_ARTICLE.search(question.text)
        if named and terms(named.group(0)) and set(terms(named.group(0))) - _AS_GIVEN and found.retrieved.passages:
            docs = _about(question, found, self.mirror)[:1]  # "... in the article about X": as an overview finds it
        elif question.follow_up and question.cited_doc in every:
            docs = [question.cited_doc]
        elif len(every) <= calibration.TOPIC_ARTICLES:
            docs = every
        else:
            docs = list(dict.fromkeys(p.doc_id for p in found.passages))[:1]
        if not docs:
            return Refusal("not_about", "no indexed article is within the filters", "none of them is within your filters")
        found = found.narrowed([p for d in docs for p in article_passages(self.mirror, d)])
        if not names_given(question, found, self.mirror):
            return Refusal("no_items", "the articles in focus name nothing of the kind asked",
                           "none of them names what you asked for")
        return found


# A sentence that quotes someone: a quotation mark, or a verb of saying (closed class of English)
_QUOTES = re.compile(r"[\"“”]|\b(said|says|told|tells|explained|added|noted|stated|argued|warned|insisted|"
                     r"according to)\b")
_CONNECTOR = frozenset("of for and the de du von van & in on at".split())


class NamedAnswerer:
    """The names of the kind asked that the articles in focus give, in their order, each
    once, each cited (spaCy's entities stored at index time); "quoted" keeps those named in
    a sentence that quotes or reports speech."""

    name = "extractive"

    def __init__(self, mirror: LiveMirror) -> None:
        self.mirror = mirror

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        answer = _itemised(names_given(question, found, self.mirror), question, backend or self.name)
        yield answer.text
        return answer


def names_given(question: Question, found: Found, mirror: LiveMirror) -> dict[str, tuple[str, Evidence]]:
    """The names of the kind asked in the passages found, in order, each once, by the full
    name its article gives."""
    labels = named_of_a_kind(question) or _KINDS_NAMED["person"]
    quoted = "quot" in question.terms
    items: dict[str, tuple[str, Evidence]] = {}
    for sentence in _prose(sentences_of(list(found.passages))):
        if not quoted or _QUOTES.search(sentence.text):
            _add(items, [(name, sentence) for name in map(_as_named, _joined_entities(sentence, labels)) if name],
                 question)
    items = _full_names(items, mirror)
    if _BESIDES.search(question.text):  # "Who else is mentioned?": not those the answers before named
        said = set(terms(question.said_so_far))
        items = {key: item for key, item in items.items() if not set(_name_terms(item[0])) <= said}
    return items


def _joined_entities(sentence: Evidence, labels) -> list[str]:
    """:func:`_entities`, with a name spaCy cut in two at a connector joined again ("The
    U.S. Agency for" + "International Development")."""
    text = sentence.passage.text
    joined: list[list[int]] = []
    for span in map(list, _entity_spans(sentence, labels)):
        between = text[joined[-1][1]:span[0]] if joined else ""
        if joined and (re.fullmatch(r"\s+(of|for|de)(\s+the)?\s+", between)
                       or (not between.strip() and text[joined[-1][0]:joined[-1][1]].split()[-1] in _CONNECTOR)):
            joined[-1][1] = span[1]
        else:
            joined.append(span)
    return [text[s:e] for s, e in joined]


def _as_named(entity: str) -> str:
    """An entity as a list names it: "the United States" is "United States"; a tag that runs
    on past the name ("Barclays for £2bn") ends where its capitalised words do; "AI
    development fund" is "AI"."""
    words = re.sub(r"^(the|a|an)\s+", "", entity.strip(), flags=re.I).split()
    kept: list[str] = []
    for word in words:
        if not (word[:1].isupper() or (kept and word in _CONNECTOR)):
            break
        kept.append(word)
    while kept and kept[-1] in _CONNECTOR:
        kept.pop()
    return re.sub(r"['’]s$", "", " ".join(kept))


_COUNT_WORDS = {w: i for i, w in enumerate("two three four five six seven eight nine ten".split(), start=2)}
_ASKED_COUNT = re.compile(r"\b(?:which|what|the|name|list)\s+(?:all\s+)?(?:of\s+the\s+)?(two|three|four|five|six|seven|eight|nine|ten|"
                          r"[2-9])\b", re.I)


def _counted(text: str, found: Found) -> list[tuple[str, Evidence]]:
    """A question that says how many ("Which two studios ...", "What are the three largest
    ...") is answered by the enumeration of that many names that holds the reader's short
    answer in a sentence it says answers (the best such): that sentence names them all, and
    names gathered elsewhere would be more than were asked for."""
    match = _ASKED_COUNT.search(text)
    if not match:
        return []
    wanted = int(match.group(1)) if match.group(1).isdigit() else _COUNT_WORDS[match.group(1).lower()]
    for sentence in found.evidence:
        span = getattr(sentence, "span", None)
        if sentence.score < calibration.LIST_SENTENCE_P or span is None:
            break  # ranked by P: the rest answer less
        for run in _runs(sentence.text):
            if len(run) == wanted and run[0].start() < span.end and span.start < run[-1].end():  # the answer's
                return [(_member(m), sentence) for m in run]
    return []


def _the_sentences(question: Question, found: Found, backend: str | None) -> Generator[str, None, Answer]:
    """A list question answered as a lookup is: by the three best sentences."""
    from assistant.reading.extractive import ExtractiveAnswerer

    return (yield from ExtractiveAnswerer(3).answer(question, found, backend))


def _member(match: re.Match) -> str:
    """An enumeration member's name: no opening preposition or conjunction, no owner, no
    closing full stop or quote."""
    return _unowned(_OPENER.sub("", match.group(0))).rstrip(".'’")


def _enumerations(text: str) -> list[str]:
    """The members of the enumerations ("A, B and C") of a sentence."""
    return [_member(m) for run in _runs(text) if len(run) > 1 for m in run]


def _span_names(text: str, start: int, end: int) -> list[str]:
    """The names a short answer holds: the members of an enumeration it overlaps
    ("Aviator, Million Dollar Baby and Sideways"), else the names inside it; nothing when it
    names nothing (lowercase, or a number such as "Four")."""
    names = [m for m in _TITLE.finditer(text) if m.start() > 0 or len(m.group(0).split()) > 1]
    runs = _runs(text, names)
    inside = [m for m in names if m.start() < end and start < m.end()]
    for run in runs:
        if len(run) > 1 and any(m in run for m in inside):
            inside = run
            break
    found = [_member(m) for m in inside]
    return [n for n in found if n and not _NUMBER_WORD.match(n.split()[0])]


# Words that open a sentence with a capital and are no part of a name that follows
# ("As Google's ...", "While SEA-LION ..."): English prepositions and conjunctions.
_OPENER = re.compile(r"^(?:As|But|And|Or|In|On|At|For|With|While|When|After|Before|If|Although|Though|Meanwhile|However|"
                     r"Since|Because|By|From|Under|Unlike|Like|Despite|Several|Many|Some|Other|Both|Each|All)\s+(?=\S)")


_NUMBER_WORD = re.compile(r"^(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundreds?|thousands?|"
                          r"millions?|dozens?|first|second|third|last|the|a|an|this|that|these|those)$", re.I)


def _unowned(name: str) -> str:
    """An owner's possessive is not part of a name ("Singapore’s SEA-LION" is SEA-LION); a
    contraction is ("Who's David?", "It's Grim Up North")."""
    return re.sub(r"^(?!(?:who|what|where|it|that|there|here|he|she|let)['’]s\b)[\w.-]+['’]s\s+", "", name, flags=re.I)




def _bulleted(evidence: list[Evidence], head: str, asked: frozenset[str] = frozenset()) -> list[tuple[str, Evidence]]:
    """A list an article sets out itself: a run of bullets whose lead-in (the line before
    the first) names the noun asked for ("... supported by several key policy frameworks
    ...", then "- ASEAN Guide on AI Governance and Ethics: Adopted in 2024, ..."), or
    announces them with a colon and names two of the ``asked`` terms ("In his budget Mr
    Chidambaram has:" for "What measures does Chidambaram's budget include?"). Each
    bullet's label (before its colon, or the whole of a short bullet) is an item."""
    runs: list[list[Evidence]] = []  # bullets one line after another
    for before, e in zip([None, *evidence], evidence):
        if not BULLET.match(e.text):
            continue
        if runs and before is runs[-1][-1] and _next_line(before, e):
            runs[-1].append(e)
        else:
            runs.append([e])
    out: list[tuple[str, Evidence]] = []
    for run in runs:
        if _leads_in(_line_before(run[0]), head, asked):
            for item in run:
                body = BULLET.sub("", item.text)
                label = body.split(":", 1)[0] if ":" in body[:100] else body.rstrip(".")
                if len(label.split()) <= 20:  # one sentence at most: a longer bullet is a paragraph
                    out.append((label.strip(), item))
    return out


def _next_line(bullet: Evidence, other: Evidence) -> bool:
    """``other`` goes on from ``bullet``: the line after it in its passage, or the first
    line of the article's next chunk."""
    if other.passage is not bullet.passage:
        return other.passage.doc_id == bullet.passage.doc_id
    return not other.passage.text[bullet.start + len(bullet.text):other.start].strip()


def _line_before(bullet: Evidence) -> str:
    """The last sentence of the line before a bullet, in its passage ("" at the passage's start)."""
    line = bullet.passage.text[:bullet.start].rstrip().rsplit("\n", 1)[-1]
    spans = sentence_spans(line)
    return line[spans[-1][0]:spans[-1][1]] if spans else ""


def _leads_in(line: str, head: str, asked: frozenset[str]) -> bool:
    said = term_set(line)
    return bool(line) and not BULLET.match(line) and (
        bool(head) and head in said or line.rstrip().endswith(":") and len(asked & said) >= 2)


def list_article(found: Found, question: Question, mirror: LiveMirror) -> str:
    """The article a list is read from: of the articles holding a sentence the reader read,
    the first in retrieval's order among those that name most of what the question names
    ("Which athletes won events at the Boston Indoor Games?": an article about the European
    Indoor championships may have the best sentence, but a list of its winners is no list of
    Boston's). Retrieval's order rather than the reader's best sentence breaks a tie: it
    weighs the title and lead of the article, the reader one sentence (shapes dev lists, 50:
    recall / precision 0.606 / 0.581 -> 0.634 / 0.569; 2026-12-08)."""
    read = {e.passage.doc_id for e in found.evidence}
    retrieved = [d for d in dict.fromkeys(p.doc_id for p in found.retrieved.passages) if d in read]
    docs = retrieved + [d for d in dict.fromkeys(e.passage.doc_id for e in found.evidence) if d not in retrieved]
    if not question.names:
        return docs[0]
    named = {d: len(question.names & term_set(" ".join(p.text for p in article_passages(mirror, d)))) for d in docs}
    return max(docs, key=named.get)  # the first of those naming the most


def _listing(found: Found, article: str | None) -> list[Evidence]:
    """The sentences a list is read from: those of the best answer's article the reader
    gives at least LIST_SENTENCE_P, else its three best."""
    same = [e for e in found.evidence if e.passage.doc_id == article]
    return [e for e in same if e.score >= calibration.LIST_SENTENCE_P] or same[:3]


def _best_article(found: Found, article: str | None) -> list[Evidence]:
    """Every sentence of the passages found in the best answer's article."""
    return sentences_of([p for p in found.passages if p.doc_id == article])


_LIST_HEAD = re.compile(r"\b(?:list|name|which|what|all)\s+(?:(?:are|were)\s+)?(?:all\s+)?(?:of\s+)?(?:the\s+)?"
                        r"(?:[\w-]+\s+){0,2}?([a-z]+s)\b", re.I)  # "What are the key policy frameworks?"


# Heads of a list whose items are no names but times or clauses ("Which years did NYC host
# ...?", "What were the reasons why ...?"): the sentences that give them answer, as a lookup's
# do. English words for units of time and for reasons and ways (closed sets), stemmed.
_UNNAMED_HEADS = frozenset(stem(w) for w in "years months days dates decades centuries seasons weeks hours times periods "
                           "reasons causes ways means methods".split())


def list_head(text: str) -> str:
    """The plural noun a list question asks for ("frameworks" in "List the frameworks
    mentioned"), singular and stemmed; "" when there is none."""
    match = _LIST_HEAD.search(text)
    return stem(match.group(1).lower()) if match else ""


# Names that are things rather than people, places or dates: what an untyped list
# ("models", "initiatives") most often asks for.
_THING_LABELS = ("ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "FAC")
_NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW")


def _items(sentences: list[Evidence], question: Question, head: str) -> dict[str, tuple[str, Evidence]]:
    typed = question.asked.kind in LABELS and question.asked.kind not in ("title", "quantity")
    labels = LABELS[question.asked.kind] if typed else _THING_LABELS
    # "... Framework": the head noun capitalised inside a name ("PC game" is no name)
    named = re.compile(rf"((?:[A-Z][\w.&'’-]*\s+){{1,6}}{re.escape(head[:1].upper() + head[1:])}\w*)") \
        if head and not typed else None
    sentences = _prose(sentences)
    headed = [(m.group(1).strip(), e) for e in sentences for m in (named.finditer(e.text) if named else ())]
    # names that end in the head noun ("... Framework") are the items when there are any
    # in a sentence that enumerates names of the kind ("... stores in Klin, Kursk and Omsk"),
    # the enumeration is the list: its other names are the frame ("Sun Interbrew", "Russia")
    found = headed or [(text, e) for e in sentences for text in (_enumerated(e, labels) or _entities(e, labels))]
    items: dict[str, tuple[str, Evidence]] = {}
    _add(items, found, question)
    return items


def _add(items: dict[str, tuple[str, Evidence]], found: list[tuple[str, Evidence]], question: Question) -> None:
    """Add the names found to the items, each once (by its words)."""
    for text, sentence in found:
        text = bare_name(text)
        # a name of common words only ("You Said No", "The Who") is keyed by its words
        key = " ".join(terms(text)) or " ".join(re.findall(r"\w+", text.lower()))
        named = set(_name_terms(text)) or set(key.split())
        if not key or "," in text or _WHEN.search(text.split()[0]) or named <= set(question.terms) or _FIGURE.match(text):
            continue  # nothing, two names run together, a day or month, what the question names ("V Festival 2005"), a figure ("797p")
        same = [other for other in items if _same_item(key, other)]
        if not same:
            items[key] = (text, sentence)
        elif len(same) == 1 and len(key) > len(same[0]):  # "Queens of the Stone Age" for "Stone Age"
            items.pop(same[0])
            items[key] = (text, sentence)


# Honorifics (closed class of English), as terms gives them ("Dr." -> "dr").
_HONORIFICS = frozenset("mr mrs ms miss dr prof sir dame lord lady rev".split())
# An honorific before a surname alone ("Mrs Brown's Boys" is a title).
_TITLED = re.compile(rf"^(?:{'|'.join(sorted(h.capitalize() for h in _HONORIFICS))})\.?\s+(?=[A-Z][\w-]*$)")


def bare_name(text: str) -> str:
    """A list item's name without an owner's "'s" ("Gregorio's" names Gregorio), an opening
    conjunction ("But Darren Campbell"), an honorific ("Mr Walsh" is Walsh, whom
    :func:`_full_names` then gives in full, once) or the full stop of the sentence it ended
    ("Eli Ford." but "U.S.")."""
    text = re.sub(r"(?<![.\s][A-Z])\.$", "", text.strip())
    return _TITLED.sub("", _OPENER.sub("", re.sub(r"['’]s$", "", text)))


_FIGURE = re.compile(r"^[\d£$€¥]")  # a price, a score or a count is no name


def _same_item(key: str, other: str) -> bool:
    """One item's words run inside the other's ("pavey" in "jo pavey"; not "ian" in "brian")."""
    a, b = f" {key} ", f" {other} "
    return a in b or b in a


def _full_names(items: dict[str, tuple[str, Evidence]], mirror: LiveMirror) -> dict[str, tuple[str, Evidence]]:
    """A one-word item as its article names it in full: news introduces "Jo Pavey" and
    then writes "Pavey", and a list of surnames is no list of people. The longest
    entity of the article that ends in the word; items that become the same, once."""
    out: dict[str, tuple[str, Evidence]] = {}
    names: dict[str, list[str]] = {}
    for key, (text, sentence) in items.items():
        if " " not in text and text[:1].isupper():
            doc = sentence.passage.doc_id
            if doc not in names:
                names[doc] = [p.text[s:e] for p in article_passages(mirror, doc) for s, e, _ in p.entities]
            longer = [n for n in names[doc] if n.endswith(" " + text) and len(n.split()) <= 4]
            if longer:
                text = max(longer, key=len)
                key = " ".join(terms(text))
        if not any(_same_item(key, other) for other in out):
            out[key] = (text, sentence)
    return out


_WHEN = re.compile(r"^(mon|tues|wednes|thurs|fri|satur|sun)day$|^(january|february|march|april|may|june|july|august|"
                   r"september|october|november|december)$", re.I)


def _entities(sentence: Evidence, labels) -> list[str]:
    """Entities of these labels inside the sentence (see :func:`_entity_spans`)."""
    return [sentence.passage.text[s:e] for s, e in _entity_spans(sentence, labels)]


def _entity_spans(sentence: Evidence, labels) -> list[tuple[int, int]]:
    """(start, end) in the passage of the entities of these labels inside the sentence, but
    not the owner of a name ("Singapore’s" in "Singapore’s SEA-LION" says whose it is;
    "Microsoft’s investment" is Microsoft's)."""
    lo, hi = sentence.start, sentence.start + len(sentence.text)
    text = sentence.passage.text
    return [(s, e) for s, e, label in sentence.passage.entities
            if lo <= s and e <= hi and label in labels and not _OWNS_A_NAME.match(text, e)]


_OWNS_A_NAME = re.compile(r"['’]s\s+[A-Z]")


# between two names of an enumeration: a comma, "and" or "or", after an age or a number at
# most ("James Lomas, 15, George Maguire, 14, and Liam Mower, 12")
_BETWEEN = re.compile(r"^(?:,\s*\d{1,3})?(,\s*|,?\s+and\s+|,?\s+or\s+)$")


# A title as news writes it: capitalised words, joined by "of"/"the" ("Call of Duty") and
# ending in a number ("Burnout 3", "Colin McRae Rally 2005").
_TITLE = re.compile(r"[A-Z][\w&.'’/-]*(?:\s+(?:(?:of|the|for|de|du|von|van)\s+)?(?:[A-Z][\w&.'’/-]*|\([A-Z][\w-]*\)))*"
                    r"(?:\s+\d+\b(?![.:,\-–]\d))?")  # "Half-Life 2", not a score's "Kostanic 6" of "6-7"


def _runs(text: str, names: list[re.Match] | None = None) -> list[list[re.Match]]:
    """The capitalised names of a sentence, grouped into enumerations: names separated only
    by a comma, "and" or "or". A sentence's first word alone is no name ("The", "But")
    unless an enumeration goes on from it ("Osprey, Kittiwake and Fulmar will ...")."""
    if names is None:
        every = list(_TITLE.finditer(text))
        names = [m for i, m in enumerate(every) if m.start() > 0 or len(m.group(0).split()) > 1
                 or (i + 1 < len(every) and _BETWEEN.match(text[m.end(): every[i + 1].start()])
                     and not _OPENER.match(m.group(0) + " x"))]
    runs: list[list[re.Match]] = []
    for match in names:
        if runs and _BETWEEN.match(text[runs[-1][-1].end(): match.start()]):
            runs[-1].append(match)
        else:
            runs.append([match])
    # an enumeration ends with "and"/"or"; names joined by a comma alone are an apposition
    # ("another Ethiopian, Berhane Adera", "Sapporo, Japan"): each name stands alone
    out: list[list[re.Match]] = []
    for run in runs:
        last = text[run[-2].end(): run[-1].start()] if len(run) > 1 else " and "
        out += [run] if re.search(r"\b(and|or)\b", last) else [[m] for m in run]
    return out


def _enumerated(sentence: Evidence, labels) -> list[str]:
    """The names of an enumeration ("Hitachi Rail, Alstom and Stadler") one of whose
    members is an entity of these labels: its members are items of the same kind, whatever
    label spaCy gave the others. An owner's possessive is not part of a name
    ("Singapore’s SEA-LION" is SEA-LION)."""
    typed = {t.lower() for t in _entities(sentence, labels)}
    items = []
    for run in _runs(sentence.text):
        members = [_unowned(m.group(0)) for m in run]
        if len(members) > 1 and any(m.lower() in typed or any(m.lower() in t for t in typed) for m in members):
            items += members
    return items


class HasItems:
    """Refuse a list question when the passages found name nothing of the kind asked, and
    enumerate no names either ("Osprey, Kittiwake and Fulmar", which spaCy may tag as
    nothing)."""

    def __call__(self, question: Question, found: Found) -> Found | Refusal:
        sentences, head = sentences_of(list(found.passages)), list_head(question.text)
        if (_items(sentences, question, head) or _bulleted(_prose(sentences), head)
                or any(_enumerations(e.text) for e in _prose(sentences))):
            return found
        return Refusal("no_items", "the passages found name nothing of the kind asked",
                       "none of them names what you asked for")


# Pronouns and demonstratives (closed class) that carry a description on from the sentence
# before ("... ILMU ...", then "These models are designed to ...").
_PRONOUN = re.compile(r"^(He|She|His|Her|It|Its|They|Their|These|This)\b")


class DescriptionAnswerer:
    """ "Who is X?": the sentence that introduces X (its first mention in the article that
    says most about it), then, from an article about X (naming it in its first sentences),
    the sentences that follow; from another, the reader's best sentence about X and the
    article's other sentences about X; each cited."""

    name = "extractive"

    def __init__(self, mirror: LiveMirror) -> None:
        self.mirror = mirror

    def _article(self, wanted: list[str], found: Found, best: Evidence) -> str:
        """The article that says most about the subject: its title names it, then it has
        the most sentences naming it (by its surname only where it names it whole: an
        article about another Bell does not describe Duncan Bell); the best sentence's
        article among equals."""
        name = [t for t in wanted if t not in _HONORIFICS] or wanted  # "Dr. Amina Sharma", then "Sharma"

        def said(doc_id: str) -> tuple[int, int, int]:
            passages = article_passages(self.mirror, doc_id)
            title = _says(wanted, passages[0].title) if passages else False
            count = len(_naming(name, sentences_of(passages), phrase=True))
            return (int(title), count, int(doc_id == best.passage.doc_id))
        docs = list(dict.fromkeys([best.passage.doc_id] + [p.doc_id for p in found.passages]))
        return max(docs, key=said)

    def answer(self, question: Question, found: Found, backend: str | None = None) -> Generator[str, None, Answer]:
        wanted = _name_terms(question.shape.subject)
        own = {t for t in wanted if len(t) > 3 and t not in _HONORIFICS}  # "Sharma", not "Dr."
        naming = [e for e in found.evidence if _says(wanted, e.text)]
        best = naming[0] if naming else found.evidence[0]
        doc_id = self._article(wanted, found, best)
        if doc_id != best.passage.doc_id:  # its best sentence naming the subject, else its best
            best = next((e for e in [*naming, *found.evidence] if e.passage.doc_id == doc_id), best)
        article = _prose(sentences_of(article_passages(self.mirror, doc_id)))
        first = next((i for i, e in enumerate(article) if _says(wanted, e.text)), None)
        chosen = [best] if first is None else [article[first]]
        # then what the article says of it: the next sentences naming it (any of its words),
        # or going on about it with a pronoun right after one that names it ("He ...")
        later, naming_before = [], True
        for e in article[first + 1:] if first is not None else []:
            names = bool(own & term_set(e.text))
            if names or (naming_before and _PRONOUN.match(e.text)):
                later.append(e)
            naming_before = names
        # an article that names it in its first sentences is about it: its lead goes on describing
        # it, often without its name ("The 31-year-old Scot tested positive for ...")
        about_it = first is not None and first <= calibration.DESCRIPTION_LEAD
        if about_it:
            later = article[first + 1:]
        for item in later if about_it else [best, *later]:
            if len(chosen) > calibration.DESCRIPTION_SENTENCES or sum(len(e.text) for e in chosen) > calibration.DESCRIPTION_CHARS:
                break
            if all(item.doc_start != e.doc_start for e in chosen):
                chosen.append(item)
        text, citations = _cite([("", sorted(chosen, key=lambda e: e.doc_start))])
        yield text
        return Answer(text=text, citations=citations, backend=backend or self.name, notes=list(question.notes),
                      confidence=best.score)
