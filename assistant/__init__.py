"""Questions in, cited answers out: retrieval, conversation, LLM backends, API, CLI.

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
    "Answer": "assistant.answers",
    "Citation": "assistant.answers",
    "Assistant": "assistant.api",
    "Conversation": "assistant.conversation",
    "AssistantError": "assistant.errors",
    "AssistantRetriever": "assistant.llama_retriever",  # imports llama-index (seconds)
    "Settings": "assistant.config",
}

if TYPE_CHECKING:
    from assistant.answers import Answer, Citation
    from assistant.api import Assistant
    from assistant.config import Settings
    from assistant.conversation import Conversation
    from assistant.errors import AssistantError
    from assistant.llama_retriever import AssistantRetriever


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
