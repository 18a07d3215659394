"""``Mapper``: the graph an ONNX import builds, where each ONNX value comes from, and the
weights gathered under torch's names; with the helpers that read node names and attributes.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..graph.analysis import Analyzer
from ..graph.builder import GraphBuilder
from ..graph.errors import NetbuilderError
from ..graph.tensor import Tensor
from .errors import Unsupported


class Mapper:
    """The graph being built, where each ONNX value comes from, and the weights."""

    def __init__(self, name: str, values: dict[str, Any], nodes: list) -> None:
        self.builder = GraphBuilder(name)
        self.graph = self.builder.graph
        self.values = values
        self.src: dict[str, str] = {}            # ONNX value name -> node id
        self.state: dict[str, np.ndarray] = {}   # state_dict entries
        self.consumers: dict[str, list] = {}
        for n in nodes:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self.skip: set[int] = set()              # nodes already mapped by a pattern
        self._analyzer = Analyzer()
        self.outputs: set[str] = set()           # the model's output names

    # -- reading -------------------------------------------------------------------------
    def const(self, node, k: int, what: str) -> np.ndarray:
        if k >= len(node.input) or not node.input[k]:
            raise Unsupported(node.op_type, name_of(node), f"{what} is missing")
        v = self.values.get(node.input[k])
        if v is None:
            raise Unsupported(node.op_type, name_of(node), f"{what} is computed at run time, "
                              "not a constant")
        return v

    def opt_const(self, node, k: int):
        if k >= len(node.input) or not node.input[k]:
            return None
        return self.values.get(node.input[k])

    def shape(self, value: str) -> Tensor:
        nid = self.src[value]
        t = self._analyzer.run(self.graph).nodes[nid].output
        if t is None:
            raise NetbuilderError(f"the layer '{nid}' does not accept its input")
        return t

    def only_consumer(self, value: str, op_type: str):
        users = self.consumers.get(value, [])
        if len(users) == 1 and users[0].op_type == op_type and value not in self.outputs:
            return users[0]
        return None

    # -- writing -------------------------------------------------------------------------
    def add(self, type_: str, inputs: list[str], node, *, out: str | None = None,
            suffix: str = "", **params: Any) -> str:
        base = readable(name_of(node))
        if _GENERIC.match(base):       # 'n12', '3', 'node_7': the layer's type reads better
            base = type_.lower()
        nid = self.graph.new_id(base + suffix if base[:1].isalpha() else f"{type_.lower()}_{base}")
        self.builder.layer(type_, [self.src[i] for i in inputs], id=nid, **params)
        self.src[out or node.output[0]] = nid
        return nid

    def weights(self, nid: str, **tensors: np.ndarray | None) -> None:
        for k, v in tensors.items():
            if v is not None:
                self.state[f"{nid}.{k}"] = np.array(v, copy=True)



_GENERIC = re.compile(r"^(n|node|op)?_?\d+$")


def name_of(node) -> str:
    return node.name or node.output[0]


def readable(name: str) -> str:
    """``/features/features.0/Conv`` -> ``features_0``; ``conv1_1`` stays ``conv1_1``.

    TorchScript names a node ``/<module path>/<OpType>``: the module path is the name a
    student knows from the PyTorch code."""
    parts = [p for p in re.split(r"[/:]", name) if p]
    if len(parts) > 1 and parts[-1][:1].isupper():
        parts = parts[:-1]
        # '/layer1/layer1.0/conv1': 'layer1' is already inside 'layer1.0'
        parts = [p for k, p in enumerate(parts)
                 if not any(q.startswith(p + ".") for q in parts[k + 1:])]
    text = re.sub(r"[^0-9a-zA-Z_]+", "_", "_".join(parts)).strip("_").lower()
    text = text.removeprefix("node_") if len(text) > 5 else text   # the dynamo exporter's
    return text or "node"


def attr(node, name: str, default=None):
    from onnx import helper

    for a in node.attribute:
        if a.name == name:
            v = helper.get_attribute_value(a)
            return v.decode() if isinstance(v, bytes) else v
    return default


def data_input(node) -> str:
    return node.input[0]
