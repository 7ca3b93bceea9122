"""Imports point one way: ui -> assistant -> index -> corpus. Never back."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

LAYERS = ["corpus", "index", "assistant", "ui"]
# The command line is the composition root: `assistant serve` must start the page, so
# the CLI (and only it) imports the UI, lazily, inside that one subcommand.
ALLOWED = {"assistant/cli.py: ui.server"}


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_layers_below_it(package):
    forbidden = set(LAYERS[LAYERS.index(package) + 1:])
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert not set(offenders) - ALLOWED
