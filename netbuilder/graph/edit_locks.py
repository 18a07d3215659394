"""The locks an assignment puts on the open document, as the editor enforces them.

``EditLocks`` is what the ``Document`` asks before each edit: may this node be deleted, may
this parameter take this value, may a layer of this type be added. It is built once, when an
assignment is opened, from the assignment's locks and its starting graph (the values a locked
parameter must keep, how many layers of a forbidden type the start already has), so the answer
never depends on the edits made since. Every refusal is a sentence for the student, naming
the layer and saying what the assignment allows.

``problems(graph)`` checks a whole graph against the same rules; the document uses it for
the edits that change many things at once (make a block, ungroup, restore a snapshot), so an
undo or a block edit cannot bring back what a single edit could not do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Graph

UNSET = object()     # ``refuse_param``'s value when the parameter is set back to its default


@dataclass(frozen=True)
class EditLocks:
    """Locked nodes (cannot be deleted), locked parameters (keep their starting value) and
    forbidden layer types (no more of them than the starting graph has)."""

    nodes: Mapping[str, str] = field(default_factory=dict)              # id -> type
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # id -> name -> JSON value
    forbidden: Mapping[str, int] = field(default_factory=dict)          # type -> count at start
    by: str = "the assignment"

    @classmethod
    def from_graph(cls, graph: Graph, nodes: Iterable[str] = (),
                   params: Mapping[str, Iterable[str]] | None = None,
                   forbidden: Iterable[str] = (), by: str = "the assignment") -> EditLocks:
        """Locks on ``graph`` as it is now (the assignment's starting graph). Names that are
        not in the graph are skipped: the assignment reader reports those."""
        locked_nodes = {nid: graph.nodes[nid].type for nid in nodes if nid in graph.nodes}
        locked_params: dict[str, dict[str, Any]] = {}
        for nid, names in (params or {}).items():
            node = graph.nodes.get(nid)
            if node is None:
                continue
            spec = graph.spec(node.type)
            full = spec.full_params(node.params)
            kept = {n: spec.param(n).to_json(full[n]) for n in names if n in full}
            if kept:
                locked_params[nid] = kept
        counts = {t: count_type(graph, t) for t in forbidden}
        return cls(locked_nodes, locked_params, counts, by)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.params or self.forbidden)

    # -- questions views ask --------------------------------------------------------------
    def node_locked(self, node_id: str) -> bool:
        return node_id in self.nodes or node_id in self.params

    def locked_params(self, node_id: str) -> dict[str, str]:
        """Each locked parameter of ``node_id`` with the reason (a field's tooltip)."""
        return {name: self._param_reason(node_id, name, value)
                for name, value in self.params.get(node_id, {}).items()}

    def node_reason(self, node_id: str) -> str:
        """What a locked card's tooltip says."""
        parts = []
        if node_id in self.nodes:
            parts.append("it cannot be deleted")
        names = list(self.params.get(node_id, {}))
        if names:
            parts.append(f"{_names(names)} cannot be changed")
        return f"Locked by {self.by}: " + " and ".join(parts) if parts else ""

    # -- one edit ---------------------------------------------------------------------------
    def refuse_remove(self, node_id: str) -> str | None:
        if node_id in self.nodes:
            return f"{node_id} is locked by {self.by}: it cannot be deleted"
        return None

    def refuse_param(self, graph: Graph, node_id: str, name: str, value: Any = UNSET) -> str | None:
        """Why ``name`` of ``node_id`` cannot take ``value`` (UNSET: its default), or None.
        Setting a locked parameter to the value it must keep is allowed (undo, retyping)."""
        locked = self.params.get(node_id, {})
        if name not in locked:
            return None
        node = graph.nodes.get(node_id)
        if node is None:
            return None
        spec = graph.spec(node.type)
        pspec = spec.param(name)
        try:
            new = pspec.default if value is UNSET else pspec.coerce(value)
            if pspec.to_json(new) == locked[name]:
                return None
        except Exception:  # noqa: BLE001 - a wrong value is refused below either way
            pass
        return self._param_reason(node_id, name, locked[name])

    def refuse_add(self, graph: Graph, type_: str) -> str | None:
        """Why a new layer of ``type_`` cannot join ``graph`` (the whole project's graph)."""
        if type_ not in self.forbidden:
            return None
        allowed = self.forbidden[type_]
        if count_type(graph, type_) < allowed:
            return None    # one of the starting layers was deleted: putting it back is fine
        return f"{self.by[0].upper()}{self.by[1:]} allows no new {type_} layers"

    # -- a whole graph ----------------------------------------------------------------------
    def problems(self, graph: Graph) -> list[str]:
        """Every lock ``graph`` breaks, each as a sentence (empty: none)."""
        out = []
        for nid, type_ in self.nodes.items():
            node = graph.nodes.get(nid)
            if node is None:
                out.append(f"{nid} is locked by {self.by}: it cannot be deleted")
            elif node.type != type_:
                out.append(f"{nid} is locked by {self.by}: it must stay a {type_}")
        for nid, locked in self.params.items():
            node = graph.nodes.get(nid)
            if node is None:
                if nid not in self.nodes:
                    out.append(f"{nid} is locked by {self.by}: it cannot be deleted")
                continue
            try:
                spec = graph.spec(node.type)
                full = spec.full_params(node.params)
                now = {n: spec.param(n).to_json(full[n]) for n in locked if n in full}
            except KeyError:
                now = {}
            for name, value in locked.items():
                if now.get(name) != value:
                    out.append(self._param_reason(nid, name, value))
        for type_, allowed in self.forbidden.items():
            n = count_type(graph, type_)
            if n > allowed:
                out.append(f"{self.by[0].upper()}{self.by[1:]} allows no new {type_} layers "
                           f"({n} now, {allowed} at the start)")
        return out

    def _param_reason(self, node_id: str, name: str, value: Any) -> str:
        return (f"{name} of {node_id} is locked by {self.by}: it stays "
                f"{_show(value)}")


def count_type(graph: Graph, type_: str) -> int:
    """Layers of ``type_`` in the network and inside every block definition it holds."""
    n = sum(1 for node in graph.nodes.values() if node.type == type_)
    for block in graph.blocks.values():
        n += sum(1 for node in block.graph.nodes.values() if node.type == type_)
    return n


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "x".join(str(v) for v in value) if all(isinstance(v, int) for v in value) \
            else str(value)
    if value is None:
        return "unset"
    return str(value)
