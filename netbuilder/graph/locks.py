"""What a student may not change in an assignment's network, and finding what was changed.

An assignment locks parts of its starting network (see docs/file-format.md, "Assignment
files"):

* ``nodes``: node ids that cannot be deleted (nor have their layer type changed);
* ``params``: per node id, parameter names whose values cannot be changed (``"*"`` locks
  every parameter of that node);
* ``no_new_types``: layer types the student may not add (nodes of that type that were in
  the starting network may stay).

Pure data and pure functions; the window enforces locks while editing, the grader checks a
finished graph with :func:`check_locks`. Both word their refusals with the same
``why_*`` methods, so the student reads the grader's sentence before handing in.

API (stable; the window builds on it):

* ``Locks(nodes=(), params={}, no_new_types=())`` with ``is_empty``,
  ``why_node_locked(node_id)``, ``why_param_locked(node_id, name)``,
  ``why_type_forbidden(type_)``: each ``None`` when allowed, else the reason in one sentence;
  ``locked_params(node_id, spec)`` the names of that node's locked parameters.
* ``locks_from_dict(data, start_graph) -> Locks`` (``AssignmentFileError`` naming the
  place), ``locks_to_dict(locks) -> dict``.
* ``Violation(kind, node, param, message)``; ``kind`` is ``"deleted"``, ``"retyped"``,
  ``"block"`` (the block a locked use stands for was changed inside), ``"param"`` or
  ``"new_type"`` (also a forbidden layer inside a new or changed block).
* ``check_locks(assignment, graph) -> list[Violation]`` (also takes a ``Locks`` and the
  starting graph: ``check_graph_locks(locks, start, graph)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import jsonfile
from .errors import AssignmentFileError
from .goals import layer_type_in, layers_in
from .model import Graph, Node

_kind, _show = jsonfile.kind, jsonfile.show

if TYPE_CHECKING:
    from .assignment import Assignment
    from .spec import LayerSpec

ALL_PARAMS = "*"

_KEYS = {"nodes", "params", "no_new_types"}


@dataclass(frozen=True)
class Violation:
    """One change to a locked part, named: ``node`` and (for ``kind == "param"``) ``param``."""

    kind: str           # deleted, retyped, param, new_type
    node: str
    param: str | None
    message: str


@dataclass(frozen=True)
class Locks:
    nodes: tuple[str, ...] = ()
    params: dict[str, tuple[str, ...]] = field(default_factory=dict)
    no_new_types: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.nodes or self.params or self.no_new_types)

    def why_node_locked(self, node_id: str) -> str | None:
        """Why ``node_id`` cannot be deleted (or retyped); None when it can."""
        if node_id in self.nodes:
            return f"'{node_id}' is locked by the assignment: it cannot be deleted or replaced"
        return None

    def locked_params(self, node_id: str, spec: LayerSpec) -> list[str]:
        names = self.params.get(node_id, ())
        if ALL_PARAMS in names:
            return list(spec.param_names())
        return [n for n in spec.param_names() if n in names]

    def why_param_locked(self, node_id: str, name: str) -> str | None:
        """Why parameter ``name`` of ``node_id`` cannot be changed; None when it can."""
        names = self.params.get(node_id, ())
        if name in names or ALL_PARAMS in names:
            return (f"{name} of '{node_id}' is locked by the assignment: keep the value it "
                    "was given")
        return None

    def why_type_forbidden(self, type_: str) -> str | None:
        """Why a new layer of ``type_`` cannot be added; None when it can."""
        if type_ in self.no_new_types:
            return f"the assignment allows no new {type_} layers"
        return None


def locks_from_dict(data: Any, start: Graph) -> Locks:
    """Read the ``locks`` object of an assignment, checked against the starting graph."""
    if data is None:
        return Locks()
    if not isinstance(data, dict):
        raise AssignmentFileError(f'"locks": expected an object, received {_kind(data)}')
    for k in data:
        if k not in _KEYS:
            raise AssignmentFileError(f'"locks": unknown key {k!r} (known keys: '
                                      f"{', '.join(sorted(_KEYS))})")
    nodes = data.get("nodes", [])
    if not isinstance(nodes, list):
        raise AssignmentFileError(f'"locks".nodes: expected a list of node ids, received '
                                  f"{_kind(nodes)}")
    for i, nid in enumerate(nodes):
        _node_id(nid, f'"locks".nodes[{i}]', start)
    params_raw = data.get("params", {})
    if not isinstance(params_raw, dict):
        raise AssignmentFileError(f'"locks".params: expected an object (node id: list of '
                                  f"parameter names), received {_kind(params_raw)}")
    params: dict[str, tuple[str, ...]] = {}
    for nid, names in params_raw.items():
        where = f'"locks".params.{nid}'
        _node_id(nid, where, start)
        spec = start.spec(start.nodes[nid].type)
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise AssignmentFileError(f"{where}: expected a list of parameter names (or "
                                      f'["*"] for all), received {_show(names)}')
        for name in names:
            if name != ALL_PARAMS and name not in spec.param_names():
                known = ", ".join(spec.param_names()) or "none"
                raise AssignmentFileError(f"{where}: {spec.type} has no parameter {name!r} "
                                          f"(its parameters: {known})")
        params[nid] = tuple(dict.fromkeys(names))
    types = data.get("no_new_types", [])
    if not isinstance(types, list):
        raise AssignmentFileError(f'"locks".no_new_types: expected a list of layer types, '
                                  f"received {_kind(types)}")
    canon: list[str] = []
    for i, t in enumerate(types):
        c = layer_type_in(t, f'"locks".no_new_types[{i}]', start)
        canon.append(c)
    return Locks(tuple(dict.fromkeys(nodes)), params, tuple(dict.fromkeys(canon)))


def locks_to_dict(locks: Locks) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if locks.nodes:
        out["nodes"] = list(locks.nodes)
    if locks.params:
        out["params"] = {nid: list(names) for nid, names in locks.params.items()}
    if locks.no_new_types:
        out["no_new_types"] = list(locks.no_new_types)
    return out


def check_locks(assignment: Assignment, graph: Graph) -> list[Violation]:
    """Every change ``graph`` makes to the assignment's locked parts, each named."""
    return check_graph_locks(assignment.locks, assignment.project.graph, graph)


