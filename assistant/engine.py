"""From a question (and the conversation so far) to a cited answer.

One flow for every backend: clean the question, resolve a follow-up, build the turn's
:class:`Question` (every embedding it needs in one batched call), retrieve from the
index's mirror, run the reading steps (:func:`default_steps`), then hand the question and
what was found to the backend's answerer, or return the first step's refusal.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property, partial

import numpy as np

from assistant import calibration
from assistant.core.answer import REFUSAL, Answer, Refusal
from assistant.core.memory import Memory, Turn, asked_of_another, picked_article, resolve_deterministically
from assistant.core.pipeline import Found, Retrieved, Step, run_steps
from assistant.core.question import Filters, Question, Shape, elliptical
from assistant.errors import BackendError, QuestionError
from assistant.llm import generative
from assistant.llm.backends import ChatModel, make_chat_model
from assistant.reading.analysis import Analyser, phrases
from assistant.reading.collection import CollectionAnswerer, CollectionTopic, Dated
from assistant.reading.extractive import ExtractiveAnswerer
from assistant.reading.model import load_reader
from assistant.reading.reader import HoldsTheKind, NoAnswer, NoSentence, ReadSentences
from assistant.reading.refusal import NamingArticles, Unmentioned
from assistant.reading.shape_head import ShapeHead, masked, shape_head
from assistant.reading.shaped import (
    ComparisonAnswerer,
    DescriptionAnswerer,
    EveryArticle,
    FocusArticles,
    HasItems,
    ListAnswerer,
    NamedAnswerer,
    OverviewAnswerer,
    Sides,
    WholeArticle,
    named_of_a_kind,
)
from assistant.reading.shapes import shape_of, side_query, sides_asked_before
from assistant.reading.steps import FollowUpTopic, ReadOn, RelevanceFloor
from assistant.retrieval.hybrid import HybridRetriever
from index import Index

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Event = str | Answer  # text deltas while answering, then the final Answer


def clean_question(question: str) -> str:
    text = " ".join(_CONTROL.sub(" ", question or "").split())
    if not text:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long (limit {MAX_QUESTION_CHARS:,}); ask about one thing at a time"
        )
    return text


def default_steps(settings, retriever: HybridRetriever, embedder) -> list[Step]:
    """The reading steps, in order: relevance floor, follow-up topic, names the articles
    never mention, the articles naming the rarest name, the trained reader, the sentences
    holding the time or number asked, and the reader's refusal threshold."""
    reader = partial(load_reader, settings.reader_model)  # loaded (and sha-checked) on the first question
    return [
        RelevanceFloor(settings.min_score, retriever.mirror),
        FollowUpTopic(),
        Unmentioned(retriever.mirror),
        NamingArticles(retriever.mirror),
        ReadSentences(embedder, reader),
        HoldsTheKind(),
        NoAnswer(reader, settings.reader_threshold),
    ]


def shape_steps(settings, retriever: HybridRetriever, embedder) -> dict[str, tuple[list[Step], object]]:
    """For each shape but the lookup, its steps and (for the extractive backend) its answerer."""
    reader = partial(load_reader, settings.reader_model)
    floor = RelevanceFloor(settings.min_score, retriever.mirror)
    read = ReadSentences(embedder, reader)
    return {
        # an overview of a story about something no article mentions is refused, not given of another article
        "overview": ([Unmentioned(retriever.mirror), WholeArticle(retriever.mirror)],
                     OverviewAnswerer(embedder, retriever.mirror)),
        "topic": ([EveryArticle(floor, retriever.mirror), Unmentioned(retriever.mirror)],
                  OverviewAnswerer(embedder, retriever.mirror)),
        "comparison": ([Sides(retriever, settings.top_k)], ComparisonAnswerer(embedder)),
        "list": ([FollowUpTopic(), Unmentioned(retriever.mirror), HasItems(), read, NoAnswer(reader, settings.reader_threshold)],
                 ListAnswerer(retriever.mirror, reader)),
        "description": ([floor, FollowUpTopic(), Unmentioned(retriever.mirror), read, NoSentence()],
                        DescriptionAnswerer(retriever.mirror)),
        "named": ([FocusArticles(retriever.mirror)], NamedAnswerer(retriever.mirror)),
        "collection": ([CollectionTopic([floor, Unmentioned(retriever.mirror)])], CollectionAnswerer(retriever.mirror)),
        "dated": ([Dated(WholeArticle(retriever.mirror), otherwise=default_steps(settings, retriever, embedder))],
                  CollectionAnswerer(retriever.mirror, ExtractiveAnswerer(settings.answer_max_sentences))),
        "more": ([ReadOn(retriever.mirror, otherwise=default_steps(settings, retriever, embedder))],
                 ExtractiveAnswerer(settings.answer_max_sentences)),
    }


