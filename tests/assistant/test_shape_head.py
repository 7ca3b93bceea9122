"""The learned shape head: read only when the rules read a lookup, taken only with the cue
its shape needs, and refused loudly when its file is not the one the code was built with."""

import pytest

from assistant.core.question import Shape
from assistant.reading.shape_head import HEAD_PATH, SHA256, ShapeHead, ShapeHeadError, masked, shape_head
from assistant.reading.shapes import shape_of


def _read(question: str, embedder) -> Shape:
    return shape_head().read(question, shape_of(question), embedder)


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
    assert shape_head().read("Compare Kelby Ferries and Ardmore Lines.", shape, embedder) is shape


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


def test_the_assistant_answers_in_the_shape_the_head_reads(tmp_path, embedder):
    """Through the engine: the head's reading decides the answer (an overview of the article,
    both sides of a comparison), and a follow-up is left to the rules."""
    from tests.assistant.conftest import index_articles

    articles = {"kelby.txt": "Kelby Ferries cuts fares\n\nKelby Ferries has cut its fares by a fifth, the company said on "
                             "Monday. A return crossing now costs twelve pounds. Its chief, Ann Roe, said passenger "
                             "numbers fell last year. The cut applies from March.\n",
                "ardmore.txt": "Ardmore Lines raises prices\n\nArdmore Lines will charge fifteen pounds for a return "
                               "crossing from April, up from thirteen. The company blamed fuel costs. Its chief, Tom "
                               "Hale, said the route still lost money.\n"}
    bot = index_articles(articles, tmp_path / "articles", tmp_path / "data", embedder)
    gist = bot.ask("Give me a synopsis of the article on Kelby Ferries cutting its fares.")
    assert gist.shape == "overview" and {c.doc_id for c in gist.citations} == {"articles/kelby.txt"}, gist.text
    both = bot.ask("Is Kelby Ferries any cheaper than Ardmore Lines?")
    assert both.shape == "comparison" and {c.doc_id for c in both.citations} == {"articles/kelby.txt", "articles/ardmore.txt"}, both.text
    chat = bot.conversation()
    chat.ask("How much does a return crossing with Kelby Ferries cost?")
    assert chat.ask("And with Ardmore Lines?").shape == "lookup"


def test_an_overview_follow_up_that_names_an_article_gets_that_article(tmp_path, embedder):
    """After a topic overview citing both articles, "Summarize the Ardmore article" means the
    article it names, not the one the answer before cited first; "Summarize the article"
    alone means that one."""
    from tests.assistant.conftest import index_articles

    articles = {"kelby.txt": "Kelby Ferries cuts fares\n\nKelby Ferries has cut its ferry fares by a fifth, the company "
                             "said on Monday. A return crossing now costs twelve pounds.\n",
                "ardmore.txt": "Ardmore Lines raises ferry fares\n\nArdmore Lines will raise its ferry fares to fifteen pounds for a "
                               "return ferry crossing from April. The company blamed fuel costs.\n"}
    chat = index_articles(articles, tmp_path / "articles", tmp_path / "data", embedder).conversation()
    first = chat.ask("What do the articles say about ferry fares?")
    assert {c.doc_id for c in first.citations} == {"articles/kelby.txt", "articles/ardmore.txt"}, first.text
    named = chat.ask("Summarize the Ardmore article.")
    assert named.shape == "overview" and {c.doc_id for c in named.citations} == {"articles/ardmore.txt"}, named.text
