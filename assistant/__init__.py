"""Questions in, cited answers out.

    core/        the question, the answer (and refusal), conversation memory, the pipeline's types
    retrieval/   hybrid search over the index's in-memory mirror
    reading/     question analysis, sentences as evidence, the reader, refusal, the extractive answerer
    llm/         LLM backends and generated answers with their grounding check
    surfaces/    the CLI, the OpenAI-compatible API, MCP, terminal chat, LlamaIndex retriever, rendering
    engine.py    one turn: question -> retrieval -> reading steps -> answerer
    api.py       the Python API (Assistant, Conversation); config.py, errors.py

Imports point down that list's reverse (surfaces -> api -> engine -> llm -> reading ->
retrieval -> core -> config/errors); tests/test_architecture.py checks it.

Exports are loaded lazily so that ``assistant --help`` stays instant.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "AssistantRetriever",
    "Citation",
    "Conversation",
    "Settings",
]

_WHERE = {
    "Answer": "assistant.core.answer",
    "Citation": "assistant.core.answer",
    "Assistant": "assistant.api",
    "Conversation": "assistant.api",
    "AssistantError": "assistant.errors",
    "AssistantRetriever": "assistant.surfaces.llama_retriever",  # imports llama-index (seconds)
    "Settings": "assistant.config",
}

if TYPE_CHECKING:
    from assistant.api import Assistant, Conversation
    from assistant.config import Settings
    from assistant.core.answer import Answer, Citation
    from assistant.errors import AssistantError
    from assistant.surfaces.llama_retriever import AssistantRetriever


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
