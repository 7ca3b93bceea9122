"""The Gradio chat page over the :class:`assistant.Assistant`; holds no logic the API lacks.

Gradio is imported only when the page is built, so ``assistant --help`` stays instant.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["build_app", "serve"]
_WHERE = {"build_app": "ui.app", "serve": "ui.server"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
