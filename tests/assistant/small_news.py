"""Three small dated articles written for the MCP and LlamaIndex tests, indexed once per
session. Import the fixture into a test module: ``from tests.assistant.small_news import small_news_index``."""

from __future__ import annotations

import pytest

ARTICLES = {
    "harbour-bridge.md": """---
title: "Port Elwyn approves a new harbour bridge"
date: 2024-03-12
---
The town council of Port Elwyn voted on Tuesday to build a new bridge across the harbour.
The bridge will cost 42 million euros, most of it paid by the regional government.
Chief engineer Marta Okafor said construction will begin in June and take three years.
Fishing crews had asked for a higher span so that their boats can pass at high tide.
""",
    "orchard-frost.md": """---
title: "Late frost hits Valdoria orchards"
date: 2023-11-02
---
A late frost destroyed about 60 percent of the apple blossom in the Valdoria valley this spring.
Tomas Lind, who chairs the valley's fruit cooperative, said growers will ask for emergency loans.
Pear trees, which flower later, were mostly spared.
""",
    "chess-title.md": """---
title: "Kestrel City crowns a 14-year-old chess champion"
date: 2024-08-20
---
Priya Raman, aged 14, won the Kestrel City open chess championship on Sunday.
She beat the defending champion in the final round with a rook endgame.
The tournament drew 212 players from nine countries.
""",
}
DOC_IDS = sorted(f"small-news/{name}" for name in ARTICLES)


@pytest.fixture(scope="session")
def small_news_index(tmp_path_factory, embedder):
    """Data dir of an index holding the three articles (folder ``small-news``); tests only read it."""
    from assistant import Assistant, Settings

    root = tmp_path_factory.mktemp("articles") / "small-news"
    root.mkdir()
    for name, text in ARTICLES.items():
        (root / name).write_text(text)
    data = tmp_path_factory.mktemp("small-news-index")
    report = Assistant(Settings.load(data_dir=data), embedder=embedder).sync([root])
    assert report.added == len(ARTICLES)
    return data
