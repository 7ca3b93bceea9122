"""Incremental sync against a real Chroma on tmp_path with the real embedder."""

from __future__ import annotations

import shutil
import threading

import pytest

from index import IndexBusyError, IndexMismatchError
from index.lock import WriterLock

STORY = "The council approved a new bridge over the river after a long debate. " * 6


def chunk_ids(index) -> list[str]:
    return sorted(chunk_id for chunk_id, _, _ in index.store.rows([]))


def test_first_sync_indexes_the_shipped_corpus_then_nothing_changes(make_index):
    index = make_index()
    first = index.sync()
    assert (first.added, first.updated, first.removed, first.unchanged) == (2, 0, 0, 0)
    assert first.chunks_embedded == index.store.count() > 10
    second = index.sync()
    assert (second.added, second.unchanged, second.chunks_embedded) == (0, 2, 0)


def test_add_change_delete(make_index, bbc_sample):
    folder = bbc_sample(6)
    index = make_index()
    index.sync([folder])
    before = chunk_ids(index)
    files = sorted(folder.glob("*.txt"))

    files[0].write_text(files[0].read_text() + "\nA late paragraph about the bridge vote.\n")
    files[1].unlink()
    (folder / "new.txt").write_text("Bridge vote\n\n" + STORY)
    report = index.sync([folder])
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 4)
    after = chunk_ids(index)
    untouched = [i for i in before if not i.startswith((f"bbc/{files[0].name}#", f"bbc/{files[1].name}#"))]
    assert set(untouched) <= set(after)  # unchanged articles were not re-written
    assert not any(i.startswith(f"bbc/{files[1].name}#") for i in after)
    assert any(i.startswith("bbc/new.txt#") for i in after)
    # changed article: exactly one version remains
    versions = {i.split("#")[1] for i in after if i.startswith(f"bbc/{files[0].name}#")}
    assert len(versions) == 1


def test_editing_one_article_reembeds_only_that_article(make_index, bbc_sample):
    folder = bbc_sample(8)
    index = make_index()
    index.sync([folder])
    target = sorted(folder.glob("*.txt"))[3]
    target.write_text(target.read_text().replace("the", "a", 1))
    report = index.sync([folder])
    own_chunks = sum(1 for i in chunk_ids(index) if i.startswith(f"bbc/{target.name}#"))
    assert report.updated == 1 and report.unchanged == 7
    assert report.chunks_embedded == own_chunks


def test_removal_is_scoped_to_the_indexed_root(make_index, bbc_sample, tmp_path):
    news = bbc_sample(3, name="news")
    other = tmp_path / "elsewhere" / "news"  # same folder name, different root
    other.mkdir(parents=True)
    (other / "solo.txt").write_text(STORY)
    extra = tmp_path / "extra.md"
    extra.write_text(STORY)
    index = make_index()
    index.sync([news])
    index.sync([other])  # must not delete the first root's documents
    index.sync([extra])  # a single file: must not delete anything either
    docs = index.store.documents()
    assert len(docs) == 5
    assert "news-2/solo.txt" in docs and "news/001.txt" in docs  # ids never collide
    report = index.sync([news])
    assert report.removed == 0 and report.unchanged == 3


def test_resync_without_paths_covers_every_known_root(make_index, bbc_sample, tmp_path):
    folder = bbc_sample(3)
    single = tmp_path / "one.md"
    single.write_text(STORY)
    index = make_index()
    index.sync([folder])
    index.sync([single])
    (folder / "001.txt").unlink()
    single.write_text(STORY + " Edited.")
    report = index.sync()
    assert (report.removed, report.updated, report.unchanged) == (1, 1, 2)


def test_remove_by_id_and_by_root(make_index, bbc_sample, tmp_path):
    folder = bbc_sample(3)
    index = make_index()
    index.sync([folder])
    assert index.remove(["bbc/002.txt"]) == ["bbc/002.txt"]
    assert sorted(index.store.documents()) == ["bbc/001.txt", "bbc/003.txt"]
    assert index.remove(roots=[str(folder)]) == ["bbc/001.txt", "bbc/003.txt"]
    assert index.store.count() == 0


def test_a_file_that_turns_unreadable_keeps_its_indexed_version(make_index, bbc_sample):
    folder = bbc_sample(3)
    index = make_index()
    index.sync([folder])
    (folder / "002.txt").write_bytes(b"\x00\x01binary now")
    report = index.sync([folder])
    assert report.removed == 0 and len(report.skipped) == 1
    assert "bbc/002.txt" in index.store.documents()


