"""AssistantRetriever is a real LlamaIndex BaseRetriever: it runs under LlamaIndex's own chat engine."""

from __future__ import annotations

import pytest

from tests.assistant.small_news import small_news_index  # noqa: F401 (a fixture)

CHESS, FROST = "small-news/chess-title.md", "small-news/orchard-frost.md"


@pytest.fixture(scope="module")
def bot(small_news_index, embedder):  # noqa: F811
    from assistant import Assistant, Settings

    return Assistant(Settings.load(data_dir=small_news_index), embedder=embedder)


def test_nodes_carry_the_passage_its_offsets_and_metadata(bot):
    from llama_index.core.base.base_retriever import BaseRetriever
    from llama_index.core.schema import NodeWithScore

    from assistant import AssistantRetriever

    retriever = AssistantRetriever(bot, k=2)
    assert isinstance(retriever, BaseRetriever)
    question = "Who won the Kestrel City chess championship?"
    nodes = retriever.retrieve(question)
    passages = bot.retrieve(question, k=2)
    assert [n.node.node_id for n in nodes] == [p.chunk_id for p in passages]  # same hybrid ranking
    top = nodes[0]
    assert isinstance(top, NodeWithScore) and top.score == pytest.approx(passages[0].score)
    assert "Priya Raman" in top.node.text and top.node.ref_doc_id == CHESS
    assert (top.node.start_char_idx, top.node.end_char_idx) == (passages[0].start, passages[0].end)
    meta = top.node.metadata
    assert meta["doc_id"] == CHESS and meta["date"] == "2024-08-20" and "chess" in meta["title"]
    shown = top.node.get_content(metadata_mode="llm")
    assert meta["title"] in shown and meta["source"] not in shown  # a local path is not sent to an LLM


def test_filters_apply_to_every_retrieval(bot):
    from assistant import AssistantRetriever

    recent = AssistantRetriever(bot, since="2024-01-01").retrieve("late frost in the apple orchards")
    assert recent and FROST not in {n.node.metadata["doc_id"] for n in recent}
    one = AssistantRetriever(bot, doc_ids=[FROST]).retrieve("chess championship")
    assert {n.node.metadata["doc_id"] for n in one} == {FROST}


def test_runs_under_condense_plus_context_chat_engine(bot):
    from llama_index.core.chat_engine import CondensePlusContextChatEngine
    from llama_index.core.llms import MockLLM

    from assistant import AssistantRetriever

    # MockLLM echoes its prompt: the reply shows what the engine put in front of the model.
    # The condense prompt keeps only the follow-up, so the second retrieval is for it alone.
    chat = CondensePlusContextChatEngine.from_defaults(
        AssistantRetriever(bot, k=1), llm=MockLLM(), condense_prompt="{question}"
    )
    first = chat.chat("Who won the Kestrel City chess championship?")
    assert "Priya Raman, aged 14, won" in first.response
    assert [n.node.metadata["doc_id"] for n in first.source_nodes] == [CHESS]
    follow_up = chat.chat("How badly did the late frost damage the Valdoria apple blossom?")
    assert [n.node.metadata["doc_id"] for n in follow_up.source_nodes] == [FROST]
    assert "60 percent" in follow_up.response
