"""From traced submodules to block definitions: one per class and structure, with its uses.

Every call of a submodule of the user's class was traced on its own (``torch_trace``).
Here the calls of one class that have the same structure (the same layers, wired the same
way) become one ``BlockDef`` named after the class; a second structure of the same class
(torchvision's ``BasicBlock`` with and without its ``downsample``) is a second block,
``BasicBlock2``. Settings that differ between the calls (64, 128, 256 channels) are
exposed on the block, one name per set of values that always agree (``channels`` sets
``conv1.out_channels`` and ``conv2.out_channels``), and each use sets its own. Members of
an ``nn.Sequential`` that are uses of one block with the same values, each feeding the
next, become one use with ``repeat`` (as netbuilder writes ``layer1`` of ResNet-18).
Inner classes are resolved first, so a block may use blocks.
"""

from __future__ import annotations

import re
from typing import Any

from ..graph.blocks import REPEAT, BlockDef, BlockParam, definition_problems, name_problem
from ..graph.layout import apply_layout
from ..graph.model import Edge
from .errors import ModelImportError
from .torch_trace import PENDING, Scope, Use, readable


def resolve(root: Scope) -> dict[str, Scope]:
    """Name every use's block, define the blocks in ``root.graph.blocks``; returns, per
    block name, the scope of its first use (where its layers' weights are found)."""
    by_class: dict[type, list[Use]] = {}
    depth: dict[type, int] = {}

    def visit(scope: Scope) -> int:
        d = 0
        for use in scope.uses.values():
            inner = visit(use.scope)
            cls = type(use.scope.module)
            by_class.setdefault(cls, []).append(use)
            depth[cls] = max(depth.get(cls, 0), inner + 1)
            d = max(d, inner + 1)
        return d

    visit(root)
    firsts: dict[str, Scope] = {}
    blocks = root.graph.blocks
    for cls in sorted(by_class, key=lambda c: depth[c]):
        uses = by_class[cls]
        for use in uses:
            _repeats(use.scope)
        variants: dict[tuple, list[Use]] = {}
        for use in uses:
            variants.setdefault(_signature(use.scope), []).append(use)
        for k, group in enumerate(variants.values()):
            name = _block_name(cls, k, blocks)
            defn = _define(name, cls, group)
            blocks[name] = defn
            firsts[name] = group[0].scope
    _repeats(root)
    for defn in blocks.values():
        defn.touch()
        apply_layout(defn.graph)
    return firsts


def _signature(scope: Scope) -> tuple:
    g = scope.graph
    return (tuple((nid, n.type) for nid, n in g.nodes.items()),
            tuple((e.source, e.target, e.target_port) for e in g.edges), tuple(scope.outputs))


def _block_name(cls: type, k: int, blocks: dict) -> str:
    base = re.sub(r"[^0-9A-Za-z_]+", "_", cls.__name__).strip("_") or "Block"
    if not base[:1].isalpha():
        base = f"Block_{base}"
    if name_problem(base) is not None:
        base = f"{base}Block"
    name = base if k == 0 else f"{base}{k + 1}"
    n = k + 1
    while name_problem(name, set(blocks)) is not None:
        n += 1
        name = f"{base}{n}"
    return name


