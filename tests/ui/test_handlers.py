"""The page's chat callbacks through the real handler and a real index of the shipped
articles: what is not a question adds nothing to the chat, markup is not part of one, and
the document filter reads as titles."""

from __future__ import annotations

import pytest

from assistant import Answer


@pytest.fixture(scope="module")
def handlers(tmp_path_factory, embedder):
    from assistant import Assistant, Settings
    from ui.handlers import Handlers

    bot = Assistant(Settings.load(data_dir=tmp_path_factory.mktemp("shipped")), embedder=embedder)
    bot.sync()
    return Handlers(bot)


def respond(handlers, question: str) -> list[tuple]:
    return list(handlers.respond(question, [], None, [], None, None, []))


@pytest.mark.parametrize("question", ["", "   \n ", "<b></b>", "x" * 2001])
def test_what_is_no_question_adds_nothing_to_the_chat(handlers, question):
    import gradio as gr

    for outputs in respond(handlers, question):
        chat = outputs[0]
        assert chat is None or isinstance(chat, type(gr.skip())) or chat == [], chat


def test_markup_in_a_question_is_not_part_of_it(handlers):
    outputs = respond(handlers, "How do I bake sourdough bread? <script>alert(1)</script>")
    answer = outputs[-1][4][-1]
    assert isinstance(answer, Answer) and answer.question == "How do I bake sourdough bread?"
    user_bubble = outputs[-1][0][0]["content"]
    assert "script" not in user_bubble and "alert" not in user_bubble


def test_the_document_filter_shows_titles_with_ids_as_values(handlers):
    choices = handlers.refresh()[1].constructor_args["choices"]
    ids = handlers.assistant.documents()
    assert sorted(value for _, value in choices) == ids
    assert all(label != value and "/" not in label for label, value in choices)
    assert any("Japan" in label for label, _ in choices)


def test_plain_question_drops_tags_and_code_but_keeps_words():
    from assistant.surfaces.markup import plain_question

    assert plain_question("What does <b>ILMU</b> stand for?<script>alert(1)</script>") == "What does ILMU stand for?"
    assert plain_question("Is 3 < 5 and 7 > 2?") == "Is 3 < 5 and 7 > 2?"
