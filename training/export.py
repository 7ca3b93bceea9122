"""The trained network to ONNX (fp32), then int8 (dynamic quantization), and how far apart they are."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import torch

from assistant.reading.model import OUTPUTS, ReaderModel, encode_pairs, pad, sigmoid
from training.data import Item
from training.modelling import Reader, new_reader

log = logging.getLogger(__name__)
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(onnx: Path, threshold: float, **extra) -> None:
    """reader.json beside the graph: the sha256 the serving side checks, and the refusal threshold."""
    data = {"sha256": sha256(onnx), "threshold": threshold, **extra}
    onnx.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")


def to_onnx(model: Reader, path: Path) -> None:
    """fp32 graph with dynamic batch and sequence axes, traced from a plain-attention copy."""
    plain = new_reader("eager")
    plain.load_state_dict(model.state_dict())
    plain.eval()
    batch = pad(encode_pairs("Who wrote the report?", ["The report was written by Jane Smith.", "It rained."]))
    args = tuple(torch.from_numpy(batch.feeds()[name]) for name in INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS + OUTPUTS[1:]}
    axes[OUTPUTS[0]] = {0: "batch"}
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(plain, args, str(path), input_names=INPUTS, output_names=OUTPUTS,
                          dynamic_axes=axes, opset_version=17, dynamo=False, do_constant_folding=True)
    log.info("fp32 graph: %s (%.1f MB)", path, path.stat().st_size / 1e6)


# The heads are meant to stay fp32 (1,155 weights; the answer logit is what the refusal threshold
# reads), but quantize_dynamic turns the answer Gemm into "/answer/Gemm_MatMul" before this list
# applies, so the answer head is int8 too (384 weights, one scale): noticed 2026-12-07, left as is
# because changing it changes every committed P.
FLOAT_NODES = ["/answer/Gemm", "/span/MatMul"]


def quantize(fp32: Path, int8: Path) -> None:
    """int8 weights (MatMul, Gather), one scale per output channel, activations quantized at run
    time. Per channel because per tensor moved P(answers) about 3x as much and changed the
    chosen span for ~4 in 10 questions against ~1.5 in 10 (an early checkpoint, 150 dev questions)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_exclude=FLOAT_NODES)
    log.info("int8 graph: %s (%.1f MB)", int8, int8.stat().st_size / 1e6)


def agreement(fp32: Path, int8: Path, items: list[Item], pairs: int = 300) -> dict:
    """fp32 vs int8 on held-out pairs: how much P(answers) moves, and how often the chosen
    sentence and span stay the same."""
    a, b = ReaderModel(fp32, threads=2), ReaderModel(int8, threads=2)
    diffs, same_top, same_span, seen, questions = [], 0, 0, 0, 0
    for item in items:
        if seen >= pairs:
            break
        ra = a.score(item.question, item.candidates, item.titles, item.previous)
        rb = b.score(item.question, item.candidates, item.titles, item.previous)
        diffs += [abs(x.p_answer - y.p_answer) for x, y in zip(ra, rb)]
        ia = int(np.argmax([r.p_answer for r in ra]))
        ib = int(np.argmax([r.p_answer for r in rb]))
        same_top += ia == ib
        sa, sb = ra[ia].span, rb[ia].span
        same_span += sa is not None and sb is not None and (sa.start, sa.end) == (sb.start, sb.end)
        seen, questions = seen + len(ra), questions + 1
    return {"pairs": seen, "questions": questions, "p_answer_max_abs_diff": float(np.max(diffs)),
            "p_answer_mean_abs_diff": float(np.mean(diffs)), "same_top_sentence": same_top / questions,
            "same_span_in_that_sentence": same_span / questions}


def torch_vs_onnx(model: Reader, fp32: Path, items: list[Item]) -> float:
    """Largest |P(answers)| difference between the torch model and its fp32 graph (export sanity)."""
    session = ReaderModel(fp32, threads=2)
    worst = 0.0
    for item in items[:10]:
        batch = pad(encode_pairs(item.question, item.candidates, item.titles if session.reads_titles else None,
                                 item.previous if session.reads_previous else None))
        with torch.no_grad():
            logit = model(*(torch.from_numpy(batch.feeds()[n]) for n in INPUTS))[0].numpy()
        worst = max(worst, float(np.max(np.abs(sigmoid(logit) - sigmoid(session.run(batch)[0])))))
    return worst