def _define(name: str, cls: type, group: list[Use]) -> BlockDef:
    first = group[0].scope
    g = first.graph
    exposed: dict[tuple, list[tuple[str, str]]] = {}
    for nid, node in g.nodes.items():
        if node.type == "Input":
            continue
        spec = g.spec(node.type)
        fulls = [spec.full_params(u.scope.graph.nodes[nid].params) for u in group]
        for pname in spec.param_names():
            values = tuple(_key(f.get(pname)) for f in fulls)
            if len(set(values)) > 1:
                exposed.setdefault((pname, values), []).append((nid, pname))
    params: list[BlockParam] = []
    taken: set[str] = set()
    words = [("channels" if pname == "out_channels" else pname) for pname, _ in exposed]
    for word, targets in zip(words, exposed.values(), strict=True):
        # one set of widths: ``channels``; several: named by the first layer each sets
        pn = word if words.count(word) == 1 else readable(f"{targets[0][0]}_{word}")
        while pn in taken or pn == REPEAT:
            pn += "_"
        taken.add(pn)
        params.append(BlockParam(pn, tuple(targets)))
    doc = (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    if doc.startswith("A block:"):       # netbuilder's own generated docstring says nothing
        doc = ""
    defn = BlockDef(name, g, first.outputs[0], params,
                    doc or f"{cls.__name__} from {cls.__module__}, imported from PyTorch.")
    g.name = name
    problems = definition_problems(defn)
    if problems:
        raise ModelImportError(f"{cls.__name__}: cannot become a block: {'; '.join(problems)}")
    for use in group:
        node = _use_node(use)
        node.type = name
        node.params = {}
        for bp in params:
            nid, pname = bp.targets[0]
            inner = use.scope.graph.nodes[nid]
            node.params[bp.name] = use.scope.graph.spec(inner.type).full_params(
                inner.params)[pname]
    return defn


def _key(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _use_node(use: Use):
    return use.parent.graph.nodes[use.nid]


def _repeats(scope: Scope) -> None:
    """``nn.Sequential`` members that are one block with the same values, chained: repeat."""
    from torch import nn

    g = scope.graph
    by_parent: dict[str, list[Use]] = {}
    for use in scope.uses.values():
        rel = use.rels[0]
        if len(use.rels) == 1 and "." in rel:
            by_parent.setdefault(rel.rsplit(".", 1)[0], []).append(use)
    for parent, uses in by_parent.items():
        try:
            container = scope.module.get_submodule(parent)
        except AttributeError:
            continue
        if not isinstance(container, nn.Sequential) or len(uses) != len(container) or len(uses) < 2:
            continue
        order = {f"{parent}.{name}": k for k, name in enumerate(container._modules)}
        uses = sorted(uses, key=lambda u: order.get(u.rels[0], -1))
        if [order.get(u.rels[0]) for u in uses] != list(range(len(uses))):
            continue
        nodes = [g.nodes[u.nid] for u in uses]
        if any(n.type == PENDING or n.type != nodes[0].type or n.params != nodes[0].params
               for n in nodes) or len(g.blocks[nodes[0].type].inputs) != 1:
            continue
        chained = all(
            [(e.source, e.target_port) for e in g.in_edges(b.nid)] == [(a.nid, 0)]
            and [e.target for e in g.out_edges(a.nid)] == [b.nid]
            for a, b in zip(uses, uses[1:], strict=False))
        if not chained:
            continue
        first, last = uses[0], uses[-1]
        outgoing = g.out_edges(last.nid)
        for u in uses[1:]:
            g.remove_node(u.nid)
            del scope.uses[u.nid]
        for e in outgoing:
            g.edges.append(Edge(first.nid, e.target, e.target_port))
        nodes[0].params = {**nodes[0].params, REPEAT: len(uses)}
        first.rels = [u.rels[0] for u in uses]
        new = readable(parent)
        if new not in g.nodes and new not in scope.outputs:
            _rename(scope, first, new)
        if last.nid in scope.outputs:
            scope.outputs[scope.outputs.index(last.nid)] = first.nid


def _rename(scope: Scope, use: Use, new: str) -> None:
    g = scope.graph
    g.nodes = {(new if k == use.nid else k): v for k, v in g.nodes.items()}
    g.nodes[new].id = new
    g.edges = [Edge(new if e.source == use.nid else e.source,
                    new if e.target == use.nid else e.target, e.target_port) for e in g.edges]
    scope.outputs = [new if o == use.nid else o for o in scope.outputs]
    del scope.uses[use.nid]
    use.nid = new
    scope.uses[new] = use
