"""`assistant ask / retrieve / chat` through the real CLI, as scripts use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_cli

CITATION_KEYS = {"n", "doc_id", "title", "date", "source", "text", "start", "end", "score"}


@pytest.fixture
def env(shipped_dir):
    return {"ASSISTANT_DATA_DIR": str(shipped_dir)}


def test_ask_json_shape(env):
    out = json.loads(run_cli("ask", "What does ILMU stand for?", "--json", env=env).stdout)
    assert {"answer", "refused", "citations", "timings_ms"} <= set(out)
    assert out["refused"] is False and "Intelek" in out["answer"]
    assert CITATION_KEYS <= set(out["citations"][0])
    assert out["timings_ms"]["total"] > 0


def test_retrieve_json_passages_best_first(env):
    out = json.loads(run_cli("retrieve", "Fukuda Doctrine", "--json", "-k", "3", env=env).stdout)
    passages = out["passages"]
    assert len(passages) == 3 and CITATION_KEYS - {"n"} <= set(passages[0])
    assert any("Fukuda" in p["text"] for p in passages[:2])


def test_ask_refusal_and_filters(env):
    out = json.loads(run_cli("ask", "How do I bake sourdough bread?", "--json", env=env).stdout)
    assert out["refused"] is True and out["citations"] == []
    out = json.loads(run_cli("ask", "What is the partnership about?", "--json", "--doc",
                             "articles/japan-asean-ai-cocreation.md", env=env).stdout)
    assert {c["doc_id"] for c in out["citations"]} <= {"articles/japan-asean-ai-cocreation.md"}


def test_chat_reads_lines_and_keeps_memory(env):
    lines = "What did Japan and Cambodia agree on?\n\nWhy is it considered important?\n   \n"
    result = subprocess.run([sys.executable, "-m", "assistant", "chat"], input=lines, capture_output=True,
                            text=True, timeout=120, env={**__import__("os").environ, **env}, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 2
    assert "Japan and Cambodia" in answers[1]["standalone_question"]


@pytest.mark.parametrize("question", ["", "   ", "x" * 100_000, "\x01\x02\x1b"])
def test_bad_questions_give_one_clear_line_not_a_traceback(env, question):
    result = run_cli("ask", question, env=env, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_unknown_backend_config_is_a_clear_error(env):
    result = run_cli("ask", "What is ILMU?", env={**env, "ASSISTANT_BACKEND": "gpt-99"}, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "backend" in result.stderr
