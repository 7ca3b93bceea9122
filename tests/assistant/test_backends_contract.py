"""One contract, every backend: extractive, llama-cpp in-process (SmolLM2 GGUF),
and openai against a real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import re

import pytest

from assistant import Answer
from assistant.llm.generative import LEXICAL_SUPPORT
from index.lexical import terms
from tests.assistant.conftest import smollm2

QUESTION = "How much did the U.S. Agency for International Development commit to building AI capacity?"


@pytest.fixture(params=["extractive", "llama-cpp", "openai"])
def backend(request, bot):
    name = request.param
    if name == "llama-cpp":
        smollm2()
        return bot(backend=name, top_k=2, llm_max_tokens=60)
    if name == "openai":
        url = request.getfixturevalue("openai_server")
        return bot(backend=name, llm_url=url, top_k=2, llm_max_tokens=60, llm_timeout=120)
    return bot(backend=name)


class CountingModel:
    def __init__(self, inner):
        self.inner, self.calls = inner, 0
        self.name, self.where = inner.name, inner.where

    def stream_chat(self, messages, max_tokens):
        self.calls += 1
        yield from self.inner.stream_chat(messages, max_tokens)


def test_streams_text_then_a_cited_grounded_answer(backend):
    events = list(backend.stream(QUESTION))
    *deltas, answer = events
    assert isinstance(answer, Answer) and deltas and all(isinstance(d, str) for d in deltas)
    assert not answer.refused and answer.citations
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert sorted(set(markers)) == [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert markers[0] == 1  # numbered in order of first use
    retrieved = {p.text for p in backend.retrieve(QUESTION)}
    for citation in answer.citations:
        assert citation.text in retrieved  # a marker never points at a passage not retrieved
        assert citation.quote and citation.quote in citation.text
    for sentence in re.split(r"(?<=\])\s+", answer.text):
        n = int(re.findall(r"\[(\d+)\]", sentence)[-1])
        words = set(terms(re.sub(r"\[\d+\]", "", sentence)))
        source = set(terms(answer.citations[n - 1].text))
        assert len(words & source) >= LEXICAL_SUPPORT * len(words) * 0.9, sentence


def test_off_topic_question_is_refused_without_calling_the_model(backend):
    engine = backend.engine
    name = backend.settings.backend
    model = engine.chat_model(name)
    if model is not None:
        engine._models[name] = counting = CountingModel(model)
    answer = backend.ask("How do I bake sourdough bread at home?")
    assert answer.refused and not answer.citations and "don't cover" in answer.text
    if model is not None:
        assert counting.calls == 0


def test_backend_name_is_reported(backend):
    answer = backend.ask(QUESTION)
    assert answer.backend.split("+")[0] == backend.settings.backend


def test_the_settings_name_every_registered_backend():
    from assistant.config import BACKENDS
    from assistant.llm.backends import REGISTRY

    assert tuple(REGISTRY) == BACKENDS
