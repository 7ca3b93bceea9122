"""A real `assistant serve` in a subprocess, on 127.0.0.1 and a free port, per test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import serving


def _clean_env(data_dir: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("ASSISTANT_") and k != "ASSISTANT_REQUIRE_ALL") and k != "OPENAI_API_KEY"
    }
    env.update(
        ASSISTANT_DATA_DIR=str(data_dir),
        GRADIO_TEMP_DIR=str(data_dir.parent / "gradio-tmp"),
        GRADIO_ANALYTICS_ENABLED="False",
        ASSISTANT_UPLOAD_MAX_MB="1",
    )
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Yields (url, data_dir) of a running `assistant serve`; its log is shown if it fails to start."""
    base = tmp_path_factory.mktemp("serve")
    data_dir, log_path = base / "data", base / "serve.log"
    with serving(_clean_env(data_dir), log_path, "/gradio_api/info") as (url, _):
        yield url, data_dir
