"""A small programmatic way to write graphs: used by the example generator and by tests.

    b = GraphBuilder("LeNet-5")
    x = b.input((1, 28, 28))
    x = b.layer("Conv2d", x, out_channels=6, kernel_size=5, padding=2, id="conv1")
    y = b.layer("Add", [x, shortcut])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .model import Edge, Graph, Node


class GraphBuilder:
    def __init__(self, name: str = "Untitled") -> None:
        self.graph = Graph(name)

    def define_block(self, name: str, build: Callable[[GraphBuilder, list[str]], str], *,
                     inputs: int = 1, params: dict[str, list[tuple[str, str]]] | None = None,
                     description: str = "") -> str:
        """Define a block: ``build(inner_builder, input_ids)`` wires the inside and returns
        the output id; ``params`` exposes inner parameters: ``{"channels": [("conv1",
        "out_channels"), ...]}``."""
        from .blocks import BlockDef, BlockParam, definition_problems

        inner = GraphBuilder(name)
        inner.graph.blocks = self.graph.blocks
        ids = [inner.input((1,), id="input" if inputs == 1 else f"input{i + 1}")
               for i in range(inputs)]
        output = build(inner, ids)
        defn = BlockDef(name, inner.graph, output,
                        [BlockParam(k, tuple(v)) for k, v in (params or {}).items()], description)
        problems = definition_problems(defn)
        if problems:
            raise ValueError("; ".join(problems))
        self.graph.blocks[name] = defn
        return name

    def input(self, shape: tuple[int, ...], id: str = "input", dtype: str = "float32") -> str:
        params: dict[str, Any] = {"shape": tuple(shape)}
        if dtype != "float32":
            params["dtype"] = dtype
        return self._add(Node(id, "Input", params))

    def layer(self, type_: str, inputs: str | list[str] | None, id: str | None = None,
              label: str | None = None, **params: Any) -> str:
        spec = self.graph.spec(type_)
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
