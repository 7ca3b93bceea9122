"""The README is the user's manual: every setting must be documented there."""

from __future__ import annotations

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
