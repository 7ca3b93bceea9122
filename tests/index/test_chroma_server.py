"""The index against a real `chroma run` server behaves like the embedded store."""

from __future__ import annotations

import json

import pytest

from index import Index, IndexMismatchError
from tests.conftest import run_cli


def chunk_ids(index: Index) -> list[str]:
    return sorted(chunk_id for chunk_id, _, _ in index.store.rows([]))


def test_sync_resync_edit_and_delete_through_a_server(chroma_server, make_index, bbc_sample):
    index = make_index(chroma_url=chroma_server)
    first = index.sync()
    assert (first.added, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    assert first.chunks_embedded == index.store.count() > 10
    again = index.sync()
    assert (again.added, again.unchanged, again.chunks_embedded) == (0, 2, 0)
    assert index.status()["chroma"] == chroma_server
    assert index.status()["documents"] == 2

    folder = bbc_sample(4)
    index.sync([folder])
    files = sorted(folder.glob("*.txt"))
    files[0].write_text(files[0].read_text() + "\nA late paragraph about the markets.\n")
    files[1].unlink()
    report = index.sync([folder])
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 1, 2)
    ids = chunk_ids(index)
    assert not any(i.startswith(f"bbc/{files[1].name}#") for i in ids)
    assert len({i.split("#")[1] for i in ids if i.startswith(f"bbc/{files[0].name}#")}) == 1
    assert index.remove(["bbc/003.txt"]) == ["bbc/003.txt"]
    assert sorted(d for d in index.store.documents() if d.startswith("bbc/")) == ["bbc/001.txt", "bbc/004.txt"]

    # a second client (another process, another data dir) sees the same collection
    other = make_index(data_dir=index.data_dir.parent / "elsewhere", chroma_url=chroma_server)
    assert chunk_ids(other) == chunk_ids(index)
    passages = other.search(index.embedder.embed_batch(["rupee"])[0].tolist(), k=3)
    assert len(passages) == 3


def test_a_settings_mismatch_fails_the_same_way_as_embedded(chroma_server, make_index, tmp_path):
    messages = []
    for name, url in (("embedded", None), ("server", chroma_server)):
        make_index(data_dir=tmp_path / name, chroma_url=url).sync()
        with pytest.raises(IndexMismatchError, match="assistant index --rebuild") as caught:
            make_index(data_dir=tmp_path / name, chroma_url=url, chunk_tokens=120).sync()
        messages.append(str(caught.value))
    assert messages[0] == messages[1]

    rebuilt = make_index(data_dir=tmp_path / "server", chroma_url=chroma_server, chunk_tokens=120)
    assert rebuilt.sync(rebuild=True).added == 2
    assert rebuilt.status()["chunker"] == "cl100k_base/120/40"
    assert rebuilt.sync().unchanged == 2


def test_cli_index_and_status_with_assistant_chroma_url(chroma_server, tmp_path):
    env = {"ASSISTANT_CHROMA_URL": chroma_server}
    first = json.loads(run_cli("index", "--json", env=env).stdout)
    assert (first["added"], first["chunks_embedded"] > 10) == (2, True)
    again = json.loads(run_cli("index", "--json", env=env).stdout)
    assert (again["unchanged"], again["chunks_embedded"]) == (2, 0)
    status = json.loads(run_cli("status", "--json", env=env).stdout)
    assert status["chroma"] == chroma_server
    assert (status["documents"], status["chunks"]) == (2, first["chunks_embedded"])
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store

    bad = run_cli("status", "--json", env={"ASSISTANT_CHROMA_URL": "http://127.0.0.1:9"}, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("error: ") and "127.0.0.1:9" in bad.stderr
