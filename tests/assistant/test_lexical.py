"""BM25 in its compact layout scores exactly as the textbook formula does."""

from __future__ import annotations

import math
import pickle
from collections import Counter

import numpy as np
import pytest

from index.lexical import BM25, terms

TEXTS = [
    "Fukuda Doctrine: Japan's 1977 pledge to South-East Asia.",
    "USAID committed $50 million to AI capacity in Cambodia, Laos and Myanmar.",
    "Cambodia and Japan agreed on a new partnership; Japan will fund schools.",
    "The striker scored twice as the club won the cup final in Cardiff.",
    "",  # a chunk with no terms at all
    "Schools in Laos get computers; the committee said the pledge is kept.",
]
QUERIES = [
    "What did Japan and Cambodia agree?",
    "USAID AI pledge",
    "who scored in the final",
    "nothing matches zzz",
    "",
]


def reference_scores(texts: list[str], query: str, k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Okapi BM25 written out term by term, in float64."""
    docs = [Counter(terms(t)) for t in texts]
    lengths = [sum(d.values()) for d in docs]
    avg = sum(lengths) / len(docs)
    scores = []
    for doc, length in zip(docs, lengths):
        score = 0.0
        for term in set(terms(query)):
            df = sum(term in d for d in docs)
            if not df or term not in doc:
                continue
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc[term]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
        scores.append(score)
    return scores


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_the_reference_formula(query):
    got = BM25(TEXTS).scores(query)
    assert got.dtype == np.float32 and got.shape == (len(TEXTS),)
    np.testing.assert_allclose(got, reference_scores(TEXTS, query), rtol=1e-6, atol=1e-7)


def test_postings_and_idf_read_as_before():
    bm25 = BM25(TEXTS)
    docs, tf = bm25.postings["japan"]
    assert docs.tolist() == [0, 2] and tf.tolist() == [1.0, 2.0]
    assert "japan" in bm25.postings and "zzz" not in bm25.postings and bm25.postings.get("zzz") is None
    assert len(bm25.postings) == len({t for text in TEXTS for t in terms(text)})
    assert bm25.idf("japan") == math.log(1 + (6 - 2 + 0.5) / 2.5)
    assert bm25.idf("zzz") == math.log(1 + 6.5 / 0.5)  # unseen: the rarest there is


def test_an_empty_collection_scores_nothing():
    bm25 = BM25([])
    assert bm25.scores("Japan").shape == (0,) and "japan" not in bm25.postings


def test_a_pickle_round_trip_scores_the_same_and_the_older_layout_is_refused():
    """Cache files hold a pickled BM25. One written with the older layout (a dict of two
    small arrays per term) raises ValueError, which the mirror's loader treats as no cache."""
    bm25 = BM25(TEXTS)
    again = pickle.loads(pickle.dumps(bm25, protocol=pickle.HIGHEST_PROTOCOL))
    for query in QUERIES:
        assert np.array_equal(again.scores(query), bm25.scores(query))
    older = {k: v for k, v in vars(bm25).items() if not k.startswith("_")}
    older["postings"] = {term: (docs.copy(), tf.copy()) for term, (docs, tf) in bm25.postings.items()}
    with pytest.raises(ValueError):
        BM25.__new__(BM25).__setstate__(older)
