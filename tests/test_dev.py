"""`python3 dev.py run` stops on Ctrl-C as cleanly as `assistant serve` does: during the
install and during the first indexing (serving is the same wait in dev.py), with exit status 130 and no traceback.

dev.py runs from a copy of the repository's dev.py and pyproject.toml in a temporary folder
whose `.venv` borrows this interpreter's `assistant` command. Ctrl-C is SIGINT sent to the
whole process group, as a terminal sends it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from tests.ui.conftest import _clean_env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT are POSIX")

# Stands in for the venv's python during the install: we never run pip against the shared venv.
SLOW_PIP = "#!/bin/sh\nsleep 60\n"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A folder holding dev.py and pyproject.toml with a `.venv` whose `assistant` is ours."""
    root = tmp_path_factory.mktemp("checkout")
    for name in ("dev.py", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(SLOW_PIP)
    (bin_dir / "python").chmod(0o755)
    (bin_dir / "assistant").symlink_to(Path(sys.executable).parent / "assistant")
    return root


def installed(root: Path) -> None:
    spec = importlib.util.spec_from_file_location("dev_copy", root / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    dev.stamp("base").touch()


def interrupt(root: Path, data_dir: Path, when: str, timeout: float = 90) -> tuple[int, str]:
    """Start `dev.py run`, press Ctrl-C once ``when`` appears in its output; (status, stderr)."""
    out, err = root / "out.log", root / "err.log"
    # PYTHONFAULTHANDLER: a process that does not stop is sent SIGABRT below, and every
    # thread's stack then goes to err.log, so a hang says where it hung
    env = {**_clean_env(data_dir), "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1"}
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "dev.py", "run", "--port", str(free_port())],
            cwd=root,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while when not in out.read_text() + err.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, err.read_text()
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        try:
            status = proc.wait(60)  # spaCy may still be loading on the tagging thread, on a busy machine
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGABRT)
            time.sleep(3)
            pytest.fail(f"still running 60 s after Ctrl-C; its threads:\n{err.read_text()[-6000:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return status, err.read_text()


def test_ctrl_c_during_the_install(checkout, tmp_path):
    status, stderr = interrupt(checkout, tmp_path / "data", when="installing dependencies")
    assert "Traceback" not in stderr, stderr
    assert status == 130


def test_ctrl_c_during_the_first_indexing(checkout, tmp_path):
    """dev.py waits for `assistant serve` the same way whether it is indexing or serving;
    indexing is the harder case for the child (threads, an import cut short)."""
    installed(checkout)
    status, stderr = interrupt(checkout, tmp_path / "data", when="indexing the shipped articles")
    assert "Traceback" not in stderr, stderr
    assert status == 130


def test_run_says_once_where_the_cli_is(checkout, tmp_path):
    """`assistant` is in the repository's venv, not on the PATH: `dev.py run` says so as it starts."""
    installed(checkout)
    env = {**_clean_env(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "dev.py", "run", "--help"], cwd=checkout, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(".venv/bin/assistant") >= 1 and ".venv/bin/activate" in result.stdout
    assert result.stdout.count("the CLI is") == 1


def test_a_terminated_run_stops_its_server_too(checkout, tmp_path):
    """SIGTERM goes to `dev.py` alone (kill, a service manager): it passes it on, and no
    process of its group is left holding the port."""
    installed(checkout)
    out = checkout / "term.log"
    env = {**_clean_env(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    with open(out, "w") as stdout:
        proc = subprocess.Popen([sys.executable, "dev.py", "run", "--port", str(free_port())], cwd=checkout,
                                env=env, stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "indexing the shipped articles" not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(60) == 143, out.read_text()
        deadline = time.monotonic() + 30
        while True:  # the child stops on its own SIGTERM; then the group is empty
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "the server outlived dev.py"
            time.sleep(0.2)
        assert "Traceback" not in out.read_text(), out.read_text()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
