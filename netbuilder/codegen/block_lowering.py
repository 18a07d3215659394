"""Blocks to classes: every copy of every block (uses, repeats, blocks inside blocks) found,
and one generated class per definition and structure, innermost first."""

from __future__ import annotations

from typing import Any

from ..graph.model import Graph
from .class_body import ClassBody, layout
from .names import Namespace, class_name_for
from .plan_data import BlockClass, GraphCopy, execution_order


class BlockLowering:
    """Finds every copy of every block (uses, repeats, blocks inside blocks) and makes one
    class per definition and structure, innermost blocks first."""

    def __init__(self, graph: Graph, top: GraphCopy, classes: Namespace) -> None:
        self.graph = graph
        self.top = top
        self.class_ns = classes
        self.copies: dict[str, list[GraphCopy]] = {}
        self._seen: set[int] = set()
        self.nested: dict[int, tuple[str, dict[str, Any]]] = {}  # id(analysis) -> class, args
        self.plans: list[BlockClass] = []
        self.classes: set[str] = set()

    def run(self) -> BlockLowering:
        if not self.graph.blocks:
            return self
        self._collect(self.top)
        from ..graph.blocks import block_depth

        names = sorted(self.copies, key=lambda b: (block_depth(self.graph, b),
                                                   list(self.copies).index(b)))
        # Every class name is kept clear of the names inside classes (an __init__ argument
        # called ``BasicBlock`` would hide the class from the line that builds it).
        self.classes = {class_name_for(b) for b in names} | set(self.class_ns)
        for name in names:
            self._lower(name)
        return self

    def _collect(self, copy: GraphCopy) -> None:
        from ..graph.blocks import instantiate

        for nid in execution_order(copy.graph):
            node = copy.graph.nodes[nid]
            defn = copy.graph.blocks.get(node.type)
            if defn is None:
                continue
            params = copy.graph.spec(node.type).full_params(node.params)
            inner_graph = instantiate(defn, params)
            result = copy.analysis.nodes[nid].result
            for a in (result.inner if result is not None else []):
                if id(a) in self._seen:
                    continue
                self._seen.add(id(a))
                inner = GraphCopy(inner_graph, a)
                self.copies.setdefault(defn.name, []).append(inner)
                self._collect(inner)

    def _lower(self, block: str) -> None:
        defn = self.graph.blocks[block]
        copies = self.copies[block]
        layouts = [layout(defn.graph, c, self.nested, defn.params) for c in copies]
        groups: dict[tuple, list[int]] = {}
        for i, lay in enumerate(layouts):
            groups.setdefault(tuple(e.structure for e in lay), []).append(i)
        base = class_name_for(block)
        for k, members in enumerate(groups.values()):
            name = self.class_ns.create(base if k == 0 else f"{base}{k + 1}")
            self.classes.add(name)
            group = [copies[i] for i in members]
            body = ClassBody(defn.graph, group, [layouts[i] for i in members], self.classes,
                         self.nested, exposed=defn.params)
            self.plans.append(BlockClass(name, block, defn.description, body.init_params,
                                         [body.held[i] for i in defn.inputs], body.submodules,
                                         body.steps, body.held[defn.output]))
            for copy, args in zip(group, body.copy_args, strict=True):
                self.nested[id(copy.analysis)] = (name, args)

