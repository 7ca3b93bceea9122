"""Incremental sync: make the collection equal the corpus, touching only what changed.

Crash safety comes from the order of writes, not from transactions:
chunk ids are ``doc_id#hash#position`` (so re-writing is idempotent), each
chunk carries ``n_chunks`` (so a half-written document is recognisable), and
an old version is deleted only after every chunk of its new version is in.
Whatever point a run is killed at, the next run sees either a complete new
version (and deletes leftovers) or an incomplete one (and writes it again).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path

from corpus import Article, LoadResult
from index import sentence_vectors
from index.chunking import Chunk, chunk_article, sentence_spans
from index.embedders import Embedder
from index.entities import EntityTagger, Span, encode, within
from index.models import SyncReport
from index.store import ArticleStore, DocState

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
BATCH = 32


def plan(
    loads: list[LoadResult], states: dict[str, DocState], store: ArticleStore, report: SyncReport
) -> list[Article]:
    """Compare corpus with collection; delete what is gone, return what to (re)embed."""
    to_embed: list[Article] = []
    for load in loads:
        report.skipped.extend({"path": s.path, "reason": s.reason} for s in load.skipped)
        present = set()
        for article in load.articles:
            present.add(article.doc_id)
            report.warnings.extend({"path": article.path, "warning": w} for w in article.warnings)
            state = states.get(article.doc_id)
            digest = article.content_hash
            if state and state.is_complete(digest):
                report.unchanged += 1
                if len(state.chunks_by_hash) > 1:  # leftovers of an interrupted update
                    store.delete_document(article.doc_id, keep_hash=digest)
                continue
            if state and state.complete_hash():
                report.updated += 1
            else:
                report.added += 1
            to_embed.append(article)
        if load.whole_root:
            report.removed += _remove_missing(load, present, states, store)
    return to_embed


def _remove_missing(load: LoadResult, present: set[str], states: dict[str, DocState], store: ArticleStore) -> int:
    """Delete documents of this root whose file is gone. A file that is still
    there but was skipped (unreadable today) keeps its indexed version."""
    skipped_paths = {str(Path(s.path).resolve()) for s in load.skipped}
    removed = 0
    for doc_id, state in states.items():
        if state.root == str(load.root) and doc_id not in present and state.path not in skipped_paths:
            store.delete_document(doc_id)
            removed += 1
    return removed


def chunk_metadata(article: Article, chunk: Chunk, n_chunks: int, root_mode: str,
                   entities: list[Span] | None = None, tagger: str = "", sentences=None) -> dict:
    meta = {
        "doc_id": article.doc_id,
        "root": article.root,
        "root_mode": root_mode,
        "path": article.path,
        "title": article.title,
        "source": article.source,
        "start": chunk.start,
        "end": chunk.end,
        "position": chunk.position,
        "n_tokens": chunk.n_tokens,
        "content_hash": article.content_hash,
        "n_chunks": n_chunks,
    }
    if article.date:
        meta["date"] = article.date
        meta["date_num"] = int(article.date.replace("-", ""))  # Chroma compares numbers, not strings
    if article.author:
        meta["author"] = article.author
    if entities is not None:
        meta["entities"] = encode(within(entities, chunk.start, chunk.end))
        meta["ner"] = tagger
    if sentences is not None:
        meta[sentence_vectors.METADATA_KEY] = sentence_vectors.encode(sentences)
    return meta


def embed_and_write(
    articles: list[Article],
    store: ArticleStore,
    embedder: Embedder,
    chunker: Callable[[Article], list[Chunk]] = chunk_article,
    root_mode: Callable[[Article], str] = lambda a: "folder",
    progress: Progress | None = None,
    batch: int = BATCH,
    replaces: set[str] | frozenset[str] = frozenset(),
    present: set[str] | frozenset[str] = frozenset(),
    tagger: EntityTagger | None = None,
) -> int:
    """Embed every chunk of ``articles`` and write it; returns chunks embedded.

    Chunks are batched by length (less padding in the ONNX session) and each
    batch is written by a second thread while the next one is embedded.
    ``replaces`` names documents that already have chunks in the store: their
    other versions are deleted once the new one is complete. Chunk ids in
    ``present`` (left by an interrupted run) are neither embedded nor written
    again: re-writing ids that are already stored is what once left Chroma's
    vector index one element short after a crash.

    With a ``tagger``, each article's entities are found by a third thread while
    chunks are embedded (ONNX Runtime releases the GIL) and stored with each chunk.
    """
    items: list[tuple[Article, Chunk, int]] = []
    for article in articles:
        chunks = chunker(article)
        items.extend((article, chunk, len(chunks)) for chunk in chunks if chunk.id not in present)
    items.sort(key=lambda item: len(item[1].text))
    remaining = Counter(article.doc_id for article, _, _ in items)
    done = 0
    if progress:
        progress(0, len(items))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="entity-tagger") as tagging:
        entities = {a.doc_id: tagging.submit(tagger.tag, a.text) for a in articles} if tagger else {}
        write = partial(_write, store, remaining=remaining, root_mode=root_mode, replaces=replaces,
                        entities=entities, tagger=tagger.identity if tagger else "")
        try:
            pending: Future | None = None
            for i in range(0, len(items), batch):
                group = items[i : i + batch]
                vectors, sentences = _embed(embedder, [chunk.text for _, chunk, _ in group])
                if pending is not None:
                    pending.result()  # at most one write in flight; surfaces its errors
                pending = writer.submit(write, group, vectors, sentences)
                done += len(group)
                if progress:
                    progress(done, len(items))
            if pending is not None:
                pending.result()
        except BaseException:  # Ctrl-C or an error: the write in flight ends, the queued tagging is dropped
            tagging.shutdown(wait=False, cancel_futures=True)
            raise
    return len(items)


def _embed(embedder: Embedder, texts: list[str]):
    """The chunks' vectors, and their sentences' vectors when the embedder can pool them
    from the same pass (the local MiniLM; a server's embeddings come whole)."""
    if hasattr(embedder, "embed_with_sentences"):
        return embedder.embed_with_sentences(texts, [sentence_spans(text) for text in texts])
    return embedder.embed_batch(texts), [None] * len(texts)


def _write(store: ArticleStore, group, vectors, sentences, *, remaining: Counter, root_mode, replaces,
           entities: dict[str, Future], tagger: str) -> None:
    metadatas = [
        chunk_metadata(article, chunk, n, root_mode(article),
                       entities[article.doc_id].result() if entities else None, tagger, rows)
        for (article, chunk, n), rows in zip(group, sentences)
    ]
    store.upsert(
        ids=[chunk.id for _, chunk, _ in group],
        vectors=vectors.tolist(),
        texts=[chunk.text for _, chunk, _ in group],
        metadatas=metadatas,
    )
    for article, _, _ in group:
        remaining[article.doc_id] -= 1
        if remaining[article.doc_id] == 0 and article.doc_id in replaces:  # new version complete: old may go
            store.delete_document(article.doc_id, keep_hash=article.content_hash)


def tag_stored(articles: list[Article], states: dict[str, DocState], store: ArticleStore, tagger: EntityTagger) -> int:
    """Give unchanged documents indexed before entities existed (or by another tagger)
    their entities, without re-embedding; returns how many documents were tagged."""
    tagged = 0
    for article in articles:
        state = states.get(article.doc_id)
        if state is None or not state.is_complete(article.content_hash) or state.taggers == {tagger.identity}:
            continue
        spans = tagger.tag(article.text)
        rows = [(i, m) for i, m in store.chunk_rows(article.doc_id) if m.get("content_hash") == article.content_hash]
        metadatas = [{**m, "entities": encode(within(spans, int(m["start"]), int(m["end"]))), "ner": tagger.identity}
                     for _, m in rows]
        store.update_metadata([i for i, _ in rows], metadatas)
        tagged += 1
    return tagged
