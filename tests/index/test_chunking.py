from __future__ import annotations

import pytest

from corpus import SHIPPED_CORPUS, load_path
from index import chunk_article, count_tokens
from index.chunking import sentence_spans
from tests.conftest import BBC


@pytest.fixture(scope="module")
def articles():
    shipped = load_path(SHIPPED_CORPUS, lambda r: "articles").articles
    bbc = load_path(BBC / "tech", lambda r: "bbc").articles[:60]
    return shipped + bbc


def test_chunks_are_exact_slices_within_the_token_budget(articles):
    for article in articles:
        chunks = chunk_article(article, max_tokens=200, overlap_tokens=40)
        assert [c.position for c in chunks] == list(range(len(chunks)))
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
            assert count_tokens(chunk.text) <= 200 + 2  # joining sentences may merge a token or two


def test_chunks_start_and_end_on_sentence_boundaries_and_cover_the_text(articles):
    for article in articles:
        starts = {s for s, _ in sentence_spans(article.text)}
        ends = {e for _, e in sentence_spans(article.text)}
        chunks = chunk_article(article)
        assert all(c.start in starts and c.end in ends for c in chunks)
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        assert all(i in covered for s, e in sentence_spans(article.text) for i in range(s, e))


def test_consecutive_chunks_overlap(articles):
    long = next(a for a in articles if len(chunk_article(a)) >= 4)
    chunks = chunk_article(long)
    assert sum(1 for a, b in zip(chunks, chunks[1:]) if b.start < a.end) >= len(chunks) // 2


def test_abbreviations_do_not_end_sentences():
    from corpus import Article

    article = Article(
        "t/a",
        "/r",
        "/r/a",
        "T",
        "The U.S. Department of Commerce met Dr. Sharma in Washington D.C. on Monday. Then it rained.",
    )
    sentences = [article.text[s:e] for s, e in sentence_spans(article.text)]
    assert sentences == [
        "The U.S. Department of Commerce met Dr. Sharma in Washington D.C. on Monday.",
        "Then it rained.",
    ]


def test_no_chunk_exceeds_the_embedders_window(articles, embedder):
    """MiniLM truncates at 256 word-pieces: a longer chunk would be silently cut."""
    chunks = [c.text for a in articles for c in chunk_article(a)]
    longest = max(sum(e.attention_mask) for e in _untruncated(embedder, chunks))
    assert longest <= 256


def _untruncated(embedder, texts):
    tokenizer = embedder.tokenizer
    tokenizer.no_truncation()
    try:
        return tokenizer.encode_batch(texts)
    finally:
        tokenizer.enable_truncation(256)
