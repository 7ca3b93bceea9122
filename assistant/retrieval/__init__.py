"""Hybrid retrieval (dense + BM25, a fitted fused score) over the index's in-memory mirror."""

__all__ = ["hybrid"]
