"""The Gradio chat page over the :class:`assistant.Assistant`; holds no logic the API lacks.

Gradio is imported only when the page is built, so ``assistant --help`` stays instant.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["build_app", "serve"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(import_module("ui.app"), name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
