"""One embedding model in memory per process: an Assistant, its index and its engine share it."""

from __future__ import annotations

import pytest


def test_an_assistant_with_the_default_embedder_loads_no_second_model(shipped_dir, embedder):
    from assistant import Assistant, Settings
    from index import MiniLMEmbedder, embedders

    embedder.embed_batch(["warm up"])  # the session fixture's model is loaded
    loaded = dict(embedders._SESSIONS)
    bot = Assistant(Settings.load(data_dir=shipped_dir))  # builds its own MiniLMEmbedder
    answer = bot.ask("How much did USAID commit?")
    assert answer.text
    assert isinstance(bot.index.embedder, MiniLMEmbedder)
    assert bot.engine.index.embedder is bot.index.embedder
    assert embedders._SESSIONS == loaded  # indexing's session answered the question


def test_a_run_of_follow_ups_is_resolved_with_the_question_before_and_the_one_it_began_with():
    """Not with every question of a long chat: the run's first question names its subject,
    the one just before says what "it" was last."""
    from assistant.core.memory import Memory, Turn, resolve_deterministically

    memory = Memory(budget=10_000)
    asked = ["What does ILMU stand for?", "Why does it matter?", "Who developed it?", "What is it designed to do?"]
    for question in asked:
        standalone, _ = resolve_deterministically(question, memory)
        memory.add(Turn(question, standalone, "Malaysia's Intelek Luhur Malaysia Untukmu (ILMU) ...", "ilmu.txt"))
    last, _ = resolve_deterministically("How is it funded?", memory)
    assert last == "How is it funded? What is it designed to do? What does ILMU stand for?"


def test_it_after_a_description_is_also_read_as_its_subject(shipped_dir, embedder):
    """Read alone, "Who developed it?" matches any sentence saying who developed something
    (the shipped article's work plan); read also as "Who developed SEA-LION?", the one that
    names its maker leads. The subject carries along a run of follow-ups."""
    from assistant import Assistant, Settings

    chat = Assistant(Settings.load(data_dir=shipped_dir), embedder=embedder).conversation()
    assert chat.ask("What is SEA-LION?").shape == "description"
    follow = chat.ask("Who developed it?")
    assert not follow.refused and "Singapore’s SEA-LION" in follow.text, follow.text
    assert chat.memory.last.referent == "SEA-LION"


def test_the_pronoun_a_description_answers_for_is_replaced_by_its_subject():
    import numpy as np

    from assistant.core.question import Question

    def named(text: str) -> str | None:
        return Question.of(text, text, "earlier", None, np.zeros(3), referent="Mara Quill").as_read_named

    assert named("When did she join the railway?") == "When did Mara Quill join the railway?"
    assert named("What is her role?") == "What is Mara Quill's role?"
    assert named("Who gave her the award?") == "Who gave Mara Quill the award?"
    assert named("Did Smith say he would go?") is None  # a name before it is what it stands for
    assert Question.of("Who built it?", "Who built it?", "earlier", None, np.zeros(3)).as_read_named is None


@pytest.mark.parametrize(
    "before, question, asked",
    [
        ("What does the U.S. offer ASEAN?", "And Japan?", "What does Japan offer ASEAN?"),
        ("What does the U.S. offer ASEAN?", "What about the Japanese?", "What does the Japanese offer ASEAN?"),
        ("What is Japan's plan for the region?", "And the U.S.?", "What is the U.S.'s plan for the region?"),
        ("Who is Dr. Amina Sharma?", "How about Sophia Williams?", "Who is Sophia Williams?"),
        ("What does the U.S. offer ASEAN?", "And how much does it cost?", None),  # a question of its own
        ("What does the U.S. offer ASEAN?", "And ASEAN?", None),  # named already
        ("How much did it cost?", "And Japan?", None),  # no name to replace
    ],
)
def test_and_a_name_asks_the_question_before_of_that_name(before, question, asked):
    from assistant.core.memory import Memory, Turn, asked_of_another

    memory = Memory(budget=10_000)
    memory.add(Turn(before, before, "an answer", "doc.txt"))
    def closest(name, names):  # the first name: the embedder's choice is checked below
        return 0

    assert asked_of_another(question, memory, closest) == asked


def test_the_name_replaced_is_the_one_most_like_the_new_name(shipped_dir, embedder):
    from assistant import Assistant, Settings

    engine = Assistant(Settings.load(data_dir=shipped_dir), embedder=embedder).engine
    assert engine.closest_name("Japan", ["U.S.", "ASEAN"]) == 0
    assert engine.closest_name("Sahabat-AI", ["Singapore", "SEA-LION"]) == 1


@pytest.mark.parametrize("question, follows", [
    ("Which sovereign AI models have ASEAN countries developed?", False),  # a whole question of its own
    ("What did ASEAN adopt?", True),  # its names said before, and little else
    ("Why do they matter?", True),  # a pronoun
    ("Who is Sophia Williams?", False),  # a new name
])
def test_a_question_with_a_whole_question_of_its_own_is_no_follow_up(question, follows):
    from assistant.core.memory import Memory, Turn, is_follow_up

    memory = Memory(budget=10_000)
    memory.add(Turn("List the frameworks mentioned", "List the frameworks mentioned",
                    "ASEAN Guide on AI Governance and Ethics [1] and ASEAN Responsible AI Roadmap [2].", "doc.txt"))
    assert is_follow_up(question, memory) is follows
