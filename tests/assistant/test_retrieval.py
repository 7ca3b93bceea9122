"""Hybrid retrieval: the in-memory mirror (exact dense search, term postings of sentences and
titles), the fused score's use of the whole article, filters, and the mirror's cache."""

from __future__ import annotations

import numpy as np
import pytest

from index.lexical import TermGroups

# A long article: its title and first paragraph name the subject, the asked fact sits
# three chunks further on, where the subject is only "the company".
FILLER = " ".join(
    f"Analysts expect the market for regional rail equipment to change in year {n}, with orders, "
    f"maintenance contracts and staff training all moving at a different pace than before."
    for n in range(1, 13)
)
LONG = f"""---
title: "Harrowgate Signals wins contract for northern rail lines"
date: 2024-05-02
---
Harrowgate Signals has won a contract to replace the signalling on three northern rail lines.
The company said the work would take four years.

{FILLER}

{FILLER}

The company's chief executive, Odile Brennan, said the deal was worth 310 million pounds and
would create 400 jobs at its plant in Corby.
"""
OTHER = """---
title: "Ferry operator cuts winter timetable"
date: 2024-01-15
---
A ferry operator in the islands has cut its winter timetable after fuel costs rose.
Its chief executive said the deal with the fuel supplier was worth 12 million pounds.
"""


@pytest.fixture(scope="module")
def news(tmp_path_factory, embedder):
    from assistant import Assistant, Settings

    root = tmp_path_factory.mktemp("retrieval") / "news"
    root.mkdir()
    (root / "signals.md").write_text(LONG)
    (root / "ferry.md").write_text(OTHER)
    data = tmp_path_factory.mktemp("retrieval-index")
    bot = Assistant(Settings.load(data_dir=data), embedder=embedder)
    bot.sync([root])
    return bot, root


def test_groups_score_their_best_text_and_everything_they_hold():
    texts = ["red apples fall", "green pears", "red pears ripen", "plums"]
    groups = TermGroups(texts, [0, 0, 2, 2], n_groups=3)  # group 1 has no text
    weights = {"red": 1.0, "pear": 2.0, "plum": 4.0}
    assert groups.best(weights).tolist() == [2.0, 0.0, 4.0]  # one text's sum, not the group's
    assert groups.anywhere(weights).tolist() == [3.0, 0.0, 7.0]
    assert groups.best({"absent": 1.0}).tolist() == [0.0, 0.0, 0.0]


def test_dense_scores_are_exact_cosines(news, embedder):
    bot, _ = news
    question = "How many jobs will the rail signalling contract create?"
    passages = bot.retrieve(question, k=3)
    stored = bot.index.vectors([p.chunk_id for p in passages])
    query = embedder.embed_batch([question])[0]
    for p in passages:
        assert p.score == pytest.approx(float(np.dot(stored[p.chunk_id], query)), abs=1e-4)


def test_a_later_chunk_of_the_article_the_question_names_ranks_first(news):
    """The fact's chunk never names the company, and another article's sentence repeats
    the question's other words: the article as a whole decides."""
    bot, _ = news
    chunks = [p for p in bot.engine.retriever.mirror.passages if p.doc_id.endswith("signals.md")]
    assert len(chunks) >= 3  # the fact is far from the title
    top = bot.retrieve("What did the Harrowgate Signals chief executive say the deal was worth?", k=3)[0]
    assert "310 million pounds" in top.text and top.position > 0


def test_filters_and_the_previous_article(news):
    bot, _ = news
    retriever = bot.engine.retriever
    from assistant.retrieval.hybrid import Filters

    only_ferry = retriever.retrieve("chief executive", 5, Filters(doc_ids=("news/ferry.md",))).passages
    assert only_ferry and {p.doc_id for p in only_ferry} == {"news/ferry.md"}
    assert retriever.retrieve("chief executive", 5, Filters(date_from="2030-01-01")).passages == []
    plain = retriever.retrieve("what did the chief executive say", 5).passages
    boosted = retriever.retrieve("what did the chief executive say", 5, boost_doc="news/ferry.md").passages
    rank = lambda ps: [p.doc_id for p in ps].index("news/ferry.md")  # noqa: E731
    assert rank(boosted) <= rank(plain) and boosted[0].doc_id == "news/ferry.md"


def test_the_mirror_is_cached_on_disk_and_follows_a_sync(news, embedder):
    from assistant import Assistant, Settings

    bot, root = news
    question = "Which islands ferry operator cut its timetable?"
    first = bot.retrieve(question, k=2)
    assert list((bot.index.data_dir / "cache").glob("retrieval-*.pickle"))
    again = Assistant(Settings.load(data_dir=bot.index.data_dir), embedder=embedder)
    assert [p.chunk_id for p in again.retrieve(question, k=2)] == [p.chunk_id for p in first]
    (root / "bakery.md").write_text("---\ntitle: Bakery opens in Corby\n---\nA bakery opened in Corby on Monday.\n")
    bot.sync([root])
    assert bot.retrieve("Where did the bakery open?", k=1)[0].doc_id == "news/bakery.md"
