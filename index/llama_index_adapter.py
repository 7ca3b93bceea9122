"""Our embedder as a llama-index ``BaseEmbedding``, so llama-index pipelines
(and the stock-LlamaIndex baseline in bench/quality.py) use the same vectors.

Importing this module imports llama-index (seconds), so nothing on the
default path does.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index.embedders import Embedder


class MiniLMLlamaEmbedding(BaseEmbedding):
    """Wraps any :class:`index.Embedder` (default: the local MiniLM ONNX model)."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.identity, embed_batch_size=32, **kwargs)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_batch([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_batch([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_batch(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
