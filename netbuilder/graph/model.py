"""The graph document: nodes with stable string ids, edges into numbered input ports.

The model is plain data plus edit methods that check what they are asked to do (no cycles,
one wire per input port). It knows nothing of shapes (``analysis``), files (``project``) or
views. Parameters are stored already type-checked (``ParamSpec.coerce``); values outside
their range are allowed and reported by analysis, because a half-typed edit is normal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .catalogue import get_spec
from .errors import GraphEditError, ParamError
from .spec import LayerSpec
from .walk import reachable

if TYPE_CHECKING:
    import networkx as nx


class BlockLike(Protocol):
    """What the model needs of a block definition (``blocks.BlockDef``): the graph inside it
    and its spec as a layer. The model stays the bottom of graph/: it imports no module that
    imports it (an import-linter contract in pyproject.toml)."""

    graph: Graph

    def spec(self) -> LayerSpec: ...

    def copy(self) -> BlockLike: ...


@dataclass
class Node:
    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)  # only values set by the user
    position: tuple[float, float] | None = None
    label: str | None = None
    trainable: bool = True   # False: frozen, training leaves its weights as they are

    @property
    def spec(self) -> LayerSpec:
        """The catalogue spec; for a node that may be a block use, ask ``Graph.spec``."""
        return get_spec(self.type)

    def copy(self) -> Node:
        return Node(self.id, self.type, dict(self.params), self.position, self.label, self.trainable)


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    target_port: int = 0


UNTITLED = "Untitled"     # the name of a network nobody has named yet


class Graph:
    """Nodes in insertion order and the edges between them."""

    def __init__(self, name: str = UNTITLED) -> None:
        self.name = name
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        # Block definitions by name; shared (not copied) with the graphs inside blocks.
        self.blocks: dict[str, BlockLike] = {}

    def spec(self, type_: str) -> LayerSpec:
        """The spec of a layer type or of one of this graph's blocks; KeyError if neither."""
        block = self.blocks.get(type_)
        return block.spec() if block is not None else get_spec(type_)

    def spec_of(self, node_id: str) -> LayerSpec:
        return self.spec(self.node(node_id).type)

    # -- queries -----------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphEditError(f"there is no node '{node_id}'") from None

    def in_edges(self, node_id: str) -> list[Edge]:
        return sorted((e for e in self.edges if e.target == node_id), key=lambda e: e.target_port)

    def out_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def to_networkx(self) -> nx.MultiDiGraph:
        import networkx as nx  # loaded when asked for: a quarter of the window's start-up

        g = nx.MultiDiGraph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from((e.source, e.target) for e in self.edges)
        return g

    def would_cycle(self, source: str, target: str) -> bool:
        """Whether a wire source -> target would close a loop (target already reaches source)."""
        return source == target or source in reachable(self.edges, target)

    def free_port(self, node_id: str) -> int:
        """The first input port of ``node_id`` with no wire (for dropping a wire on a node)."""
        taken = {e.target_port for e in self.edges if e.target == node_id}
        port = 0
        while port in taken:
            port += 1
        return port

    def new_id(self, base: str, taken: set[str] | None = None) -> str:
        """A fresh id from a type, label or copied id: ``conv2d``, ``conv2d_2``, ... (a copy
        of ``conv2d_2`` is ``conv2d_3``, not ``conv2d_2_2``). ``taken``: the ids in use, when
        more than this graph's (several ids made before any is added)."""
        taken = set(self.nodes) if taken is None else taken
        stem = re.sub(r"[^0-9a-zA-Z_]+", "_", base).strip("_").lower() or "node"
        if stem not in taken:
            return stem
        stem = re.sub(r"_\d+$", "", stem) or stem
        i = 2
        while f"{stem}_{i}" in taken:
            i += 1
        return f"{stem}_{i}"

    # -- edits -------------------------------------------------------------------------
    def add_node(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise GraphEditError(f"a node with id '{node.id}' already exists")
        self.spec(node.type)  # KeyError for unknown types: callers check with canonical_type
        self.nodes[node.id] = node
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its wires; returns both so an undo can put them back."""
        node = self.node(node_id)
        removed = [e for e in self.edges if node_id in (e.source, e.target)]
        self.edges = [e for e in self.edges if node_id not in (e.source, e.target)]
        del self.nodes[node_id]
        return node, removed

    def connect(self, source: str, target: str, target_port: int | None = None) -> Edge:
        """Wire ``source``'s output to an input port of ``target`` (first free port if None)."""
        src, dst = self.node(source), self.node(target)
        spec = self.spec(dst.type)
        if spec.inputs == 0:
            raise GraphEditError(f"{dst.type} '{target}' has no inputs: data enters the network there")
        port = self.free_port(target) if target_port is None else target_port
        if target_port is None and not spec.variadic and port >= spec.inputs:
            port = spec.inputs - 1  # every port is taken: explain with the wire that holds it
        if port < 0 or (not spec.variadic and port >= spec.inputs):
            raise GraphEditError(f"{dst.type} '{target}' has no input port {port}")
        if any(e.target == target and e.target_port == port for e in self.edges):
            taken = next(e for e in self.edges if e.target == target and e.target_port == port)
            raise GraphEditError(
                f"input {port} of '{target}' is already wired to '{taken.source}': remove that "
                "wire first" + (" or use another port" if spec.variadic else ""))
        if self.would_cycle(source, target):
            raise GraphEditError(
                f"wiring '{src.id}' into '{dst.id}' would make a loop ('{dst.id}' already feeds "
                f"'{src.id}'); networks here flow one way")
        edge = Edge(source, target, port)
        self.edges.append(edge)
        return edge

    def disconnect(self, edge: Edge) -> None:
        try:
            self.edges.remove(edge)
        except ValueError:
            raise GraphEditError(f"there is no wire {edge.source} -> {edge.target}") from None

    def set_param(self, node_id: str, name: str, value: Any) -> tuple[bool, Any]:
        """Set a parameter (type-checked).

        Returns ``(was_set, old_value)`` so an undo can restore or unset it.
        """
        node = self.node(node_id)
        spec = self.spec(node.type)
        try:
            pspec = spec.param(name)
        except KeyError:
            raise GraphEditError(f"{node.type} has no parameter '{name}'") from None
        try:
            value = pspec.coerce(value)
        except ParamError as e:
            raise ParamError(f"{name}: {e}") from None
        before = (name in node.params, node.params.get(name))
        node.params[name] = value
        return before

    def unset_param(self, node_id: str, name: str) -> None:
        """Forget a user value: the parameter takes its default again."""
        self.node(node_id).params.pop(name, None)

    def copy(self, *, deep_blocks: bool = False) -> Graph:
        """A copy of nodes and wires; blocks are shared unless ``deep_blocks`` (a snapshot)."""
        g = Graph(self.name)
        g.nodes = {k: n.copy() for k, n in self.nodes.items()}
        g.edges = list(self.edges)
        if deep_blocks:   # even when empty: a block added to the copy stays there
            g.blocks = {}
            for name, b in self.blocks.items():
                c = b.copy()
                c.graph.blocks = g.blocks
                g.blocks[name] = c
        else:
            g.blocks = self.blocks
        return g

    def subgraph(self, ids: Iterable[str]) -> Graph:
        ids = set(ids)
        g = Graph(self.name)
        g.nodes = {k: n.copy() for k, n in self.nodes.items() if k in ids}
        g.edges = [e for e in self.edges if e.source in ids and e.target in ids]
        g.blocks = self.blocks
        return g
