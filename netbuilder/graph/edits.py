"""Graph edits as plain data: the operations a fix is made of, and how they are replayed.

An ``Edit`` is a tuple of operations (``SetParam``, ``InsertLayers``, ``Bypass``,
``Connect``) holding ids and values only, never live objects. ``apply_edit`` replays one on
a ``Graph`` (a copy, to preview the shapes it gives) or on the ``Document`` (through its
primitives, so views follow), handing back after each step the call that takes it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from .model import Edge, Graph, Node


@dataclass(frozen=True)
class SetParam:
    node: str
    name: str
    value: Any


@dataclass(frozen=True)
class NewLayer:
    id: str
    type: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class InsertLayers:
    """Put a chain of new layers on the wire ``source`` -> ``target`` (input ``port``)."""

    source: str
    target: str
    port: int
    layers: tuple[NewLayer, ...]


@dataclass(frozen=True)
class Bypass:
    """Remove a one-input layer and wire its input to every layer it fed."""

    node: str


@dataclass(frozen=True)
class Connect:
    source: str
    target: str
    port: int | None = None


Op = SetParam | InsertLayers | Bypass | Connect
Edit = tuple[Op, ...]


class Editable(Protocol):
    """A ``Graph`` or a ``Document``: both edit through these same primitives."""

    graph: Any

    def add_node(self, node: Node) -> Node: ...
    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]: ...
    def connect(self, source: str, target: str, target_port: int | None = None) -> Edge: ...
    def disconnect(self, edge: Edge) -> None: ...
    def set_param(self, node_id: str, name: str, value: Any) -> tuple[bool, Any]: ...
    def unset_param(self, node_id: str, name: str) -> None: ...
    def restore_edge(self, edge: Edge, index: int | None = None) -> None: ...


class _GraphEditor:
    """``Graph`` with the ``Editable`` face (its own methods, plus ``graph``)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.add_node, self.remove_node = graph.add_node, graph.remove_node
        self.connect, self.disconnect = graph.connect, graph.disconnect
        self.set_param, self.unset_param = graph.set_param, graph.unset_param

    def restore_edge(self, edge: Edge, index: int | None = None) -> None:
        self.graph.edges.insert(len(self.graph.edges) if index is None else index, edge)


Undo = Callable[[], Any]


def apply_edit(target: Graph | Editable, edit: Edit,
               on_step: Callable[[Undo], None] | None = None) -> None:
    """Replay ``edit`` on a graph or a document; raises the graph's typed errors.

    After each primitive edit, ``on_step`` receives the call that takes it back; run in
    reverse, those calls return the file to exactly what it was (order of layers and wires
    included), which is how the window's undo command uses them.
    """
    ed: Any = _GraphEditor(target) if isinstance(target, Graph) else target
    g: Graph = ed.graph
    step = on_step or (lambda _undo: None)
    for op in edit:
        if isinstance(op, SetParam):
            was_set, old = ed.set_param(op.node, op.name, op.value)
            step(partial(ed.set_param, op.node, op.name, old) if was_set
                 else partial(ed.unset_param, op.node, op.name))
        elif isinstance(op, InsertLayers):
            wire = next(e for e in g.edges if (e.source, e.target, e.target_port)
                        == (op.source, op.target, op.port))
            _disconnect(ed, g, wire, step)
            spots = _between(g, op.source, op.target, len(op.layers))
            prev = op.source
            for new, pos in zip(op.layers, spots, strict=True):
                ed.add_node(Node(new.id, new.type, dict(new.params), pos))
                step(partial(ed.remove_node, new.id))
                _connect(ed, prev, new.id, 0, step)
                prev = new.id
            _connect(ed, prev, op.target, op.port, step)
        elif isinstance(op, Bypass):
            (into,) = g.in_edges(op.node)
            outs = g.out_edges(op.node)
            place = list(g.nodes).index(op.node)
            wires = [(g.edges.index(e), e) for e in g.edges if op.node in (e.source, e.target)]
            ui = getattr(getattr(ed, "project", None), "node_ui", {}).get(op.node)
            node, _ = ed.remove_node(op.node)
            step(partial(_put_back, ed, node, place, wires, ui))
            for e in outs:
                _connect(ed, into.source, e.target, e.target_port, step)
        elif isinstance(op, Connect):
            _connect(ed, op.source, op.target, op.port, step)


def _connect(ed: Any, source: str, target: str, port: int | None,
             step: Callable[[Undo], None]) -> None:
    edge = ed.connect(source, target, port)
    step(partial(ed.disconnect, edge))


def _disconnect(ed: Any, g: Graph, wire: Edge, step: Callable[[Undo], None]) -> None:
    index = g.edges.index(wire)
    ed.disconnect(wire)
    step(partial(ed.restore_edge, wire, index))


def _put_back(ed: Any, node: Node, place: int, wires: list[tuple[int, Edge]],
              ui: dict | None) -> None:
    """Undo of a Bypass: the layer at its old place in the file, its wires at theirs."""
    g: Graph = ed.graph
    ed.add_node(node.copy())
    items = list(g.nodes.items())
    items.insert(place, items.pop())
    g.nodes.clear()
    g.nodes.update(items)
    if ui is not None:
        ed.project.node_ui[node.id] = ui
    for index, e in wires:
        ed.restore_edge(e, index)


def _between(g: Graph, a: str, b: str, n: int) -> list[tuple[float, float] | None]:
    pa, pb = g.nodes[a].position, g.nodes[b].position
    if pa is None or pb is None:
        return [None] * n
    return [(pa[0] + (pb[0] - pa[0]) * (i + 1) / (n + 1),
             pa[1] + (pb[1] - pa[1]) * (i + 1) / (n + 1)) for i in range(n)]
