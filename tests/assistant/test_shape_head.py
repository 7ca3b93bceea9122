"""The learned shape head: read only when the rules read a lookup, taken only with the cue
its shape needs, and refused loudly when its file is not the one the code was built with."""

import pytest

from assistant.core.question import Shape
from assistant.reading.shape_head import HEAD_PATH, SHA256, ShapeHead, ShapeHeadError, masked, shape_head
from assistant.reading.shapes import shape_of


def _read(question: str, embedder) -> Shape:
    return shape_head().refine(question, shape_of(question), embedder)


@pytest.mark.parametrize("question, kind, detail", [
    # wordings the rules have no cue word for
    ("Give me a synopsis of the article on the Kelby ferry strike.", "overview", "article"),
    ("Remind me who Ann Roe is.", "description", "Ann Roe"),
    ("Is Kelby Ferries any cheaper than Ardmore Lines?", "comparison", ("Kelby Ferries", "Ardmore Lines")),
    # lookups stay lookups
    ("How many ferries sank in the storm?", "lookup", None),
    ("Who scored the winning goal for Kelby Rovers?", "lookup", None),
    ("Who is the chief executive of Kelby Ferries?", "lookup", None),  # whoever holds a role
    ("Which ferry sank in the storm?", "lookup", None),
])
def test_the_head_reads_what_the_rules_have_no_cue_for_and_leaves_lookups(question, kind, detail, embedder):
    shape = _read(question, embedder)
    assert shape.kind == kind, (question, shape)
    if kind == "overview":
        assert shape.scope == detail
    if kind == "description":
        assert shape.subject == detail
    if kind == "comparison":
        assert shape.sides == detail


def test_the_head_never_overrides_a_shape_the_rules_read(embedder):
    shape = shape_of("Compare Kelby Ferries and Ardmore Lines.")
    assert shape_head().refine("Compare Kelby Ferries and Ardmore Lines.", shape, embedder) is shape


def test_the_head_reads_how_a_question_asks_not_what_about():
    assert masked("Give me a synopsis of the article on Christopher Eccleston leaving Doctor Who.") == \
        "Give me a synopsis of the article on X leaving X"  # a final full stop goes with the name
    assert masked("How many of the 25 members voted?") == "How many of the X members voted?"


def test_a_head_file_that_is_not_the_one_built_with_the_code_is_refused_saying_how_to_restore_it(tmp_path):
    changed = tmp_path / "shape_head.json"
    changed.write_bytes(HEAD_PATH.read_bytes().replace(b'"bias":[', b'"bias":[0.1,'))
    with pytest.raises(ShapeHeadError, match="python -m training.shape_head"):
        ShapeHead(changed, SHA256)
    with pytest.raises(ShapeHeadError, match="missing"):
        ShapeHead(tmp_path / "absent.json", SHA256)
