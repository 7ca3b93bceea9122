"""The README is the user's manual: every setting is documented there, and its examples run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_every_setting_is_in_the_configuration_table():
    missing = [name for name in Settings.model_fields if f"`ASSISTANT_{name.upper()}`" not in README]
    assert not missing, f"document these in README.md: {missing}"


def test_readme_starts_with_the_two_commands():
    head = README[:800]
    assert "python3 dev.py run" in head and "python3 dev.py test" in head


def test_ci_runs_the_readme_test_command():
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()


# -- the README runs ---------------------------------------------------------------
# Convention (also in the README, "Tests and benchmarks"): `python` and `bash` blocks run in
# order in a scratch home; `<!-- not run: reason -->` on the line above a fence skips it.
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(\S.*?)\s*-->\s*$")
RUNNERS = {"python": "python", "py": "python", "bash": "bash", "sh": "bash", "shell": "bash"}
NEW_STORY = "# Harbour bridge reopens\n\nThe Kelby harbour bridge reopened on Monday after two years of repairs.\n"


def code_blocks(text: str) -> list[tuple[int, str, str, str | None]]:
    """(line, language, code, reason it is not run) of every fenced block."""
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        reason = NOT_RUN.match(before)
        found.append((text.count("\n", 0, match.start()) + 1, match.group(1), match.group(2), reason and reason[1]))
    return found


RUN = [
    (line, RUNNERS[lang], code) for line, lang, code, reason in code_blocks(README) if lang in RUNNERS and not reason
]


def test_the_convention_finds_blocks_to_run_and_to_skip():
    blocks = code_blocks(README)
    assert any(reason for *_, reason in blocks) and RUN
    assert all(lang in RUNNERS or lang in ("", "text", "json", "toml") for _, lang, _, _ in blocks), "tag code blocks: python, bash"
    marked = len(re.findall(r"^<!--\s*not run", README, re.M))
    assert marked == sum(1 for *_, reason in blocks if reason), "a `not run` comment must sit right above a fence"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A new user's home: no index yet, one article of their own."""
    home = tmp_path_factory.mktemp("home")
    (home / "articles").mkdir()
    (home / "articles" / "new-story.md").write_text(NEW_STORY)
    return home


@pytest.mark.parametrize(("line", "runner", "code"), RUN, ids=[f"README.md:{line}" for line, *_ in RUN])
def test_readme_block_runs(home, line, runner, code):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k != "OPENAI_API_KEY"}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    command = [sys.executable, "-c", code] if runner == "python" else ["bash", "-e", "-o", "pipefail", "-c", code]
    result = subprocess.run(command, cwd=home, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"README.md line {line} failed:\n{code}\n--- stderr ---\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr
