"""The int8 MiniLM graph with its word-embedding table kept in int8 in memory.

The model stores every weight as int8 plus a float scale, dequantized in the graph
(``Cast`` then ``Mul``). ONNX Runtime folds those constants at load, so the 30,522 x 384
word-embedding table is held as float32: 45 MB, of which a question reads a few rows.
Here the graph gathers the rows first and dequantizes only those:

    Gather(Mul(Cast(table_q), scale), ids)  ->  Mul(Cast(Gather(table_q, ids)), Gather(scale, ids))

The same float32 products of the same operands, so the vectors are bit-identical
(tests/index/test_minilm_embedder.py checks it), and the table stays 11 MB. The rest of
the weights are still folded (their MatMuls need them whole, and fast).

The edit is made on the protobuf bytes directly (the ``onnx`` package is not a
dependency): only the few fields it touches are decoded. A graph that does not have the
expected shape is returned unchanged.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

TABLE = "inner.embeddings.word_embeddings.weight"
# field numbers from onnx.proto: ModelProto.graph, GraphProto.node, NodeProto.input/output/name/op_type
MODEL_GRAPH, GRAPH_NODE = 7, 1
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE = 1, 2, 3, 4
LENGTH_DELIMITED = 2


def gather_before_dequantize(model: bytes) -> bytes:
    """``model`` (a serialized ModelProto) with the word-embedding lookup rewritten as above."""
    fields = _parse(model)
    graphs = [i for i, (number, _, _) in enumerate(fields) if number == MODEL_GRAPH]
    if len(graphs) != 1:
        return model
    graph = _parse(fields[graphs[0]][2])
    rewritten = _rewrite_nodes(graph)
    if rewritten is None:
        log.info("MiniLM graph not as expected; its word embeddings stay folded to float32")
        return model
    fields[graphs[0]] = (MODEL_GRAPH, LENGTH_DELIMITED, _serialize(rewritten))
    return _serialize(fields)


def _rewrite_nodes(graph: list[tuple[int, int, object]]) -> list[tuple[int, int, object]] | None:
    nodes = {i: _node(value) for i, (number, _, value) in enumerate(graph) if number == GRAPH_NODE}
    cast = [i for i, n in nodes.items() if n["op_type"] == "Cast" and n["output"] == [f"{TABLE}_f"]]
    mul = [i for i, n in nodes.items() if n["op_type"] == "Mul" and n["output"] == [TABLE]]
    gather = [i for i, n in nodes.items() if n["op_type"] == "Gather" and n["input"][:1] == [TABLE]]
    users = [i for i, n in nodes.items() if TABLE in n["input"] or f"{TABLE}_f" in n["input"]]
    if not (len(cast) == len(mul) == len(gather) == 1 and sorted(users) == sorted(mul + gather)):
        return None
    if nodes[mul[0]]["input"] != [f"{TABLE}_f", f"{TABLE}_scale"] or nodes[cast[0]]["input"] != [f"{TABLE}_q"]:
        return None
    ids, (found,) = nodes[gather[0]]["input"][1], nodes[gather[0]]["output"]
    rows_q, rows_scale = f"{TABLE}_rows_q", f"{TABLE}_rows_scale"
    lookup = [
        _with_io(graph[gather[0]][2], [f"{TABLE}_q", ids], [rows_q]),
        _new_node("Gather", f"{TABLE}_scale_gather", [f"{TABLE}_scale", ids], [rows_scale]),
        _with_io(graph[cast[0]][2], [rows_q], [f"{TABLE}_f"]),  # keeps its `to` attribute
        _with_io(graph[mul[0]][2], [f"{TABLE}_f", rows_scale], [found]),
    ]
    out: list[tuple[int, int, object]] = []
    for i, field in enumerate(graph):
        if i == gather[0]:
            out += [(GRAPH_NODE, LENGTH_DELIMITED, node) for node in lookup]
        elif i not in (cast[0], mul[0]):
            out.append(field)
    return out


def _node(data: bytes) -> dict:
    node: dict = {"input": [], "output": [], "op_type": ""}
    for number, _, value in _parse(data):
        if number == NODE_INPUT:
            node["input"].append(value.decode())
        elif number == NODE_OUTPUT:
            node["output"].append(value.decode())
        elif number == NODE_OP_TYPE:
            node["op_type"] = value.decode()
    return node


def _with_io(data: bytes, inputs: list[str], outputs: list[str]) -> bytes:
    """A node's bytes with new inputs and outputs; its name, type and attributes kept."""
    kept = [f for f in _parse(data) if f[0] not in (NODE_INPUT, NODE_OUTPUT)]
    return _serialize(_io(inputs, outputs) + kept)


def _new_node(op_type: str, name: str, inputs: list[str], outputs: list[str]) -> bytes:
    return _serialize(
        _io(inputs, outputs)
        + [(NODE_NAME, LENGTH_DELIMITED, name.encode()), (NODE_OP_TYPE, LENGTH_DELIMITED, op_type.encode())]
    )


def _io(inputs: list[str], outputs: list[str]) -> list[tuple[int, int, object]]:
    return [(NODE_INPUT, LENGTH_DELIMITED, s.encode()) for s in inputs] + [
        (NODE_OUTPUT, LENGTH_DELIMITED, s.encode()) for s in outputs
    ]


# -- protobuf wire format: (field number, wire type, value) ---------------------------
def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if byte < 0x80:
            return value, at
        shift += 7


def _parse(data: bytes) -> list[tuple[int, int, object]]:
    fields, at, view = [], 0, memoryview(data)
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 1:
            value, at = bytes(view[at : at + 8]), at + 8
        elif wire == LENGTH_DELIMITED:
            size, at = _varint(data, at)
            value, at = bytes(view[at : at + size]), at + size
        elif wire == 5:
            value, at = bytes(view[at : at + 4]), at + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.append((number, wire, value))
    return fields


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _serialize(fields: list[tuple[int, int, object]]) -> bytes:
    out = bytearray()
    for number, wire, value in fields:
        out += _encode_varint(number << 3 | wire)
        if wire == 0:
            out += _encode_varint(value)
        elif wire == LENGTH_DELIMITED:
            out += _encode_varint(len(value)) + value
        else:
            out += value
    return bytes(out)
