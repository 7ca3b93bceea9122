"""LLM backends (one registry, chosen by name) and generated answers with their grounding check."""

__all__ = ["backends", "generative"]
