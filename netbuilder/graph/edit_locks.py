"""An assignment's locks as the editor enforces them, edit by edit.

``EditLocks`` pairs the assignment's ``Locks`` (graph/locks.py: the format, and the
grader's check of a finished graph) with the starting graph, and answers what the
``Document`` asks before each edit: may this node be deleted, may this parameter take this
value, may this layer be added. The sentences are the grader's own (``Locks.why_*``), so a
student reads in the status bar what the grade would say.

``problems(graph)`` checks a whole graph with the grader's ``check_graph_locks`` (block uses
opened, a locked use's block compared whole); the document uses it for
the edits that change many things at once (make a block, ungroup, restore a snapshot), so an
undo or a block edit cannot bring back what a single edit could not do.
"""

from __future__ import annotations

import json
from typing import Any

from .assignment import Assignment
from .locks import ALL_PARAMS, Locks, check_graph_locks
from .model import Graph

UNSET = object()     # ``refuse_param``'s value when the parameter is set back to its default


class EditLocks:
    """``locks`` on a network that started as ``start`` (kept as a private copy)."""

    def __init__(self, locks: Locks, start: Graph) -> None:
        self.locks = locks
        self.start = start.copy(deep_blocks=True)

    @classmethod
    def of(cls, assignment: Assignment) -> EditLocks | None:
        """The locks of ``assignment``, or None when it locks nothing."""
        if assignment.locks.is_empty:
            return None
        return cls(assignment.locks, assignment.project.graph)

    def __bool__(self) -> bool:
        return not self.locks.is_empty

    # -- questions views ask --------------------------------------------------------------
    def node_locked(self, node_id: str) -> bool:
        """Whether the card shows a padlock: the node or one of its parameters is locked."""
        return node_id in self.locks.nodes or bool(self.locks.params.get(node_id))

    def locked_params(self, graph: Graph, node_id: str) -> dict[str, str]:
        """Each locked parameter of ``node_id`` with the reason (a field's tooltip)."""
        node = graph.nodes.get(node_id)
        if node is None or node_id not in self.locks.params:
            return {}
        names = self.locks.locked_params(node_id, graph.spec(node.type))
        return {n: self._param_reason(node_id, n) for n in names}

    def node_reason(self, graph: Graph, node_id: str) -> str:
        """What a locked card's tooltip and the inspector say about it."""
        parts = []
        names = list(self.locked_params(graph, node_id))
        if node_id in self.locks.nodes or names:
            parts.append("it cannot be deleted")
        if names:
            parts.append(f"{_names(names)} cannot be changed")
        return "Locked by the assignment: " + " and ".join(parts) if parts else ""

    # -- one edit ---------------------------------------------------------------------------
    def refuse_remove(self, node_id: str) -> str | None:
        """A locked layer stays; so does one with a locked parameter (the grader counts
        its deletion as a change to that parameter)."""
        why = self.locks.why_node_locked(node_id)
        if why is None and self.locks.params.get(node_id):
            names = list(self.locks.params[node_id])
            what = "its parameters" if "*" in names else _names(names)
            why = (f"'{node_id}' is locked by the assignment: {what} must keep "
                   f"{'their' if len(names) > 1 or '*' in names else 'its'} value, so it "
                   "cannot be deleted")
        return _sentence(why)

    def refuse_param(self, graph: Graph, node_id: str, name: str, value: Any = UNSET) -> str | None:
        """Why ``name`` of ``node_id`` cannot take ``value`` (UNSET: its default), or None.
        Setting a locked parameter to its starting value is allowed (an undo, retyping)."""
        if self.locks.why_param_locked(node_id, name) is None:
            return None
        node = graph.nodes.get(node_id)
        if node is None:
            return None
        pspec = graph.spec(node.type).param(name)
        try:
            new = pspec.default if value is UNSET else pspec.coerce(value)
            if pspec.to_json(new) == self._start_value(node_id, name):
                return None
        except Exception:  # noqa: BLE001 - a value that cannot be read is refused either way
            pass
        return self._param_reason(node_id, name)

    def refuse_add(self, type_: str, node_id: str, block: str | None = None) -> str | None:
        """Why a layer ``node_id`` of ``type_`` cannot be added (``block``: inside that block
        definition). A layer of a forbidden type that the start had there, under the same
        id, may come back (an undo of its deletion)."""
        why = self.locks.why_type_forbidden(type_)
        if why is None:
            return None
        start = self.start
        if block is not None:
            defn = self.start.blocks.get(block)
            if defn is None:
                return _sentence(why)
            start = defn.graph
        was = start.nodes.get(node_id)
        return None if was is not None and was.type == type_ else _sentence(why)

    def refuse_block_edit(self, graph: Graph, block: str) -> str | None:
        """Why the inside of ``block`` cannot change: a locked layer is a use of it (or of a
        block that uses it); the grader compares a locked use's block as a whole."""
        def uses(type_: str, seen: frozenset[str] = frozenset()) -> bool:
            if type_ == block:
                return True
            defn = graph.blocks.get(type_)
            if defn is None or type_ in seen:
                return False
            return any(uses(n.type, seen | {type_}) for n in defn.graph.nodes.values())

        for nid in self.locks.nodes:
            node = graph.nodes.get(nid)
            if node is not None and node.type in graph.blocks and uses(node.type):
                return (f"'{nid}' is locked by the assignment: its block {block} cannot be "
                        "changed inside")
        return None

    # -- a whole graph ----------------------------------------------------------------------
    def problems(self, graph: Graph) -> list[str]:
        """Every lock ``graph`` breaks, each as a sentence (empty: none)."""
        return [_sentence(v.message) for v in check_graph_locks(self.locks, self.start, graph)]

    def _start_value(self, node_id: str, name: str) -> Any:
        node = self.start.nodes[node_id]
        spec = self.start.spec(node.type)
        return spec.param(name).to_json(spec.full_params(node.params)[name])

    def _param_reason(self, node_id: str, name: str) -> str:
        why = self.locks.why_param_locked(node_id, name) or ""
        try:
            value = json.dumps(self._start_value(node_id, name))
        except (KeyError, TypeError, ValueError):
            return _sentence(why)
        return _sentence(f"{why} ({value})")


def _sentence(text: str | None) -> str | None:
    """The grader's words as a sentence of their own: "the assignment ..." takes a capital;
    a parameter's or a layer's name stays as written."""
    return "The" + text[3:] if text and text.startswith("the ") else text


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


__all__ = ["ALL_PARAMS", "UNSET", "EditLocks"]
