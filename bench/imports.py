"""The import structure of a package: its modules, the import arrows between them and the
circles (a module reaching itself through its imports), read from the code as
tests/test_architecture.py reads it. Prints numbers.

    .venv/bin/python bench/imports.py                 # assistant/ of this checkout
    .venv/bin/python bench/imports.py --root ../other-checkout --package assistant
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path


def modules(root: Path, package: str) -> dict[str, Path]:
    found = {}
    for path in (root / package).rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def arrows(found: dict[str, Path]) -> set[tuple[str, str]]:
    edges = set()
    for name, path in found.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in found]
                targets = subs if len(subs) == len(node.names) else [node.module, *subs]
            edges |= {(name, t) for t in targets if t in found and t != name}
    return edges


def circles(edges: set[tuple[str, str]]) -> int:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    count, done = 0, set()

    def visit(node: str, trail: list[str]) -> None:
        nonlocal count
        for nxt in graph.get(node, ()):
            if nxt in trail:
                count += 1
            elif nxt not in done:
                visit(nxt, trail + [nxt])
        done.add(node)

    for start in list(graph):
        if start not in done:
            visit(start, [start])
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--package", default="assistant")
    args = parser.parse_args()
    found = modules(args.root, args.package)
    edges = arrows(found)
    code = [n for n, p in found.items() if p.name != "__init__.py"]
    print(f"{args.package}/: {len(code)} modules (+{len(found) - len(code)} package __init__), "
          f"{len(edges)} import arrows, {circles(edges)} circles")


if __name__ == "__main__":
    main()
