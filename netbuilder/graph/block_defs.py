"""Renaming and deleting block definitions: edits of the project's table of blocks.

A block's name is its layer type, so every use carries it: the nodes of the network and the
nodes inside other blocks' definitions. ``rename_block`` rewrites those types and keeps
everything else as it was: the definition object, its place in the table (the palette's
order and the file's), and every node id. Renaming back is its exact inverse.

``delete_block`` removes a definition. A block that is still used is deleted only when asked
to ungroup its uses first (``ungroup_uses``): each use, in the network or inside another
block, is replaced by plain copies of its layers. Inside another block, what pointed at the
use follows its layers: the outer block's output, and any outer setting that set one of the
use's settings now sets the layers that setting reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .blocks import REPEAT, BlockDef, BlockParam, name_problem, ungroup_mapped
from .errors import GraphEditError

if TYPE_CHECKING:
    from .model import Graph


@dataclass
class BlockUses:
    """Where block ``name`` is used: in the network, and inside other blocks' definitions."""

    name: str
    top: list[str] = field(default_factory=list)                 # use ids in the network
    inside: dict[str, list[str]] = field(default_factory=dict)   # outer block -> use ids

    @property
    def count(self) -> int:
        return len(self.top) + sum(len(ids) for ids in self.inside.values())

    def describe(self) -> str:
        """"used 3 times: 2 in the network (layer1, layer2) and 1 inside Stage"."""
        if not self.count:
            return "not used"
        parts = []
        if self.top:
            shown = ", ".join(self.top[:4]) + (", ..." if len(self.top) > 4 else "")
            parts.append(f"{len(self.top)} in the network ({shown})")
        for outer, ids in self.inside.items():
            parts.append(f"{len(ids)} inside {outer}")
        where = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        times = "once" if self.count == 1 else f"{self.count} times"
        return f"used {times}: {where}"


def find_uses(graph: Graph, name: str) -> BlockUses:
    """The uses of ``name``: nodes of ``graph`` and of every block definition (one level)."""
    if name not in graph.blocks:
        raise GraphEditError(f"there is no block named {name!r}")
    uses = BlockUses(name, [nid for nid, n in graph.nodes.items() if n.type == name])
    for outer, defn in graph.blocks.items():
        ids = [nid for nid, n in defn.graph.nodes.items() if n.type == name]
        if ids and defn.graph is not graph:
            uses.inside[outer] = ids
    return uses


def _all_graphs(graph: Graph) -> list[Graph]:
    """The network and the inside of every block (they share one table of blocks)."""
    inner = [d.graph for d in graph.blocks.values() if d.graph is not graph]
    return [graph, *inner]


# -- rename ----------------------------------------------------------------------------------

def rename_block(graph: Graph, old: str, new: str) -> None:
    """Give block ``old`` the name ``new`` everywhere; GraphEditError if ``new`` is not allowed."""
    blocks = graph.blocks
    if old not in blocks:
        raise GraphEditError(f"there is no block named {old!r}")
    if new == old:
        return
    problem = name_problem(new, set(blocks) - {old})
    if problem:
        raise GraphEditError(problem)
    defn = blocks[old]
    # In place: the inner graphs share this very dict, and its order is the palette's.
    items = list(blocks.items())
    blocks.clear()
    blocks.update((new if k == old else k, v) for k, v in items)
    defn.name = new
    defn.graph.name = new
    for g in _all_graphs(graph):
        for node in g.nodes.values():
            if node.type == old:
                node.type = new
    for d in blocks.values():     # cached specs carry the name; tokens the inner types
        d.touch()


# -- delete ----------------------------------------------------------------------------------

def delete_problem(graph: Graph, name: str) -> str | None:
    """Why the uses of ``name`` cannot all be ungrouped, or None.

    The one case: an outer block exposes a use's ``repeat``, which ungrouping unrolls, so
    that setting would have nothing left to set.
    """
    for outer, ids in find_uses(graph, name).inside.items():
        for bp in graph.blocks[outer].params:
            for nid, pname in bp.targets:
                if nid in ids and pname == REPEAT:
                    return (f"{outer}'s setting '{bp.name}' sets how often {nid} (a {name}) "
                            f"repeats; ungrouping {nid} unrolls it and would leave that "
                            f"setting nothing to set. Ungroup the uses of {outer} first")
    return None


def delete_block(graph: Graph, name: str, *, ungroup_uses: bool = False) -> dict[str, list[str]]:
    """Delete block ``name``; with ``ungroup_uses``, ungroup every use first.

    Returns, for each use in the network, the ids of the layers that replaced it.
    """
    uses = find_uses(graph, name)
    if uses.count and not ungroup_uses:
        raise GraphEditError(f"{name} is {uses.describe()}; ungroup those uses before "
                             "deleting it")
    problem = delete_problem(graph, name)
    if problem:
        raise GraphEditError(problem)
    for outer, ids in uses.inside.items():
        for use_id in ids:
            _ungroup_inside(graph.blocks[outer], use_id)
    replaced = {}
    for use_id in uses.top:
        replaced[use_id] = [n for m in ungroup_mapped(graph, use_id) for n in m.values()]
    del graph.blocks[name]
    for d in graph.blocks.values():
        d.touch()
    return replaced


def _ungroup_inside(outer: BlockDef, use_id: str) -> None:
    """Ungroup a use inside ``outer``; its output and settings follow the layers."""
    inner = outer.graph.blocks[outer.graph.nodes[use_id].type]
    mappings = ungroup_mapped(outer.graph, use_id)
    if outer.output == use_id:
        outer.output = mappings[-1][inner.output]
    params = []
    for bp in outer.params:
        targets: list[tuple[str, str]] = []
        for nid, pname in bp.targets:
            if nid != use_id:
                targets.append((nid, pname))
                continue
            # ``pname`` is one of the inner block's settings: set what it set, in each copy.
            reached = next((p.targets for p in inner.params if p.name == pname), ())
            targets += [(m[t], q) for m in mappings for t, q in reached]
        params.append(BlockParam(bp.name, tuple(dict.fromkeys(targets))))
    outer.params = params
