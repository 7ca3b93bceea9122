"""Questions about the collection itself ("How many articles are there?", "What is the
latest article?", "When was the article about X published?"), answered from the articles'
titles and dates, on small dated articles written for these tests."""

from __future__ import annotations

import pytest

from tests.assistant.conftest import index_articles


def _dated(title: str, date: str, body: str) -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\n---\n{body}\n'


ARTICLES = {
    "bridge.md": _dated("Kelby opens its new bridge", "2024-03-02",
                        "The new bridge over the Kel opened on Saturday after two years of work."),
    "library.md": _dated("Library reopens after fire", "2025-06-14",
                         "Kelby library reopened on Monday, a year after a fire closed it."),
    "ferry.md": _dated("Ferry fares to rise", "2023-11-20",
                       "Fares on the island ferry will rise by a tenth in January, the operator said."),
    "market.md": "Market moves to the harbour\n\nThe weekly market will move to the harbour front in the spring.\n",
}


@pytest.fixture(scope="module")
def town(tmp_path_factory, embedder):
    return index_articles(ARTICLES, tmp_path_factory.mktemp("town"), tmp_path_factory.mktemp("town-index"), embedder)


def test_how_many_articles_counts_them_and_lists_them_newest_first(town):
    answer = town.ask("How many articles are there?")
    assert answer.shape == "collection" and not answer.refused, answer.text
    assert answer.text.startswith("4 articles are indexed"), answer.text
    order = [answer.text.index(t) for t in ("Library reopens", "Kelby opens its new bridge", "Ferry fares to rise",
                                            "Market moves to the harbour")]
    assert order == sorted(order), answer.text  # newest first, the undated one last
    assert len(answer.citations) == 4 and "(2025-06-14)" in answer.text


def test_the_latest_and_the_oldest_article_are_the_dated_ones_at_either_end(town):
    assert "Library reopens after fire" in town.ask("What is the latest article?").text
    oldest = town.ask("Which is the oldest article?")
    assert "Ferry fares to rise" in oldest.text and "Market" not in oldest.text, oldest.text  # undated: no age


def test_when_an_article_was_published_is_its_date(town):
    answer = town.ask("When was the article about the library fire published?")
    assert answer.shape == "collection" and "2025-06-14" in answer.text, answer.text
    assert [c.doc_id.split("/")[-1] for c in answer.citations] == ["library.md"]
    undated = town.ask("When was the story about the market written?")  # no date: its text is read
    assert undated.shape == "collection" and "2025-06-14" not in undated.text, undated.text


def test_the_article_an_undated_article_reports_on_is_read_for_its_date(tmp_path, embedder):
    """A Wikipedia page, say, has no date of its own; "When was the article published?"
    there asks about an article it tells of."""
    articles = {"tesla.txt": "Nikola Tesla\n\nTesla wrote an article, The Problem of Increasing Human Energy, "
                             "which was published in Century Magazine on 20 December 1914.\n"}
    answer = index_articles(articles, tmp_path / "c", tmp_path / "d", embedder).ask("When was the article published?")
    assert "20 December 1914" in answer.text and not answer.refused, answer.text


def test_the_articles_about_a_topic_are_those_found(town):
    answer = town.ask("Which articles are there about the ferry?")
    assert answer.citations and answer.citations[0].doc_id.endswith("ferry.md"), answer.text
    assert town.ask("What articles do you have about Atlantis?").refused


@pytest.mark.parametrize("question", ["When was the novel published?", "How many articles did he write?",
                                      "What does the latest article say?"])
def test_questions_that_only_look_like_questions_about_the_collection_are_not(question):
    from assistant.reading.shapes import shape_of

    assert shape_of(question).kind != "collection"


def test_with_an_llm_the_collection_is_still_told_from_its_titles_and_dates(town):
    """A model given a question's passages would count those, not the articles."""
    from tests.assistant.test_shapes import RecordingModel

    model = RecordingModel()
    town.engine._models["openai"] = model
    try:
        answer = town.ask("How many articles are there?", backend="openai")
    finally:
        del town.engine._models["openai"]
    assert answer.text.startswith("4 articles are indexed") and not model.prompts, answer.text


def test_the_third_one_after_a_list_of_articles_is_the_third_article_listed(town):
    chat = town.conversation()
    listed = chat.ask("How many articles are there?")
    assert listed.citations[2].doc_id.endswith("ferry.md"), listed.text
    third = chat.ask("Summarize the third one")
    assert third.shape == "overview" and {c.doc_id.split("/")[-1] for c in third.citations} == {"ferry.md"}, third.text
    assert "a tenth" in third.text, third.text


# the answer before cited [1] a.txt, [2] a.txt again (another passage), [3] c.txt, [4] b.txt
CITED = ("a.txt", "a.txt", "c.txt", "b.txt")


@pytest.mark.parametrize(
    "question, shape, picked",
    [
        ("Summarize the second one", "collection", "c.txt"),  # its second article (not citation [2])
        ("Summarize the second one", "list", None),  # "the second one" of a list of names is no article
        ("What does the last article say?", "lookup", "b.txt"),
        ("Who is quoted in [3]?", "lookup", "c.txt"),
        ("What does source 1 say about it?", "lookup", "a.txt"),
        ("Who was the first one to cross?", "lookup", None),
        ("What does the fifth article say?", "lookup", None),  # there is no fifth
    ],
)
def test_a_place_in_the_answer_before_picks_its_article(question, shape, picked):
    from assistant.core.memory import Memory, Turn, picked_article

    memory = Memory(budget=10_000)
    memory.add(Turn("What articles are there?", "What articles are there?", "...", "a.txt", shape, cited_docs=CITED))
    assert picked_article(question, memory) == picked
