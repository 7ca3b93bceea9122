"""Our hybrid retrieval as a LlamaIndex ``BaseRetriever``, to put under a LlamaIndex
query or chat engine (``CondensePlusContextChatEngine``, ``RetrieverQueryEngine``, ...).

Importing this module imports llama-index (seconds), so nothing on the default path does.
"""

from __future__ import annotations

from collections.abc import Iterable

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from assistant.api import Assistant
from index import Passage

# What a node's metadata holds; the LLM's context shows only the first three (offsets and
# file paths mean nothing to a model, and a local path is nobody else's business).
METADATA = ("doc_id", "title", "date", "source", "start", "end", "position", "chunk_id")
SHOWN_TO_LLM = ("doc_id", "title", "date")


class AssistantRetriever(BaseRetriever):
    """Hybrid (Chroma dense + BM25, fused and re-ranked) retrieval over an :class:`Assistant`'s
    index, returning ``NodeWithScore`` best first.

    Each node is a ``TextNode`` whose id is the chunk id, text the passage, ``start_char_idx`` /
    ``end_char_idx`` its character offsets in the cleaned article, ``ref_doc_id`` the article's
    doc_id, and metadata ``doc_id``, ``title``, ``date``, ``source``, ``start``, ``end``,
    ``position``, ``chunk_id``. The score is the passage's cosine similarity to the query; the
    order is the fused ranking, so it is not always sorted by score.

    >>> retriever = AssistantRetriever(Assistant(), k=5, since="2024-01-01")
    >>> retriever.retrieve("Who won the chess championship?")[0].node.metadata["doc_id"]
    """

    def __init__(
        self,
        assistant: Assistant | None = None,
        *,
        k: int | None = None,
        doc_ids: Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        """``assistant`` defaults to one over the configured index (``ASSISTANT_DATA_DIR`` ...);
        ``k`` to its ``top_k``; ``doc_ids``, ``since`` and ``until`` (ISO dates, inclusive)
        restrict every retrieval."""
        super().__init__(callback_manager=callback_manager)
        self.assistant = assistant or Assistant()
        self.k = k
        self.doc_ids = tuple(doc_ids or ())
        self.since, self.until = since, until

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self.assistant.retrieve(
            query_bundle.query_str, k=self.k, doc_ids=self.doc_ids, date_from=self.since, date_to=self.until
        )
        return [NodeWithScore(node=passage_node(p), score=p.score) for p in passages]


def passage_node(passage: Passage) -> TextNode:
    """A passage as a LlamaIndex ``TextNode`` (offsets, metadata, source article)."""
    metadata = {key: getattr(passage, key) for key in METADATA}
    return TextNode(
        id_=passage.chunk_id,
        text=passage.text,
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        metadata=metadata,
        excluded_llm_metadata_keys=[key for key in METADATA if key not in SHOWN_TO_LLM or metadata[key] is None],
        excluded_embed_metadata_keys=list(METADATA),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.doc_id)},
    )
