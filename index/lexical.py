"""Words for matching: a tokenizer with light stemming, and a BM25 index.

Dense vectors blur names and numbers ("$50 million", "ILMU", "Fukuda");
BM25 over the same chunks finds them exactly. Pure Python + NumPy, built
from the collection in well under a second at BBC scale.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from functools import lru_cache

import numpy as np

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves also s t new said says according
    tell told give gave say mean means considered""".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:[.'’-][a-z0-9]+)*")


# Bump when terms() changes: BM25 mirrors cached on disk were built with the old terms.
TERMS_VERSION = 2


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A deliberately small suffix stripper: plurals and common verb endings, with a
    doubled final consonant undone ("committed" and "commit" -> "commit")."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            base = word[: -len(suffix)] + keep
            if suffix in ("ing", "ed") and len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "aeiouylsz":
                base = base[:-1]
            return base
    return word


@lru_cache(maxsize=8192)
def term_set(text: str) -> frozenset[str]:
    """The distinct terms of a text, cached: passages and sentences recur across questions."""
    return frozenset(terms(text))


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms ("U.S." -> "u.s", "$50" -> "50")."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    words = [w[:-2] if w.endswith("'s") else w for w in words]  # possessive: "Singapore's" -> "singapore"
    return [stem(w.replace("'", "").rstrip(".")) for w in words if w not in STOPWORDS and len(w) > 1 or w.isdigit()]


class BM25:
    """Okapi BM25 over a fixed list of texts.

    Postings are held in one CSR layout (every term's documents and counts in two flat
    arrays, a term's slice given by ``offsets``) rather than two small arrays per term: at
    BBC scale (27k terms, 458k postings) that is ~5 MB instead of ~45 MB of array objects.
    ``postings[term]`` still reads as ``(docs, tf)``, as views into the flat arrays.
    """

    def __init__(self, texts: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.size = len(texts)
        lengths = np.zeros(self.size, dtype=np.float32)
        ids: dict[str, int] = {}
        term_ids, docs, tfs = array("q"), array("q"), array("f")
        for i, text in enumerate(texts):
            counts = Counter(terms(text))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                term_ids.append(ids.setdefault(term, len(ids)))
                docs.append(i)
                tfs.append(tf)
        self.avg_length = float(lengths.mean()) if self.size else 0.0
        self.norm = self.k1 * (1 - self.b + self.b * lengths / max(self.avg_length, 1e-9))
        order = np.argsort(np.frombuffer(term_ids, dtype=np.int64), kind="stable")  # by term, then document
        self._ids = ids
        self._docs = np.frombuffer(docs, dtype=np.int64)[order].astype(np.int32)
        self._tf = np.frombuffer(tfs, dtype=np.float32)[order]
        self._offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(np.frombuffer(term_ids, dtype=np.int64), minlength=len(ids)), out=self._offsets[1:])
        self._set_idf()

    def _set_idf(self) -> None:
        """Every term's idf, computed once (asked for thousands of times per question)."""
        df = np.diff(self._offsets).tolist()
        self._idf = array("d", (self._idf_of(n) for n in df))
        self._idf_unseen = self._idf_of(0)

    def _idf_of(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    @property
    def postings(self) -> _Postings:
        """term -> (documents, term frequencies), read-only."""
        return _Postings(self)

    def idf(self, term: str) -> float:
        i = self._ids.get(term)
        return self._idf_unseen if i is None else self._idf[i]

    def scores(self, query: str | frozenset[str]) -> np.ndarray:
        """BM25 of every document for ``query`` (a text, or its set of terms)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in set(terms(query)) if isinstance(query, str) else query:
            i = self._ids.get(term)
            if i is None:
                continue
            docs, tf = self._slice(i)
            scores[docs] += self._idf[i] * tf * (self.k1 + 1) / (tf + self.norm[docs])
        return scores

    def _slice(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self._offsets[i]), int(self._offsets[i + 1])
        return self._docs[lo:hi], self._tf[lo:hi]

    def __setstate__(self, state: dict) -> None:
        """A cache file pickled with the older layout (a dict of two arrays per term) is
        refused with ValueError, which the mirror's loader treats as a missing cache: it
        rebuilds the mirror once and writes it in this layout."""
        if "postings" in state:
            raise ValueError("BM25 pickled in an older layout; rebuild it")
        self.__dict__.update(state)


class _Postings(Mapping):
    """A read-only ``term -> (documents, term frequencies)`` view of a :class:`BM25`."""

    def __init__(self, bm25: BM25) -> None:
        self._bm25 = bm25

    def __getitem__(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        return self._bm25._slice(self._bm25._ids[term])

    def __iter__(self) -> Iterator[str]:
        return iter(self._bm25._ids)

    def __len__(self) -> int:
        return len(self._bm25._ids)


def lexical_coverage(query_terms: list[str], text: str, bm25: BM25, also: frozenset[str] = frozenset()) -> float:
    """Share of the question's idf weight that the text contains (with ``also``: terms
    counted as present though spelled otherwise in the text)."""
    wanted = set(query_terms)
    if not wanted:
        return 0.0
    have = term_set(text) | also if also else term_set(text)
    total = sum(bm25.idf(t) for t in wanted)
    return sum(bm25.idf(t) for t in wanted & have) / total if total else 0.0


class TermGroups:
    """Which small texts (sentences, titles) hold each term, and which group (a chunk, an
    article) each text belongs to: per question, every group's best single text and the
    group as a whole are scored over the whole collection with a few NumPy additions."""

    def __init__(self, texts: list[str], groups: list[int], n_groups: int) -> None:
        self.n_groups = n_groups
        self.group = np.asarray(groups, dtype=np.int32)  # non-decreasing: a group's texts are adjacent
        self.first = np.searchsorted(self.group, np.arange(n_groups)).astype(np.int32)
        self.empty = np.bincount(self.group, minlength=n_groups) == 0
        postings: dict[str, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            for term in set(terms(text)):
                postings[term].append(i)
        self.postings = {term: np.asarray(rows, dtype=np.int32) for term, rows in postings.items()}

    def best(self, weights: dict[str, float]) -> np.ndarray:
        """Per group, the largest sum of ``weights`` over the terms one of its texts holds."""
        acc = np.zeros(len(self.group) + 1, dtype=np.float32)  # + 1: reduceat needs an index past every empty group
        for term, weight in weights.items():
            if term in self.postings:
                acc[self.postings[term]] += weight
        best = np.maximum.reduceat(acc, np.minimum(self.first, len(self.group)))
        best[self.empty] = 0.0
        return best

    def holding(self, term: str) -> np.ndarray:
        """The groups that hold ``term`` (a group once per text of it that does)."""
        rows = self.postings.get(term)
        return self.group[rows] if rows is not None else self.group[:0]

    def anywhere(self, weights: dict[str, float]) -> np.ndarray:
        """Per group, the sum of ``weights`` over the terms any of its texts holds."""
        acc = np.zeros(self.n_groups, dtype=np.float32)
        for term, weight in weights.items():
            present = np.zeros(self.n_groups, dtype=bool)
            present[self.holding(term)] = True
            acc += weight * present
        return acc
