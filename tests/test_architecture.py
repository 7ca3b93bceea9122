"""Imports point one way: ui -> assistant -> index -> corpus, and inside assistant/ from the
surfaces down to the core. Never back, and no module imports one that imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = ["corpus", "index", "assistant", "ui"]
# Inside assistant/, lowest first: a module imports only from its own level or below.
ASSISTANT_LEVELS = [
    ["assistant.errors", "assistant.config", "assistant.calibration"],
    ["assistant.core"],
    ["assistant.retrieval"],
    ["assistant.reading"],
    ["assistant.llm"],
    ["assistant.engine"],
    ["assistant.api"],
    ["assistant.surfaces", "assistant.__main__", "assistant"],  # the package's lazy exports: any level
]


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            submodules = [f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}")]
            # `from assistant.reading import reader` imports the submodule, not what the package's __init__ holds
            names += submodules if len(submodules) == len(node.names) else [node.module, *submodules]
    return names


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _code(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _level(module: str) -> int | None:
    best = None
    for level, prefixes in enumerate(ASSISTANT_LEVELS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (level, len(prefix))
    return None if best is None else best[0]


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_layers_below_it(package):
    forbidden = set(LAYERS[LAYERS.index(package) + 1:])
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in _code(package) for name in _imports(path)
                 if name.split(".")[0] in forbidden]
    assert not offenders


def test_inside_assistant_imports_point_down():
    offenders = []
    for path in _code("assistant"):
        own = _level(_module(path))
        for name in _imports(path):
            if name.startswith("assistant.") and (level := _level(name)) is not None and level > own:
                offenders.append(f"{_module(path)} -> {name}")
    assert not offenders


def test_no_module_imports_one_that_imports_it():
    modules = {_module(p): p for package in LAYERS for p in _code(package)}
    graph = {m: {n for n in _imports(p) if n in modules and n != m} for m, p in modules.items()}
    circles = []

    def visit(node: str, trail: list[str], done: set[str]) -> None:
        for nxt in graph[node]:
            if nxt in trail:
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in done:
                visit(nxt, trail + [nxt], done)
        done.add(node)

    done: set[str] = set()
    for start in graph:
        if start not in done:
            visit(start, [start], done)
    assert not circles


def test_the_layers_above_are_checked_too():
    """The level table knows every module of assistant/ (a new subpackage gets a level)."""
    unplaced = [_module(p) for p in _code("assistant") if _level(_module(p)) is None]
    assert not unplaced
