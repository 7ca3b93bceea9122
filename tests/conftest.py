"""Shared fixtures: every test gets its own data dir and a clean ASSISTANT_* environment."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
BBC = SHARED / "bench-corpus" / "bbc"
REQUIRE_ALL = os.environ.get("ASSISTANT_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    """Optional parts (llama-cpp, chromium) skip on a dev machine but fail in CI."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (ASSISTANT_REQUIRE_ALL=1 requires it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("ASSISTANT_") and key != "ASSISTANT_REQUIRE_ALL" or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key)
    data = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    return data


@pytest.fixture(scope="session")
def embedder():
    """The real MiniLM embedder, loaded once per test session."""
    from index import MiniLMEmbedder

    model = MiniLMEmbedder()
    model.embed_batch(["warm up"])
    return model


@pytest.fixture
def make_index(embedder, tmp_path):
    from index import Index

    def make(data_dir: Path | None = None, **kwargs):
        return Index(data_dir or tmp_path / "data", embedder=kwargs.pop("embedder", embedder), **kwargs)

    return make


@pytest.fixture
def bbc_sample(tmp_path):
    """A small folder of real BBC articles (copied, so tests may edit them)."""

    def sample(n: int = 10, name: str = "bbc", topic: str = "business") -> Path:
        target = tmp_path / name
        target.mkdir(parents=True, exist_ok=True)
        for src in sorted((BBC / topic).glob("*.txt"))[:n]:
            shutil.copy(src, target / src.name)
        return target

    return sample


def stop(proc: subprocess.Popen) -> None:
    """Stop a server the test started: politely, then for sure."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(env: dict, log_path: Path, ready: str):
    """A real `assistant serve` on a free loopback port, writing to ``log_path``; yields
    ``(url, port)`` once ``url + ready`` answers (else fails with the server's log), and stops it."""
    port = free_port()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_http(f"{url}{ready}", timeout=90, proc=proc)
        except (TimeoutError, RuntimeError) as exc:
            pytest.fail(f"{exc}\n--- server log ---\n{log_path.read_text()}")
        yield url, port
    finally:
        stop(proc)


def wait_for_http(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on 127.0.0.1 and a free port; yields its URL."""
    port = free_port()
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/v2/heartbeat", proc=proc)
        yield url
    finally:
        stop(proc)


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess:
    """Run the real `assistant` command in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"assistant {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result
