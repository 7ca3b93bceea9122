"""The real `assistant index / status / remove` commands, each in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from index.lock import WriterLock
from tests.conftest import ROOT, run_cli

REPORT_KEYS = {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "seconds"}
STATUS_KEYS = {"documents", "chunks", "embedder", "data_dir"}
HEAVY = ("chromadb", "onnxruntime", "gradio", "llama_index", "torch", "tiktoken")
STORY = "Bridge vote\n\nThe council approved a new bridge over the river after a long debate. " * 3


def cli_json(*args: str, env: dict | None = None) -> dict:
    out = run_cli(*args, "--json", env=env).stdout
    assert len(out.strip().splitlines()) == 1, out  # one JSON document, nothing else on stdout
    return json.loads(out)


def python(snippet: str, timeout: float = 300) -> str:
    """Run ``snippet`` in a fresh interpreter; returns its last line of output."""
    result = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, cwd=ROOT, timeout=timeout, env=os.environ
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_index_and_status_json_shapes(isolated_env):
    result = run_cli("index", "--json")  # stderr is a pipe here, as in a log
    report = json.loads(result.stdout)
    # progress as plain lines with counts and rate, never a bar's carriage-return frames
    assert "\r" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert f"{report['chunks_embedded']}/{report['chunks_embedded']} chunks" in last and "chunks/s" in last, last
    assert set(report) - {"warnings"} == REPORT_KEYS
    assert (report["added"], report["updated"], report["removed"], report["unchanged"]) == (2, 0, 0, 0)
    assert report["skipped"] == [] and isinstance(report["seconds"], float) and report["chunks_embedded"] > 10

    status = cli_json("status")
    assert STATUS_KEYS <= set(status)
    assert (status["documents"], status["chunks"]) == (2, report["chunks_embedded"])
    assert status["embedder"] == "all-MiniLM-L6-v2-int8-onnx"
    assert status["data_dir"] == str(isolated_env)

    again = cli_json("index")
    assert (again["unchanged"], again["chunks_embedded"]) == (2, 0)


def test_data_dir_from_the_option_or_the_environment(isolated_env, tmp_path):
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "bridge.md").write_text(STORY)
    other = tmp_path / "other"

    cli_json("index", str(folder), "--data-dir", str(other))  # the option wins over ASSISTANT_DATA_DIR
    assert (other / "chroma").is_dir() and not isolated_env.exists()
    by_option = cli_json("status", "--data-dir", str(other))
    by_env = cli_json("status", env={"ASSISTANT_DATA_DIR": str(other)})
    assert by_option["data_dir"] == by_env["data_dir"] == str(other)
    assert by_option["documents"] == by_env["documents"] == 1

    assert cli_json("index")["added"] == 2  # ASSISTANT_DATA_DIR from the autouse fixture
    assert (isolated_env / "chroma").is_dir()
    assert cli_json("status")["documents"] == 2
    assert cli_json("status", "--data-dir", str(other))["documents"] == 1


def test_bad_files_are_skipped_by_name_with_a_reason(bbc_sample):
    folder = bbc_sample(1)
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "empty.md").write_text("")
    (folder / "notes.docx").write_text("hi")

    text = run_cli("index", str(folder))
    assert text.returncode == 0
    for name, reason in (("bad.txt", "binary file"), ("empty.md", "empty file"), ("notes.docx", "unsupported")):
        assert f"skipped {folder / name}: {reason}" in text.stderr
    assert "added 1" in text.stdout and "skipped 3" in text.stdout

    (folder / "late.txt").write_text(STORY)
    report = cli_json("index", str(folder))
    assert report["added"] == 1 and report["unchanged"] == 1
    reasons = {item["path"]: item["reason"] for item in report["skipped"]}
    assert sorted(reasons) == sorted(str(folder / name) for name in ("bad.txt", "empty.md", "notes.docx"))
    assert all(reason for reason in reasons.values())


def test_remove_by_doc_id_and_by_root(bbc_sample):
    folder = bbc_sample(3)
    cli_json("index", str(folder))
    assert cli_json("remove", "bbc/002.txt") == {"removed": ["bbc/002.txt"]}
    assert cli_json("status")["documents"] == 2
    plain = run_cli("remove", "--root", str(folder))
    assert plain.stdout.strip() == "removed 2 document(s)"
    status = cli_json("status")
    assert (status["documents"], status["chunks"]) == (0, 0)

    nothing = run_cli("remove", check=False)
    assert nothing.returncode == 2 and "DOC_ID" in nothing.stderr


def test_an_unknown_doc_id_is_a_one_line_error(bbc_sample):
    folder = bbc_sample(2)
    cli_json("index", str(folder))
    result = run_cli("remove", "bbc/001.txt", "nope/missing.txt", check=False)
    assert_one_line_error(result, "nope/missing.txt", "assistant status --json")
    assert cli_json("status")["documents"] == 2  # nothing was removed


def test_a_second_indexer_fails_clearly_or_waits(isolated_env):
    with WriterLock(isolated_env):
        busy = run_cli("index", check=False)
        assert_one_line_error(busy, f"another `assistant index` (pid {os.getpid()})", "--wait")
        busy = run_cli("remove", "articles/x.md", check=False)
        assert_one_line_error(busy, "another `assistant index`")

    lock = WriterLock(isolated_env).__enter__()
    release = threading.Timer(1.0, lock.__exit__)
    release.start()
    try:
        assert cli_json("index", "--wait", "60")["added"] == 2
    finally:
        release.join()


def test_help_and_argument_parsing_import_nothing_heavy():
    heavy = python(
        "import json, sys\n"
        "import assistant.surfaces.cli as cli\n"
        "for argv in (['index', '--json'], ['status'], ['remove', 'a/b.txt'], ['ask', 'why?']):\n"
        "    cli._parser().parse_args(argv)\n"
        "for argv in (['--help'], ['index', '--help']):\n"
        "    try:\n"
        "        cli.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    assert json.loads(heavy) == []
    shown = run_cli("--help")
    assert "index" in shown.stdout and "status" in shown.stdout and "remove" in shown.stdout


def test_a_full_index_run_never_imports_torch(tmp_path):
    found = python(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from index import Index\n"
        f"report = Index(Path({str(tmp_path / 'direct')!r})).sync()\n"
        "assert report.added == 2, report\n"
        "direct = 'torch' in sys.modules\n"
        "from assistant.surfaces.cli import main\n"
        f"assert main(['index', '--json', '--data-dir', {str(tmp_path / 'cli')!r}]) == 0\n"
        "print(json.dumps([direct, 'torch' in sys.modules]))\n"
    )
    assert json.loads(found) == [False, False]


def test_paths_expand_home_and_are_resolved(tmp_path):
    """`~` (quoted, so the shell leaves it) is the user's home; a relative path is from here."""
    home = tmp_path / "home"
    (home / "news").mkdir(parents=True)
    (home / "news" / "bridge.md").write_text(STORY)
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT)}

    def cli(*args: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "assistant", *args, "--json"], cwd=home, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert cli("index", "~/news", "--data-dir", "~/data")["added"] == 1
    status = cli("status", "--data-dir", "./news/../data")
    assert status["data_dir"] == str(home / "data") and status["roots"] == [str(home / "news")]
    assert cli("remove", "--root", "news", "--data-dir", "data") == {"removed": ["news/bridge.md"]}
    env["ASSISTANT_DATA_DIR"] = "./data"  # relative in the environment too
    assert cli("status")["data_dir"] == str(home / "data")
