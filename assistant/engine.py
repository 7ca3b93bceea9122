"""From a question (and the conversation so far) to a cited answer.

One flow for every backend: clean the question, resolve a follow-up, retrieve, run the
steps of :mod:`assistant.pipeline` (relevance floor, follow-up topic, sentence scoring,
answer kind, refusal policy), then hand the draft to the backend's answerer.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from functools import cached_property

from assistant import generative
from assistant.answers import REFUSAL, Answer
from assistant.backends import ChatModel, make_chat_model
from assistant.errors import BackendError, QuestionError
from assistant.extractive import ExtractiveAnswerer
from assistant.memory import Memory, Turn, resolve_deterministically
from assistant.pipeline import Draft, Step, default_steps
from assistant.questions import Analyser
from assistant.retrieval import Filters, HybridRetriever
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
        """The steps between retrieval and answer, in order (see :mod:`assistant.pipeline`)."""
        return default_steps(self.settings, self.retriever, self.index.embedder)

    def chat_model(self, name: str) -> ChatModel | None:
        if name not in self._models:
            self._models[name] = make_chat_model(name, self.settings)
        return self._models[name]

    def answerer(self, name: str):
        model = self.chat_model(name)
        if model is None:
            return self.extractive
        return generative.GenerativeAnswerer(
            model, self.index.embedder, self.extractive,
            max_tokens=self.settings.llm_max_tokens, fallback=self.settings.fallback_to_extractive,
        )

    def stream(self, question: str, memory: Memory, *, k: int | None = None, filters: Filters = Filters(),
               backend: str | None = None, standalone: bool = False) -> Iterator[Event]:
        started = time.perf_counter()
        question = clean_question(question)
        name = backend or self.settings.backend
        draft = self.draft(question, memory, k or self.settings.top_k, filters, self.chat_model(name),
                           resolve=not standalone)
        timings = {"retrieve": _ms(started)}
        for step in self.steps:
            draft = step(draft)
            if draft.refusal:
                break
        if draft.refusal:
            notes = [*draft.notes, draft.refusal]
            answer = Answer(REFUSAL, refused=True, backend=name, notes=notes, refusal=self._refusal(draft, filters))
        else:
            answer = yield from self.answerer(name).answer(draft)
        answer.question, answer.standalone_question = question, draft.standalone
        answer.timings_ms = {**timings, "total": _ms(started)}
        _remember(memory, answer)
        yield answer

    def draft(self, question: str, memory: Memory, k: int, filters: Filters, model: ChatModel | None,
              resolve: bool = True) -> Draft:
        """Resolve a follow-up (if ``resolve``), retrieve, and analyse what the question asks for."""
        standalone, context, notes = self._resolve(question, memory, model) if resolve else (question, "", [])
        last = memory.last if context else None
        boost = last.cited_doc if last else None
        retrieved = self.retriever.retrieve(standalone, k, filters, boost_doc=boost)
        own = self.index.embedder.embed_batch([question])[0] if context else None
        return Draft(question, standalone, context, self.analyser.analyse(question), retrieved, retrieved.passages,
                     cited_doc=boost, said=last.answer if last else "", own_vector=own, notes=notes,
                     history=memory.as_messages())

    def _refusal(self, draft: Draft, filters: Filters) -> dict:
        """What a refusal searched and came near, with the numbers (``ask --json``)."""
        nearest: dict[str, dict] = {}
        for p in draft.retrieved.passages:  # best first; one entry per article
            nearest.setdefault(p.doc_id, {"doc_id": p.doc_id, "title": p.title, "relevance": round(p.score, 4)})
        return {
            "reason": draft.refusal,
            "searched": draft.standalone,
            "nearest": list(nearest.values())[:3],
            "best_relevance": round(draft.retrieved.best_cosine, 4),
            "relevance_floor": self.settings.min_score,
            "doc_ids": list(filters.doc_ids),
            "date_from": filters.date_from,
            "date_to": filters.date_to,
        }

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


def _remember(memory: Memory, answer: Answer) -> None:
    cited = answer.citations[0].doc_id if answer.citations else None
    memory.add(Turn(answer.question, answer.standalone_question, answer.text, cited))


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


__all__ = ["Engine", "Event", "clean_question"]
