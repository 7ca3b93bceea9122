"""Named entities found at index time and stored with each chunk."""

from __future__ import annotations

import shutil

import pytest

STORY = """Dunmore Foods agrees dairy takeover

Dunmore Foods has agreed to buy Kellett Dairies for £45m, its chief executive Helen Marsh said in London on Monday.

Shares in Dunmore rose 6% after the announcement.
"""


@pytest.fixture
def story(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "dunmore.txt").write_text(STORY)
    return folder


def _labels(passages) -> dict[str, str]:
    return {p.text[s:e]: label for p in passages for s, e, label in p.entities}


def test_chunks_carry_entities_at_offsets_into_their_own_text(make_index, story):
    index = make_index()
    index.sync([story])
    found = _labels(index.passages())
    assert found.get("Helen Marsh") == "PERSON"
    assert found.get("London") == "GPE"
    assert found.get("6%") == "PERCENT"


def test_an_index_without_entities_gains_them_without_re_embedding(make_index, story, tmp_path):
    plain = make_index(tmp_path / "data", entities=False)
    plain.sync([story])
    assert all(p.entities == () for p in plain.passages())
    version = plain.version()

    tagged = make_index(tmp_path / "data")
    report = tagged.sync([story])
    assert report.chunks_embedded == 0 and report.unchanged == 1
    assert _labels(tagged.passages()).get("Helen Marsh") == "PERSON"
    assert tagged.version() != version  # readers reload the passages with their entities
    assert tagged.sync([story]).chunks_embedded == 0  # and the next sync has nothing to do


def test_a_tampered_entity_model_is_refused(tmp_path):
    from index import EmbedderError
    from index.entities import EntityTagger, model_path

    copy = tmp_path / "model"
    shutil.copytree(model_path(), copy)
    with open(copy / "ner" / "model", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(EmbedderError, match="sha256"):
        EntityTagger(copy).tag("Helen Marsh lives in London.")


def test_long_lines_are_tagged_in_pieces_with_exact_offsets():
    from index.entities import EntityTagger

    line = " ".join(["Helen Marsh visited London on Monday."] * 400)  # ~15,000 characters on one line
    spans = EntityTagger().tag(f"Heading\n{line}\n")
    text = f"Heading\n{line}\n"
    people = [text[s:e] for s, e, label in spans if label == "PERSON"]
    assert len(people) >= 300 and set(people) == {"Helen Marsh"}
