"""One embedding model in memory per process: an Assistant, its index and its engine share it."""

from __future__ import annotations


def test_an_assistant_with_the_default_embedder_loads_no_second_model(shipped_dir, embedder):
    from assistant import Assistant, Settings
    from index import MiniLMEmbedder, embedders

    embedder.embed_batch(["warm up"])  # the session fixture's model is loaded
    loaded = dict(embedders._SESSIONS)
    bot = Assistant(Settings.load(data_dir=shipped_dir))  # builds its own MiniLMEmbedder
    answer = bot.ask("How much did USAID commit?")
    assert answer.text
    assert isinstance(bot.index.embedder, MiniLMEmbedder)
    assert bot.engine.index.embedder is bot.index.embedder
    assert embedders._SESSIONS == loaded  # indexing's session answered the question
