"""Sentence vectors pooled while a chunk is embedded: stored with the chunk, read by the
reader instead of embedding sentences at question time, and absent without harm."""

from __future__ import annotations

import numpy as np
import pytest

from index import sentence_vectors
from index.chunking import sentence_spans

ARTICLE = """Harbour council approves ferry plan

The Kelby harbour council has approved a new electric ferry service to the islands.

The ferry will cost £12m and is due to start sailing in May 2027. Councillor Ruth Avery said the old diesel boats were too expensive to repair.

About 900 islanders use the crossing every day, the council said.
"""


def test_encoding_round_trips_and_keeps_missing_rows_empty():
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(4, 384)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    rows[2] = 0.0  # a sentence the model never read
    back = sentence_vectors.decode(sentence_vectors.encode(rows))
    assert back.shape == rows.shape
    assert np.abs(back - rows).max() < 0.01
    assert not back[2].any()
    assert sentence_vectors.decode(None) is None and sentence_vectors.decode("") is None


def test_pooled_sentence_vectors_stand_for_their_sentences(embedder):
    text = ARTICLE.split("\n", 2)[2].strip()
    spans = sentence_spans(text)
    vectors, (rows,) = embedder.embed_with_sentences([text], [spans])
    # the chunk's own vector is unchanged by pooling its sentences too
    assert np.allclose(vectors, embedder.embed_batch([text]), atol=1e-5)
    assert rows.shape == (len(spans), embedder.dim)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    # pooled inside the chunk, a sentence leans towards the chunk's topic, yet stays itself
    alone = embedder.embed_batch([text[a:b] for a, b in spans])
    assert (np.diag(rows @ alone.T) > 0.5).all()


def test_sync_stores_one_vector_per_sentence_of_each_chunk(make_index, tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text(ARTICLE)
    index = make_index()
    index.sync([corpus])
    passages = index.passages()
    assert passages
    for passage in passages:
        rows = sentence_vectors.decode(passage.sentences)
        assert rows is not None and len(rows) == len(sentence_spans(passage.text))
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=0.01)
    # the reader finds each sentence's stored vector
    from assistant.reading.evidence import sentences_of

    evidence = sentences_of(passages)
    stored = np.array([item.stored_vector for item in evidence])
    alone = embedder.embed_batch([item.text for item in evidence])
    assert (np.einsum("ij,ij->i", stored, alone) > 0.5).all()


class CountingEmbedder:
    """The real embedder, recording what it is asked to embed. Without ``pooling`` it
    cannot pool sentences (like a server's embedder), so chunks are stored without them."""

    def __init__(self, inner, pooling: bool) -> None:
        self.inner, self.identity, self.dim = inner, inner.identity, inner.dim
        self.texts: list[str] = []
        if pooling:
            self.embed_with_sentences = inner.embed_with_sentences

    def embed_batch(self, texts):
        self.texts.extend(texts)
        return self.inner.embed_batch(texts)


@pytest.mark.parametrize("pooling", [True, False])
def test_questions_read_stored_sentence_vectors_or_embed_sentences_without_them(embedder, tmp_path, pooling):
    from assistant import Assistant, Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.txt").write_text(ARTICLE)
    counting = CountingEmbedder(embedder, pooling)
    bot = Assistant(Settings.load(data_dir=tmp_path / "data"), embedder=counting)
    bot.sync([corpus])
    counting.texts.clear()
    answer = bot.ask("How much will the new electric ferry cost?")
    assert not answer.refused, answer.notes
    assert "£12m" in answer.text
    sentences = {ARTICLE[a:b] for a, b in sentence_spans(ARTICLE)}
    embedded_sentences = [t for t in counting.texts if t in sentences]
    if pooling:
        assert embedded_sentences == []  # only the question (and its words) were embedded
    else:
        assert embedded_sentences  # the fallback: the shortlist is embedded at question time
