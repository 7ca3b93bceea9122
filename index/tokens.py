"""cl100k_base token counting that works offline.

tiktoken downloads its BPE file on first use, which cannot happen here or in
CI. llama-index ships that file in ``llama_index/core/_static/tiktoken_cache``;
we point ``TIKTOKEN_CACHE_DIR`` there (without importing llama-index, which
takes seconds) unless the user already set it.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

ENCODING = "cl100k_base"


def _llama_index_cache() -> Path | None:
    spec = importlib.util.find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"


@lru_cache(maxsize=1)
def encoding():
    """The cl100k_base encoding, loaded once from the offline cache."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ and (cache := _llama_index_cache()) and cache.is_dir():
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
