"""From a question (and the conversation so far) to a cited answer.

One pipeline for every backend: clean the question, resolve a follow-up,
retrieve, refuse when nothing is relevant (no LLM call), then either compose
an extractive answer or generate one and ground-check it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator

from assistant import extractive, generative
from assistant.answers import Answer
from assistant.backends import ChatModel, make_chat_model
from assistant.errors import BackendError, QuestionError
from assistant.evidence import lexical_coverage, score, sentences_of
from assistant.lexical import terms
from assistant.memory import Memory, resolve_deterministically
from assistant.retrieval import Filters, HybridRetriever, Retrieved
from index import Index

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
LEXICAL_RELEVANCE = 0.5  # a passage holding half the question's rare words is relevant whatever its cosine
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
        self._models: dict[str, ChatModel | None] = {}

    def chat_model(self, name: str) -> ChatModel | None:
        if name not in self._models:
            self._models[name] = make_chat_model(name, self.settings)
        return self._models[name]

    def stream(self, question: str, memory: Memory, *, k: int | None = None, filters: Filters = Filters(),
               backend: str | None = None) -> Iterator[Event]:
        started = time.perf_counter()
        question = clean_question(question)
        name = backend or self.settings.backend
        model = self.chat_model(name)
        standalone, context, notes = self._resolve(question, memory, model)
        boost = memory.last.cited_doc if context and memory.last else None
        retrieved = self.retriever.retrieve(standalone, k or self.settings.top_k, filters, boost_doc=boost)
        timings = {"retrieve": _ms(started)}
        answer = yield from self._answer(question, standalone, context, retrieved, model, name, notes, memory)
        answer.question, answer.standalone_question = question, standalone
        answer.timings_ms = {**timings, "total": _ms(started)}
        _remember(memory, answer)
        yield answer

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

    def _answer(self, question, standalone, context, retrieved: Retrieved, model, name, notes, memory: Memory):
        floor = self.settings.min_score
        bm25 = self.retriever.bm25()
        lexical = max((lexical_coverage(terms(question), p.text, bm25) for p in retrieved.passages), default=0.0)
        if not retrieved.passages or (retrieved.best_cosine < floor and lexical < LEXICAL_RELEVANCE):
            return extractive.refusal(question, name, f"best passage relevance {retrieved.best_cosine:.2f} < floor {floor:.2f}")
        own = self.index.embedder.embed_batch([question])[0] if context else None
        cited = memory.last.cited_doc if context and memory.last else None
        evidence = score(question, context, sentences_of(_answering_passages(question, context, retrieved, cited)),
                         retrieved.query_vector, self.index.embedder, bm25, own_vector=own)
        evidence = extractive.favour_figures(question, evidence)
        if why := extractive.unanswerable(question, retrieved.passages, evidence, follow_up=bool(context)):
            return extractive.refusal(question, name, why)
        if model is not None:
            try:
                return (yield from self._generate(question, retrieved, model, name, evidence, notes, memory))
            except BackendError as exc:
                if not self.settings.fallback_to_extractive:
                    raise
                log.warning("%s; falling back to extractive", exc)
                notes = [*notes, f"{exc}. Answered extractively instead."]
        said = memory.last.answer if context and memory.last else ""
        answer, parts = self._extractive(evidence, notes, said, "extractive")
        for i, part in enumerate(parts):  # sentence by sentence
            yield part if i == 0 else f" {part}"
        return answer

    def _extractive(self, evidence, notes, said: str, backend: str) -> tuple[Answer, list[str]]:
        parts, citations = extractive.compose(extractive.choose(evidence, self.settings.answer_max_sentences, said))
        return Answer(text=" ".join(parts), citations=citations, backend=backend, notes=list(notes)), parts

    def _generate(self, question, retrieved: Retrieved, model: ChatModel, name: str, evidence, notes, memory):
        # earlier turns go in as chat history (bounded by the memory's token budget)
        messages = generative.build_messages(question, retrieved.passages, memory.as_messages())
        pieces = []
        for delta in model.stream_chat(messages, self.settings.llm_max_tokens):
            pieces.append(delta)
            yield delta
        checked = generative.check("".join(pieces), retrieved.passages, self.index.embedder)
        notes = list(notes)
        if checked.dropped:
            notes.append(f"removed {len(checked.dropped)} sentence(s) the sources do not support: " + " | ".join(checked.dropped))
        if checked.repaired:
            notes.append(f"re-pointed {checked.repaired} citation(s) to the passage that supports the sentence")
        if not checked.sentences:
            notes.append("the model's answer could not be verified against the articles; quoting them instead")
            return self._extractive(evidence, notes, "", f"{name}+extractive")[0]
        return Answer(text=" ".join(checked.sentences), citations=checked.citations, backend=name, notes=notes)


def _answering_passages(question: str, context: str, retrieved: Retrieved, cited_doc: str | None) -> list:
    """The passages an answer may quote. A follow-up that names nothing new ("Why is it
    important?") is about what the previous answer cited, or about the names of the
    question it follows ("Japan", "Cambodia"): it is answered from that article and
    from the passages that mention most of those names. Its own few words
    ("important") would otherwise match any article."""
    topic = extractive.key_terms(context) if context else set()
    if not topic or extractive.key_terms(question) - set(terms(context)):
        return retrieved.passages
    overlap = [len(topic & set(terms(f"{p.title} {p.text}"))) for p in retrieved.passages]
    best = max(overlap, default=0)
    kept = [p for p, n in zip(retrieved.passages, overlap) if p.doc_id == cited_doc or (best and n == best)]
    return kept or retrieved.passages


def _remember(memory: Memory, answer: Answer) -> None:
    from assistant.memory import Turn

    cited = answer.citations[0].doc_id if answer.citations else None
    memory.add(Turn(answer.question, answer.standalone_question, answer.text, cited))


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


__all__ = ["Engine", "Event", "clean_question"]