class Engine:
    def __init__(self, settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self.retriever = HybridRetriever(index)
        self.analyser = Analyser(index.embedder)
        self.extractive = ExtractiveAnswerer(settings.answer_max_sentences)
        self._models: dict[str, ChatModel | None] = {}

    @cached_property
    def steps(self) -> list[Step]:
        """The steps between retrieval and answer, in order (a plain list: replace or drop one)."""
        return default_steps(self.settings, self.retriever, self.index.embedder)

    @cached_property
    def shapes(self) -> dict[str, tuple[list[Step], object]]:
        """Steps and extractive answerer per question shape other than the lookup."""
        return shape_steps(self.settings, self.retriever, self.index.embedder)

    def plan(self, question: Question, name: str) -> tuple[list[Step], object]:
        shape = question.shape
        key = "topic" if shape.kind == "overview" and shape.scope == "topic" else shape.kind
        if question.asks_for_more and key == "lookup":
            key = "more"  # "Tell me more": the article goes on
        if key == "collection" and shape.scope == "date":
            key = "dated"  # "When was the article about X published?": that article's date
        if key == "list" and named_of_a_kind(question):
            key = "named"  # "Which companies are mentioned?": every name of the kind in the articles in focus
        steps, extractive = self.shapes.get(key, (self.steps, self.extractive))
        if key == "collection":
            return steps, extractive  # titles and dates: nothing a model could add, and it would miscount
        return steps, self.answerer(name, extractive)

    def chat_model(self, name: str) -> ChatModel | None:
        if name not in self._models:
            self._models[name] = make_chat_model(name, self.settings)
        return self._models[name]

    def answerer(self, name: str, extractive=None):
        """The backend's answerer; ``extractive`` answers without a model (and when a model
        fails or says nothing the passages support): the lookup's by default."""
        extractive = extractive or self.extractive
        model = self.chat_model(name)
        if model is None:
            return extractive
        return generative.GenerativeAnswerer(
            model, self.index.embedder, extractive,
            max_tokens=self.settings.llm_max_tokens, fallback=self.settings.fallback_to_extractive,
        )

    def stream(self, question: str, memory: Memory, *, k: int | None = None, filters: Filters = Filters(),
               backend: str | None = None, standalone: bool = False) -> Iterator[Event]:
        started = time.perf_counter()
        name = backend or self.settings.backend
        asked = self.question(clean_question(question), memory, filters, self.chat_model(name),
                              resolve=not standalone)
        steps, answerer = self.plan(asked, name)
        depth = k or self.settings.top_k
        if asked.shape.kind == "overview" and asked.shape.scope == "topic":
            depth = max(depth, calibration.TOPIC_PASSAGES)  # a topic's articles, not only its five best passages
        retrieved = self.retriever.retrieve(asked.standalone, depth, asked.filters,
                                            boost_doc=asked.cited_doc, vector=asked.vector)
        timings = {"retrieve": _ms(started)}
        outcome = run_steps(steps, asked, Found.of(retrieved))
        if isinstance(outcome, Refusal):
            refusal = self._searched(outcome, asked, retrieved)
            answer = Answer(REFUSAL, refused=True, backend=name, notes=[*asked.notes, refusal.reason], refusal=refusal,
                            confidence=refusal.confidence)
        else:
            answer = yield from answerer.answer(asked, outcome)
        answer.shape = asked.shape.kind
        answer.question, answer.standalone_question = asked.text, asked.standalone
        answer.timings_ms = {**timings, "total": _ms(started)}
        _remember(memory, answer, asked)
        yield answer

    def question(self, text: str, memory: Memory, filters: Filters, model: ChatModel | None,
                 resolve: bool = True) -> Question:
        """The turn's question: a follow-up resolved (if ``resolve``), what it asks for, and
        its embeddings (the retrieval query, a follow-up's own words, the head-noun phrases
        the analysis compares with the kinds) from one embedder call."""
        if resolve:
            text, filters, resolve = self._in_conversation(text, memory, filters)
        standalone, context, notes = self._resolve(text, memory, model) if resolve else (text, "", [])
        last = memory.last if context else None
        shape = shape_of(text) if not context or not last or last.shape == "lookup" else self._kept_shape(text, last)
        # a question of its own the rules read as a lookup is read by the learned head too
        # (a follow-up such as "Which countries?" leans on the turn before: the rules alone)
        head = shape_head() if not context and ShapeHead.asked(text, shape) else None
        asked = [turn.question for turn in memory.turns]
        if resolve and shape.kind not in ("comparison", "overview") and (compared := sides_asked_before(text, asked)):
            # "Compare them" after two questions that differ by a name: those names, each
            # read in the words of the questions that asked of it
            shape, standalone = Shape("comparison", sides=compared), f"{text} {asked[-2]} {asked[-1]}"
        candidates = phrases(text)
        sides = [side_query(standalone, side, shape.sides) for side in shape.sides]
        texts = [standalone, *([text] if context else []), *sides, *candidates, *([masked(text)] if head else [])]
        vectors = self.index.embedder.embed_batch(texts)
        first_side, first_candidate = 1 + bool(context), 1 + bool(context) + len(sides)
        known = dict(zip(candidates, vectors[first_candidate:first_candidate + len(candidates)]))
        side_vectors = tuple(vectors[first_side: first_side + len(sides)])
        if head and (read := head.refine(text, shape, vectors[-1])) is not shape:
            shape = read
            if shape.sides:  # a comparison the head read: its sides, each read in the question's words
                side_vectors = tuple(self.index.embedder.embed_batch(
                    [side_query(standalone, side, shape.sides) for side in shape.sides]))
        return Question.of(
            text, standalone, context, self.analyser.analyse(text, known), vectors[0],
            own_vector=vectors[1] if context else None, filters=filters, cited_doc=last.cited_doc if last else None,
            said=last.answer if last else "", history=tuple(memory.as_messages()), notes=tuple(notes), shape=shape,
            referent=last.referent if last else "",
            side_vectors=side_vectors,
        )

    def _in_conversation(self, text: str, memory: Memory, filters: Filters) -> tuple[str, Filters, bool]:
        """What a question means given the answer before, read before any follow-up is
        resolved: "Summarize the second one" after a list of articles is asked of that article
        alone; "And Japan?" after "What does the U.S. offer ASEAN?" is "What does Japan offer
        ASEAN?", a whole question, so not to be resolved against the one before (False)."""
        picked = picked_article(text, memory)
        if picked and not filters.doc_ids:
            filters = replace(filters, doc_ids=(picked,))
        other = asked_of_another(text, memory, self.closest_name)
        return other or text, filters, other is None

    def closest_name(self, name: str, names: list[str]) -> int:
        """The index of the name in ``names`` whose embedding is nearest ``name``'s."""
        vectors = self.index.embedder.embed_batch([name, *names])
        return int(np.argmax(vectors[1:] @ vectors[0]))

    @staticmethod
    def _kept_shape(text: str, last) -> Shape:
        """An elliptical follow-up ("And the other article?") keeps the shape of the turn
        before, unless its own words give it one; a whole question of its own ("Which country
        built SEA-LION?" after a list) has its own shape."""
        own = shape_of(text)
        return own if own.kind != "lookup" or not elliptical(text) else Shape(last.shape, scope="article")

    def _searched(self, refusal: Refusal, question: Question, retrieved: Retrieved) -> Refusal:
        """The refusal with what it searched and came near, with the numbers (``ask --json``)."""
        nearest: dict[str, dict] = {}
        for p in retrieved.passages:  # one entry per article, at its best passage's relevance
            best = nearest.get(p.doc_id)
            if best is None or p.score > best["relevance"]:
                nearest[p.doc_id] = {"doc_id": p.doc_id, "title": p.title, "relevance": round(p.score, 4)}
        ranked = sorted(nearest.values(), key=lambda n: -n["relevance"])[:3]
        f = question.filters
        return refusal.searched_for(
            searched=question.standalone, nearest=tuple(ranked),
            best_relevance=ranked[0]["relevance"] if ranked else 0.0, relevance_floor=self.settings.min_score,
            doc_ids=tuple(f.doc_ids), date_from=f.date_from, date_to=f.date_to,
        )

    def _resolve(self, question: str, memory: Memory, model: ChatModel | None) -> tuple[str, str, list[str]]:
        standalone, context = resolve_deterministically(question, memory)
        if model is None or not context:
            return standalone, context, []
        try:  # a generative backend condenses the follow-up itself (CondensePlusContext-style)
            messages = generative.condense_messages(question, memory.as_messages())
            condensed = "".join(model.stream_chat(messages, 60)).strip().split("\n")[0]
        except BackendError as exc:
            return standalone, context, [f"could not condense the follow-up ({exc}); used the previous question"]
        if 8 <= len(condensed) <= 3 * len(standalone) and condensed.endswith("?"):
            return f"{condensed} {context}", context, []
        return standalone, context, []


def _remember(memory: Memory, answer: Answer, asked: Question) -> None:
    """The turn, and what the follow-ups after it mean by "it"/"she": the subject of a
    description ("What is SEA-LION?"), kept along a run of follow-ups after it."""
    cited = answer.citations[0].doc_id if answer.citations else None
    referent = asked.shape.subject if asked.shape.kind == "description" else asked.referent
    memory.add(Turn(answer.question, answer.standalone_question, answer.text, cited, answer.shape, referent,
                    tuple(c.doc_id for c in answer.citations)))


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


__all__ = ["Engine", "Event", "clean_question", "default_steps"]
