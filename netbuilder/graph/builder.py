"""A small programmatic way to write graphs: used by the example generator and by tests.

    b = GraphBuilder("LeNet-5")
    x = b.input((1, 28, 28))
    x = b.layer("Conv2d", x, out_channels=6, kernel_size=5, padding=2, id="conv1")
    y = b.layer("Add", [x, shortcut])
"""

from __future__ import annotations

from typing import Any

from .catalogue import get_spec
from .model import Edge, Graph, Node


class GraphBuilder:
    def __init__(self, name: str = "Untitled") -> None:
        self.graph = Graph(name)

    def input(self, shape: tuple[int, ...], id: str = "input", dtype: str = "float32") -> str:
        params: dict[str, Any] = {"shape": tuple(shape)}
        if dtype != "float32":
            params["dtype"] = dtype
        return self._add(Node(id, "Input", params))

    def layer(self, type_: str, inputs: str | list[str] | None, id: str | None = None,
              label: str | None = None, **params: Any) -> str:
        spec = get_spec(type_)
        coerced = {k: spec.param(k).coerce(list(v) if isinstance(v, tuple) else v)
                   for k, v in params.items()}
        nid = id or self.graph.new_id(type_)
        self._add(Node(nid, spec.type, coerced, label=label))
        if inputs is not None:
            srcs = [inputs] if isinstance(inputs, str) else inputs
            for port, src in enumerate(srcs):
                self.graph.edges.append(Edge(src, nid, port))
        return nid

    def _add(self, node: Node) -> str:
        self.graph.add_node(node)
        return node.id
