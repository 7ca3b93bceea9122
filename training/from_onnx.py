"""A training checkpoint rebuilt from an exported int8 graph, so that a later stage can start from
the committed model when the fp32 checkpoint that made it is gone (checkpoints live in .train/,
which is not in git and does not survive a new machine).

    .venv-train/bin/python -m training.from_onnx models/reader/reader.onnx .train/from-int8.pt

Each int8 weight is dequantized, (q - zero point) x scale, one scale per output channel, and put
back under the torch name its graph node was traced from. The word-embedding table is taken from
the base model instead: training keeps it frozen (training/modelling.py), so the base's fp32 table
is the trained one exactly. What is lost is the rounding of int8 (at most half a scale step per
weight). Checked on the stage-2 graph (2026-12-07): exported and quantized again, the rebuilt
weights gave all 40 int8 tensors of models/reader/reader.onnx bit for bit, and P(answers) moved
from the int8 graph's by what int8 itself moves it (0.46 -> 0.52 for one pair, most under 0.01).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import torch

from training.modelling import new_reader

# "/encoder/encoder/layer.3/attention/self/query/MatMul_quant" -> "encoder.encoder.layer.3.attention.self.query"
_LINEAR = re.compile(r"^/(encoder/encoder/layer\.\d+/.+)/MatMul_quant$")


def _dequantize(arrays: dict[str, np.ndarray], name: str) -> np.ndarray:
    q = arrays[name + "_quantized"].astype(np.float32)
    return (q - arrays[name + "_zero_point"].astype(np.float32)) * arrays[name + "_scale"]


def weights_from_onnx(path: Path) -> dict[str, torch.Tensor]:
    """The reader's state dict as far as the graph holds it (every tensor but the frozen word table)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    arrays = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    state = {name: torch.from_numpy(a.copy()) for name, a in arrays.items()
             if a.dtype == np.float32 and not name.startswith("onnx::") and "." in name
             and not name.endswith(("_scale", "_zero_point"))}  # biases and LayerNorm, kept fp32 by export
    for node in graph.node:
        linear = _LINEAR.match(node.name)
        if linear and node.op_type == "MatMulInteger":
            weight = _dequantize(arrays, node.input[1].removesuffix("_quantized"))  # (in, out)
            state[linear.group(1).replace("/", ".") + ".weight"] = torch.from_numpy(weight.T.copy())
        elif node.name == "/answer/Gemm_MatMul_quant":
            state["answer.weight"] = torch.from_numpy(_dequantize(arrays, "answer.weight_Transposed").T.copy())
        elif node.name == "/span/MatMul":
            state["span.weight"] = torch.from_numpy(arrays[node.input[1]].T.copy())
    for table in ("position_embeddings", "token_type_embeddings"):
        state[f"encoder.embeddings.{table}.weight"] = torch.from_numpy(
            _dequantize(arrays, f"encoder.embeddings.{table}.weight"))
    return state


def rebuild(onnx_path: Path, checkpoint: Path) -> None:
    model = new_reader()
    base = model.state_dict()
    state = weights_from_onnx(onnx_path)
    state["encoder.embeddings.word_embeddings.weight"] = base["encoder.embeddings.word_embeddings.weight"]  # frozen
    missing, unexpected = set(base) - set(state), set(state) - set(base)
    if missing or unexpected:
        raise SystemExit(f"error: {onnx_path} does not map onto the reader: missing {sorted(missing)[:5]}, "
                         f"unexpected {sorted(unexpected)[:5]}")
    model.load_state_dict(state)
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict(), "from_onnx": str(onnx_path)}, checkpoint)
    print(f"{checkpoint}: {len(state)} tensors from {onnx_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m training.from_onnx GRAPH.onnx CHECKPOINT.pt")
    rebuild(Path(sys.argv[1]), Path(sys.argv[2]))
