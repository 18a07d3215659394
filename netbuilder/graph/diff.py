"""What changed between two networks, in readable lines (for comparing two runs).

``diff_graphs(old, new)`` matches nodes by id (ids are stable through edits) and reports
only what decides the network, the things ``fingerprint`` counts: layers removed and added
(with where they sit), a layer whose type changed, parameters that differ (defaults filled
in, so "not set" and "set to the default" are the same), layers frozen or unfrozen, wires
that moved between layers both networks have, and block definitions that changed. Moving a
node or renaming the graph is not a change. Wires into or out of an added or removed layer
are said by that layer's own line ("added BatchNorm2d 'bn2' after 'conv2'"), not again.

Pure Python: the Graph model and its specs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netbuilder.graph.model import Graph, Node


@dataclass(frozen=True)
class Change:
    """One difference: ``kind`` is removed, added, type, param, frozen, rewired or block."""

    kind: str
    node: str
    text: str


def diff_lines(old: Graph, new: Graph) -> list[str]:
    """The differences as sentences, removals first, then additions, then changes."""
    return [c.text for c in diff_graphs(old, new)]


def diff_graphs(old: Graph, new: Graph) -> list[Change]:
    removed = [nid for nid in old.nodes if nid not in new.nodes]
    added = [nid for nid in new.nodes if nid not in old.nodes]
    gone, fresh = set(removed), set(added)
    out: list[Change] = []
    for nid in removed:
        node = old.nodes[nid]
        out.append(Change("removed", nid, f"removed {node.type} '{nid}'"
                          + _where(old, nid)))
    for nid in added:
        node = new.nodes[nid]
        out.append(Change("added", nid, f"added {node.type} '{nid}'" + _where(new, nid)))
    for nid, node in new.nodes.items():
        before = old.nodes.get(nid)
        if before is None:
            continue
        if before.type != node.type:
            out.append(Change("type", nid, f"'{nid}' changed from {before.type} to {node.type}"))
        else:
            out += _param_changes(old, new, before, node)
        if before.trainable != node.trainable:
            verb = "unfroze" if node.trainable else "froze"
            out.append(Change("frozen", nid, f"{verb} '{nid}'"))
    out += _rewired(old, new, gone, fresh)
    out += _blocks(old, new)
    return out


def _where(g: Graph, nid: str) -> str:
    """" after 'a'" (its inputs), or " before 'b'" for a layer with no input."""
    ins = [e.source for e in g.in_edges(nid)]
    if ins:
        return " after " + _names(ins)
    outs = list(dict.fromkeys(e.target for e in g.out_edges(nid)))
    return " before " + _names(outs) if outs else ""


def _names(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


def _param_changes(old: Graph, new: Graph, before: Node, after: Node) -> list[Change]:
    try:
        spec_old, spec_new = old.spec(before.type), new.spec(after.type)
    except KeyError:
        return []
    a, b = spec_old.full_params(before.params), spec_new.full_params(after.params)
    out = []
    for name in list(b) + [k for k in a if k not in b]:
        va, vb = _json(spec_old, name, a.get(name)), _json(spec_new, name, b.get(name))
        if va != vb:
            out.append(Change("param", after.id, f"{after.type} {name} {_show(va)} -> "
                              f"{_show(vb)} at '{after.id}'"))
    return out


def _json(spec: Any, name: str, value: Any) -> Any:
    try:
        return spec.param(name).to_json(value)
    except KeyError:
        return value


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return str(value)


def _rewired(old: Graph, new: Graph, gone: set[str], fresh: set[str]) -> list[Change]:
    """Per input port of a layer both networks have: its source, when both sources stay."""
    out = []
    for nid in new.nodes:
        if nid not in old.nodes:
            continue
        before = {e.target_port: e.source for e in old.in_edges(nid)}
        after = {e.target_port: e.source for e in new.in_edges(nid)}
        for port in sorted(set(before) | set(after)):
            a, b = before.get(port), after.get(port)
            if a == b or a in gone or b in fresh:
                continue
            where = f" (input {port + 1})" if max(len(before), len(after)) > 1 else ""
            if a is None:
                text = f"connected '{b}' to '{nid}'{where}"
            elif b is None:
                text = f"disconnected '{a}' from '{nid}'{where}"
            else:
                text = f"rewired '{nid}'{where}: its input comes from '{b}' instead of '{a}'"
            out.append(Change("rewired", nid, text))
    return out


def _blocks(old: Graph, new: Graph) -> list[Change]:
    out = []
    for name in sorted(set(old.blocks) | set(new.blocks)):
        a, b = old.blocks.get(name), new.blocks.get(name)
        if a is None or b is None:
            continue                 # a block used by an added/removed layer: said there
        if _token(a) != _token(b):
            out.append(Change("block", name, f"changed the block '{name}'"))
    return out


def _token(block: Any) -> Any:
    token = getattr(block, "token", None)
    return token() if callable(token) else None
