"""The first hour with the CLI: every mistake a user makes gets one clear line, and what
the terminal shows is readable (wrapped at words, emphasis as bold only on a terminal)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest

from assistant.surfaces.cli import main
from tests.conftest import run_cli

ANSI = re.compile(r"\033\[[0-9;]*m")


@pytest.fixture
def env(shipped_dir):
    return {"ASSISTANT_DATA_DIR": str(shipped_dir)}


def one_error_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    return lines[0]


@pytest.mark.parametrize(
    "argv, form",
    [
        (["ask", "--since", "next tuesday", "q"], "2025-03-14"),
        (["ask", "--until", "2025-13-40", "q"], "7d"),
        (["retrieve", "-k", "zero", "q"], "such as 5"),
        (["ask", "-k", "0", "q"], "such as 5"),
        (["index", "--wait", "soon"], "such as 30"),
        (["serve", "--port", "99999"], "7860"),
        (["index", "~no-such-user-here/articles"], "~/articles"),
    ],
)
def test_a_malformed_option_value_is_one_line_with_an_accepted_form(argv, form, capsys):
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert form in line and "Traceback" not in line


def test_named_days_and_spans_are_dates():
    from assistant.surfaces.options import date_value

    today = dt.date.today()
    assert date_value("today") == today.isoformat()
    assert date_value("Yesterday") == (today - dt.timedelta(days=1)).isoformat()
    assert date_value("last week") == date_value("7d") == date_value("1w") == (today - dt.timedelta(days=7)).isoformat()
    assert date_value("2025-03-14") == "2025-03-14"


def test_since_yesterday_is_asked_not_a_traceback(env):
    result = run_cli("ask", "--since", "yesterday", "What does ILMU stand for?", "--json", env=env)
    out = json.loads(result.stdout)
    assert out["refused"] is True  # both shipped articles are older (or undated)
    assert out["refusal"]["date_from"] == (dt.date.today() - dt.timedelta(days=1)).isoformat()


def test_a_doc_filter_no_article_has_is_a_usage_error(env):
    result = run_cli("ask", "--doc", "no-such-article", "What does ILMU stand for?", env=env, check=False)
    assert result.returncode == 2 and result.stdout == ""
    line = one_error_line(result.stderr)
    assert "no-such-article" in line and "assistant list" in line


def test_list_names_every_indexed_article(env):
    listed = json.loads(run_cli("list", "--json", env=env).stdout)
    assert listed["count"] == 2
    assert {"doc_id", "title", "date", "chunks"} <= set(listed["articles"][0])
    plain = run_cli("list", env=env).stdout
    for article in listed["articles"]:
        assert article["doc_id"] in plain and article["title"] in plain


def test_a_question_on_an_empty_index_says_how_to_add_articles(capsys):
    assert main(["ask", "What does ILMU stand for?"]) == 1  # the autouse fixture's data dir is empty
    line = one_error_line(capsys.readouterr().err)
    assert "nothing is indexed yet" in line and "assistant index" in line


def test_indexing_where_every_file_is_skipped_fails_and_names_each(tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\x03 not text")
    (folder / "empty.md").write_text("")
    assert main(["index", str(folder)]) == 1
    err = capsys.readouterr().err
    for name in ("binary.txt", "empty.md"):
        assert re.search(rf"skipped \S*{name}: \w+", err), err
    assert "error: nothing was indexed" in err


# -- what the terminal shows ---------------------------------------------------------------
LONG = "**Intelek Luhur Malaysia Untukmu.** ILMU stands for Intelek Luhur Malaysia Untukmu, " * 4


def test_wrapping_keeps_words_whole_and_bold_marks_take_no_width():
    from assistant.surfaces.render import wrap

    wrapped = wrap(LONG, 30)
    assert all(len(line.replace("**", "")) <= 30 for line in wrapped.splitlines())
    assert wrapped.split() == LONG.split()  # no word was cut


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal, no_color", [(True, False), (True, True), (False, False)])
def test_an_answer_is_bold_only_on_a_terminal_without_no_color(terminal, no_color, monkeypatch):
    from assistant import Answer
    from assistant.surfaces.render import print_answer

    out = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setenv("COLUMNS", "40")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    print_answer(Answer(LONG))
    shown = out.getvalue()
    assert "**" not in shown
    assert ("\033[1m" in shown) == (terminal and not no_color)
    assert all(len(ANSI.sub("", line)) <= 40 for line in shown.splitlines())


def test_the_cli_wraps_to_the_terminal_width(env):
    result = run_cli("retrieve", "Fukuda Doctrine", "-k", "2", env={**env, "COLUMNS": "50"})
    lines = result.stdout.splitlines()
    passage_lines = [line for line in lines if line.startswith("    ")]
    assert passage_lines and all(len(line) <= 50 for line in passage_lines)
    assert "\033[" not in result.stdout  # piped: plain


@pytest.mark.parametrize("source", ["", "https://example.org/ilmu"])
def test_a_citation_shows_its_title_and_only_a_declared_url(source, capsys):
    from assistant import Answer
    from assistant.core.answer import Citation
    from assistant.surfaces.render import print_answer

    cited = Citation(
        1,
        "articles/some-story.md",
        "Malaysia launches ILMU",
        "2025-08-01",
        source,
        "ILMU stands for Intelek Luhur Malaysia Untukmu.",
        0,
        47,
        0.9,
    )
    print_answer(Answer("ILMU stands for Intelek Luhur Malaysia Untukmu [1].", citations=[cited]))
    shown = capsys.readouterr().out
    assert "Malaysia launches ILMU" in shown and "articles/some-story.md" not in shown  # the id is in --json
    assert (source in shown) if source else "/" not in shown


@pytest.mark.parametrize("ansi", [True, False])
def test_a_streamed_answer_wraps_at_words_and_bolds_across_pieces(ansi):
    from assistant.surfaces.render import StreamWriter

    out = io.StringIO()
    writer = StreamWriter(out, columns=30, ansi=ansi)
    pieces = ["**Intelek Luhur ", "Malaysia Untukmu.** ", *LONG.split(" ")[4:]]
    for piece in pieces:
        writer.write(piece + ("" if piece.endswith(" ") else " "))
    shown = out.getvalue()
    assert "**" not in shown and ("\033[1mIntelek" in shown) == ansi
    assert all(len(ANSI.sub("", line)) <= 30 for line in shown.splitlines())
    assert ANSI.sub("", shown).split() == LONG.replace("**", "").split()
