"""Documents in, a searchable Chroma collection out: chunking, embedding, sync."""

from __future__ import annotations

from index.chunking import DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, Chunk, chunk_article
from index.embedders import EMBEDDERS, Embedder, EmbedderError, MiniLMEmbedder, OpenAIEmbedder, make_embedder
from index.malloc import IdleTrim, release_free_memory, tune_malloc
from index.models import (
    IndexBusyError,
    IndexError_,
    IndexMismatchError,
    Passage,
    StoreUnavailableError,
    SyncReport,
)
from index.service import Index
from index.tokens import count_tokens

__all__ = [
    "DEFAULT_CHUNK_TOKENS",
    "DEFAULT_OVERLAP_TOKENS",
    "EMBEDDERS",
    "Chunk",
    "Embedder",
    "EmbedderError",
    "Index",
    "IdleTrim",
    "IndexBusyError",
    "IndexError_",
    "IndexMismatchError",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "Passage",
    "StoreUnavailableError",
    "SyncReport",
    "chunk_article",
    "count_tokens",
    "make_embedder",
    "release_free_memory",
    "tune_malloc",
]
