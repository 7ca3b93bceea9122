"""`assistant mcp` driven by the MCP SDK's own stdio client: one real server process per module,
over a small index built for these tests."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from tests.assistant.small_news import DOC_IDS, small_news_index  # noqa: F401 (a fixture)
from tests.conftest import ROOT

BRIDGE, CHESS, FROST = (f"small-news/{name}" for name in ("harbour-bridge.md", "chess-title.md", "orchard-frost.md"))
TOOLS = {"search_articles", "ask", "list_articles", "index_status"}


class StdioClient:
    """The SDK's ClientSession on a background event loop, called synchronously from tests."""

    def __init__(self, portal, session, stray: list) -> None:
        self.portal, self.session, self.stray = portal, session, stray

    def tools(self):
        return self.portal.call(self.session.list_tools).tools

    def call(self, name: str, arguments: dict | None = None):
        return self.portal.call(self.session.call_tool, name, arguments or {})


@contextmanager
def mcp_server(data_dir: Path, errlog):
    from mcp import ClientSession, StdioServerParameters, stdio_client

    # the SDK passes on only HOME, PATH and the like: name the checkout and the data dir
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "mcp"],
        env={"ASSISTANT_DATA_DIR": str(data_dir), "PYTHONPATH": pythonpath},
        cwd=ROOT,
    )
    stray: list = []  # anything on the server's stdout that is not a protocol message

    async def on_message(message) -> None:
        if isinstance(message, Exception):
            stray.append(message)

    with start_blocking_portal() as portal, ExitStack() as stack:
        read, write = stack.enter_context(portal.wrap_async_context_manager(stdio_client(params, errlog=errlog)))
        session = stack.enter_context(
            portal.wrap_async_context_manager(ClientSession(read, write, message_handler=on_message))
        )
        portal.call(session.initialize)
        yield StdioClient(portal, session, stray)


@pytest.fixture(scope="module")
def client(small_news_index, tmp_path_factory):  # noqa: F811
    with open(tmp_path_factory.mktemp("mcp") / "stderr.txt", "w") as errlog, mcp_server(small_news_index, errlog) as c:
        yield c


def ok(result) -> dict:
    assert not result.is_error, result.content
    return result.structured_content


def test_lists_four_read_only_tools_that_say_what_they_return(client):
    tools = {tool.name: tool for tool in client.tools()}
    assert set(tools) == TOOLS  # nothing that indexes or removes
    for tool in tools.values():
        assert "Returns" in tool.description
        assert tool.annotations.read_only_hint
    k = tools["search_articles"].input_schema["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, 50)


def test_search_returns_passages_with_their_citations(client):
    found = ok(client.call("search_articles", {"query": "new bridge across the Port Elwyn harbour", "k": 2}))
    passages = found["passages"]
    assert 1 <= len(passages) <= 2
    top = passages[0]
    assert top["doc_id"] == BRIDGE and "42 million euros" in top["text"]
    assert top["end"] - top["start"] >= len(top["text"].strip()) > 0
    assert top["title"] in top["citation"] and BRIDGE in top["citation"] and top["n"] == 1


def test_search_filters_by_article_and_by_date(client):
    only = ok(client.call("search_articles", {"query": "bridge", "doc_ids": [FROST]}))["passages"]
    assert only and {p["doc_id"] for p in only} == {FROST}
    recent = ok(client.call("search_articles", {"query": "frost apple blossom", "since": "2024-01-01"}))["passages"]
    assert recent and FROST not in {p["doc_id"] for p in recent}
    older = ok(client.call("search_articles", {"query": "frost apple blossom", "until": "2023-12-31"}))["passages"]
    assert {p["doc_id"] for p in older} == {FROST}


def test_ask_returns_a_cited_answer(client):
    answer = ok(client.call("ask", {"question": "Who won the Kestrel City chess championship?"}))
    assert not answer["refused"] and "Priya Raman" in answer["answer"]
    assert answer["citations"][0]["doc_id"] == CHESS and "[1]" in answer["answer"]
    assert "Priya Raman" in answer["citations"][0]["quote"]


def test_list_articles_and_index_status(client):
    listed = ok(client.call("list_articles"))
    assert listed["count"] == 3 and [a["doc_id"] for a in listed["articles"]] == DOC_IDS
    chess = next(a for a in listed["articles"] if a["doc_id"] == CHESS)
    assert chess["date"] == "2024-08-20" and "chess champion" in chess["title"] and chess["passages"] >= 1
    status = ok(client.call("index_status"))
    assert status["documents"] == 3 and status["chunks"] >= 3 and status["read_only"] and "hint" not in status


@pytest.mark.parametrize(
    ("tool", "arguments", "named"),
    [
        ("search_articles", {"query": "bridge", "k": 10_000}, "50"),
        ("search_articles", {"query": "bridge", "k": 0}, "k"),
        ("search_articles", {"query": "bridge", "k": "many"}, "k"),
        ("search_articles", {"query": "bridge", "doc_ids": ["small-news/nope.md", BRIDGE]}, "small-news/nope.md"),
        ("search_articles", {"query": "bridge", "doc_ids": [f"x/{i}" for i in range(1000)]}, "doc_ids"),
        ("search_articles", {"query": ""}, "empty"),
        ("search_articles", {"query": " \n\t "}, "empty"),
        ("search_articles", {"query": "bridge " * 20_000}, "characters"),
        ("search_articles", {"query": "bridge", "since": "last week"}, "YYYY-MM-DD"),
        ("search_articles", {"query": "bridge", "until": "2024-13-45"}, "YYYY-MM-DD"),
        ("search_articles", {"query": "bridge", "since": "2024-05-01", "until": "2024-01-01"}, "after"),
        ("search_articles", {}, "query"),
        ("ask", {"question": ""}, "empty"),
        ("ask", {"question": None}, "question"),
        ("list_articles", {"unexpected": 1}, None),
    ],
)
def test_a_hostile_argument_is_a_tool_error_not_a_crash(client, tool, arguments, named):
    result = client.call(tool, arguments)
    if named is None:  # extra arguments are ignored, as JSON schema allows
        assert not result.is_error
    else:
        assert result.is_error and named in result.content[0].text
    assert ok(client.call("index_status"))["documents"] == 3  # the server is still there


def test_stdout_carries_nothing_but_protocol(client):
    client.call("ask", {"question": "How many players took part in the Kestrel City tournament?"})
    assert client.stray == []


def test_without_an_index_the_tools_say_how_to_make_one_and_create_nothing(tmp_path):
    missing = tmp_path / "no-index-yet"
    with open(tmp_path / "stderr.txt", "w") as errlog, mcp_server(missing, errlog) as empty:
        status = ok(empty.call("index_status"))
        assert status["documents"] == 0 and "assistant index" in status["hint"]
        result = empty.call("search_articles", {"query": "bridge"})
        assert result.is_error and "assistant index" in result.content[0].text
    assert not missing.exists()