def test_changing_the_embedder_or_chunking_fails_clearly_until_rebuild(make_index, embedder, bbc_sample):
    folder = bbc_sample(2)
    make_index().sync([folder])
    with pytest.raises(IndexMismatchError, match="assistant index --rebuild"):
        make_index(chunk_tokens=120).sync([folder])

    class OtherModel:
        identity = "other-model"

        def embed_batch(self, texts):
            return embedder.embed_batch(texts)[:, ::-1].copy()

    with pytest.raises(IndexMismatchError, match="rebuild"):
        make_index(embedder=OtherModel()).sync()
    rebuilt = make_index(chunk_tokens=120)
    report = rebuilt.sync(rebuild=True)
    assert report.added == 2 and rebuilt.status()["chunker"] == "cl100k_base/120/40"
    assert rebuilt.sync().unchanged == 2


def test_a_second_writer_fails_clearly(make_index, tmp_path):
    index = make_index()
    with WriterLock(tmp_path / "data"):
        with pytest.raises(IndexBusyError, match="another `assistant index`"):
            index.sync()


def test_a_second_writer_can_wait(make_index, tmp_path):
    index = make_index(lock_wait_seconds=30)
    lock = WriterLock(tmp_path / "data").__enter__()
    threading.Timer(0.5, lock.__exit__).start()
    assert index.sync().added == 2


def test_copying_a_root_elsewhere_indexes_it_as_another_root(make_index, bbc_sample, tmp_path):
    folder = bbc_sample(2)
    copy = tmp_path / "copy" / "bbc"
    shutil.copytree(folder, copy)
    index = make_index()
    index.sync([folder])
    index.sync([copy])
    assert sorted(index.store.documents()) == ["bbc-2/001.txt", "bbc-2/002.txt", "bbc/001.txt", "bbc/002.txt"]


def test_a_rebuild_killed_before_its_swap_is_finished_on_the_next_run(make_index, bbc_sample):
    folder = bbc_sample(2)
    index = make_index()
    index.sync([folder])
    index.sync(rebuild=True)
    # what a kill between "drop the old collection" and "rename the new one" leaves behind
    index.store.rename("articles-rebuild")
    fresh = make_index()
    report = fresh.sync()
    assert (report.added, report.unchanged) == (0, 2)
    assert sorted(fresh.store.documents()) == ["bbc/001.txt", "bbc/002.txt"]


def test_the_version_and_status_read_from_chromas_file_are_the_ones_chroma_gives(make_index, bbc_sample, tmp_path):
    """Questions read the collection's version, and `serve` its status, straight from
    Chroma's SQLite file (no chromadb import); they must change exactly when Chroma's do,
    through a rebuild too."""
    from index.store import embedded_version

    index = make_index(tmp_path / "news data #1?")  # the file is opened by URI: these must be escaped
    assert embedded_version(index.data_dir, index.collection_name) is None  # no store yet: Chroma is asked
    assert index.unfinished() and index.status()["documents"] == 0
    seen = []
    for step in ("shipped", "bbc", "rebuild", "again"):
        if step == "rebuild":
            index.sync(rebuild=True)
        else:
            index.sync([bbc_sample(3)] if step == "bbc" else None)
        read = embedded_version(index.data_dir, index.collection_name)
        assert read == index.store.version(), step
        seen.append(read)
        status, states = index.status(), index.store.documents()  # status reads the file too
        assert (status["documents"], status["chunks"], status["roots"]) == (
            len(states), index.store.count(), sorted({s.root for s in states.values()})), step
        assert status["generation"] == index.store.metadata()["generation"] and not index.unfinished(), step
    assert len(set(seen)) == 3 and seen[2] != seen[1] and seen[3] == seen[2]  # the last sync changed nothing
    assert embedded_version(index.data_dir, "no-such-collection") == ""


def test_answering_from_an_indexed_data_dir_does_not_load_chromadb(tmp_path):
    """A process that only answers (`assistant ask`, the Python API, MCP) reads the mirror's
    cache and the version from the file: chromadb (~65 MB, ~0.5 s) is never imported."""
    import subprocess
    import sys

    env = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, check=True, capture_output=True)
    probe = ("import sys; from assistant import Assistant, Settings; bot = Assistant(Settings.load()); "
             "answer = bot.ask('What does ILMU stand for?'); bot.ask('What did Japan and Cambodia agree on?'); "
             "print('Intelek' in answer.text, 'chromadb' in sys.modules)")
    for _ in range(2):  # the first question writes the mirror's cache; the second process reads it
        out = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "False"], out.stdout + out.stderr