def check_graph_locks(locks: Locks, start: Graph, graph: Graph) -> list[Violation]:
    out: list[Violation] = []
    for nid in locks.nodes:
        before = start.nodes.get(nid)
        after = graph.nodes.get(nid)
        if before is None:
            continue
        if after is None:
            out.append(Violation("deleted", nid, None, f"the locked layer '{nid}' "
                                 f"({before.type}) was deleted"))
        elif after.type != before.type:
            out.append(Violation("retyped", nid, None, f"the locked layer '{nid}' was a "
                                 f"{before.type} and is now a {after.type}"))
    for nid, names in locks.params.items():
        before = start.nodes.get(nid)
        after = graph.nodes.get(nid)
        if before is None or after is None or after.type != before.type:
            if before is not None and nid not in locks.nodes:   # not reported above
                gone = "was deleted" if after is None else f"is now a {after.type}"
                out.append(Violation("deleted" if after is None else "retyped", nid, None,
                                     f"the layer '{nid}', whose parameters are locked, {gone}"))
            continue
        spec = start.spec(before.type)
        old, new = _values(start, before), _values(graph, after)
        wanted = spec.param_names() if ALL_PARAMS in names else names
        for name in wanted:
            if old.get(name) != new.get(name):
                out.append(Violation("param", nid, name, f"{name} of the locked layer '{nid}' "
                                     f"was changed from {_show(old.get(name))} to "
                                     f"{_show(new.get(name))}"))
    for nid in locks.nodes:
        before, after = start.nodes.get(nid), graph.nodes.get(nid)
        if (before is not None and after is not None and after.type == before.type
                and before.type in start.blocks and before.type in graph.blocks
                and start.blocks[before.type].token() != graph.blocks[after.type].token()):
            out.append(Violation("block", nid, None, f"the block {before.type} of the locked "
                                 f"layer '{nid}' was changed inside"))
    for t in locks.no_new_types:
        for nid, node in graph.nodes.items():
            if node.type == "Input":
                continue
            paths = [p for typ, p, _k in layers_in(graph, nid) if typ == t]
            if not paths:
                continue
            was = start.nodes.get(nid)
            had = 0 if was is None or was.type != node.type else \
                sum(1 for typ, _p, _k in layers_in(start, nid) if typ == t)
            if len(paths) <= had:
                continue
            if node.type == t:
                message = f"'{nid}' is a new {t} layer"
            else:
                message = (f"'{nid}' holds a new {t} layer inside its block "
                           f"({', '.join(paths[:3])})")
            out.append(Violation("new_type", nid, None,
                                 f"{message}; the assignment allows no new {t} layers"))
    return out


def _values(graph: Graph, node: Node) -> dict[str, Any]:
    """Every parameter's value as the file writes it, defaults included (setting a default
    by hand is no change)."""
    spec = graph.spec(node.type)
    full = spec.full_params(node.params)
    return {k: spec.param(k).to_json(v) for k, v in full.items()}


def _node_id(nid: Any, where: str, start: Graph) -> None:
    if not isinstance(nid, str):
        raise AssignmentFileError(f"{where}: expected a node id, received {_show(nid)}")
    if nid not in start.nodes:
        known = ", ".join(list(start.nodes)[:12]) or "none"
        raise AssignmentFileError(f"{where}: {nid!r} is not a node of the starting network "
                                  f"(its nodes: {known})")


