"""Editing the inside of a block: ``BlockDocument``, and small questions views ask about blocks.

A ``BlockDocument`` is a Document whose graph is the inner graph of one block definition,
looked up by name on every access (an undo of "Make block" or "Ungroup" restores the project
from a snapshot, with new definition objects: a document that held the old graph would edit
a ghost). Every edit inside ends, like any Document edit, in one batch; at its end the parent
document is told (``block_changed``) so every use re-checks, then the inside is analysed with
the tensors that flow into one use of the block (the use the student opened, or the first),
so the inner wires show real shapes, not the Inputs' placeholders. Exposed parameters take
that use's values too, so what the cards say and what the shapes show agree.

The parent is the main document, or another BlockDocument for a block used inside a block.
Editing is locked whenever the main document is (training runs).
"""

from __future__ import annotations

from typing import Any

from .analysis import Analysis, Analyzer
from .blocks import BlockDef, contains_any, instantiate, make_block, uses_of
from .document import Change, Document
from .errors import GraphEditError
from .model import Graph, Node
from .project import Project
from .tensor import Tensor, fmt_shape


class BlockDocument(Document):
    """The inside of block ``name`` of ``parent``'s graph, shown for the use ``use_id``."""

    def __init__(self, parent: Document, name: str, use_id: str | None = None) -> None:
        if name not in parent.graph.blocks:
            raise GraphEditError(f"there is no block named {name!r}")
        self.parent = parent
        self._name = name
        self._renames_seen = len(self.root.block_renames)
        self.use_id = use_id
        self.detached = False        # the block or the project went away: views leave
        self._syncing = False
        super().__init__(Project(parent.graph.blocks[name].graph))
        self._inner = Analyzer()
        self._root_project = self.root.project
        self._defn_seen = self.defn
        self.analysis = self._analyse()
        parent.subscribe(self._on_parent_change)

    # -- where it lives ----------------------------------------------------------------------
    @property
    def root(self) -> Document:
        doc: Document = self
        while isinstance(doc, BlockDocument):
            doc = doc.parent
        return doc

    @property
    def name(self) -> str:
        """The block's name now: renames (and their undos) since it opened are followed,
        even while the view is closed and an undo command still holds this document."""
        log = self.root.block_renames
        for old, new in log[self._renames_seen:]:
            if self._name == old:
                self._name = new
        self._renames_seen = len(log)
        return self._name

    @property
    def block_name(self) -> str | None:
        return self.name

    @property
    def defn(self) -> BlockDef:
        try:
            return self.parent.graph.blocks[self.name]
        except KeyError:
            raise GraphEditError(f"the block {self.name} no longer exists") from None

    @property
    def graph(self) -> Graph:  # type: ignore[override]
        return self.defn.graph

    @property
    def scope_path(self) -> list[tuple[str | None, str]]:
        """(use id, block name) from the outermost block to this one."""
        outer = self.parent.scope_path if isinstance(self.parent, BlockDocument) else []
        return [*outer, (self.use_id, self.name)]

    @property
    def scope_suffix(self) -> str:
        """Appended to undo texts: "Change stride of conv1 in BasicBlock"."""
        return f" in {self.name}"

    @property
    def locked_reason(self) -> str | None:
        """Locked whenever the document it lives in is (training runs), or on its own."""
        return self._locked_reason or self.parent.locked_reason

    def close(self) -> None:
        """Stop following the parent (the view left this block)."""
        self.parent.unsubscribe(self._on_parent_change)

    # -- the use whose shapes are shown -------------------------------------------------------
    def shown_use(self) -> Node | None:
        g = self.parent.graph
        node = g.nodes.get(self.use_id or "")
        if node is not None and node.type == self.name:
            return node
        uses = uses_of(g, self.name)
        return g.nodes[uses[0]] if uses else None

    def feeds(self) -> dict[str, Tensor] | None:
        """What flows into the shown use, by inner Input id; None if it is not known."""
        use = self.shown_use()
        if use is None:
            return None
        info = self.parent.analysis.nodes.get(use.id)
        ins = info.inputs if info is not None else []
        inputs = self.defn.inputs
        if len(ins) != len(inputs) or any(t is None for t in ins):
            return None
        return dict(zip(inputs, ins, strict=True))

    def shown_graph(self) -> Graph:
        """The inside with the shown use's values in the exposed parameters."""
        use = self.shown_use()
        return instantiate(self.defn, use.params) if use is not None else self.defn.graph

    def shown_params(self, node_id: str) -> dict[str, Any]:
        """A node's parameters as the shown use has them (cards describe these)."""
        feeds = self.feeds() or {}
        if node_id in feeds:
            t = feeds[node_id]
            return {"shape": t.shape, "dtype": t.dtype}
        node = self.shown_graph().nodes.get(node_id)
        return node.params if node is not None else self.graph.nodes[node_id].params

    def exposed(self, node_id: str) -> dict[str, str]:
        """Inner parameter -> the block parameter that sets it on each use."""
        return {pname: bp.name for bp in self.defn.params for nid, pname in bp.targets
                if nid == node_id}

    def context_line(self) -> str:
        """One line on where the shapes come from, for the breadcrumb bar."""
        use = self.shown_use()
        n = len(uses_of(self.parent.graph, self.name))
        uses = f"edits apply to all {n} uses" if n > 1 else \
            "edits apply to its use" if n == 1 else "not used yet"
        if use is None:
            return f"Shapes from the Inputs' own settings · {uses}"
        feeds = self.feeds()
        if feeds is None:
            return f"Shapes from the Inputs' own settings ({use.id} receives no data yet) · {uses}"
        shapes = " and ".join(fmt_shape(t.shape) for t in feeds.values())
        return f"Shapes for {use.id} ({shapes} in) · {uses}"

    # -- analysis and notifications -----------------------------------------------------------
    def _analyse(self) -> Analysis:
        return self._inner.run(self.shown_graph(), feeds=self.feeds())

    def _flush(self) -> None:
        change, self._pending = self._pending, Change()
        if not (change.structure or change.nodes or change.moved or change.reset or change.meta
                or change.lock):
            return
        if change.structure or change.nodes or change.reset:
            self._syncing = True
            try:
                self.parent.block_changed(self.name)   # every use re-checks
            finally:
                self._syncing = False
            self.analysis = self._analyse()
        for listener in list(self._listeners):
            listener(change)

    def _on_parent_change(self, change: Change) -> None:
        if change.lock and not (change.structure or change.nodes or change.reset):
            for listener in list(self._listeners):     # the lock is the whole project's
                listener(Change(lock=True))
            return
        if self._syncing or not (change.structure or change.nodes or change.reset):
            return
        if not self._listeners:         # nobody shows this block any more
            self.close()
            return
        gone = (self.root.project is not self._root_project
                or self.name not in self.parent.graph.blocks
                or getattr(self.parent, "detached", False))
        if gone:
            self.detached = True
            self.close()
            out = Change(reset=True, structure=True)
        else:
            defn = self.defn
            rebuilt = self.name in change.blocks or defn is not self._defn_seen
            out = Change(structure=True, reset=rebuilt, blocks=set(change.blocks))
            self._defn_seen = defn
            self.analysis = self._analyse()
        for listener in list(self._listeners):
            listener(out)

    # -- edits that need the whole project --------------------------------------------------
    def add_node(self, node: Node) -> Node:
        if node.type in self.graph.blocks:
            inside = {name for _, name in self.scope_path}
            if contains_any(self.graph, node.type, inside):
                raise GraphEditError(f"{node.type} cannot go inside {self.name}: a block "
                                     "cannot contain itself")
        return super().add_node(node)

    def exposed_problem(self, ids: list[str], verb: str) -> str | None:
        """Why ``ids`` cannot leave the block: one is what an exposed setting sets."""
        for bp in self.defn.params:
            for nid, pname in bp.targets:
                if nid in set(ids):
                    return (f"{nid}.{pname} is {self.name}'s setting '{bp.name}', which each "
                            f"use sets: {verb} {nid} would leave that setting with nothing to "
                            f"set. Keep {nid} here, or ungroup the uses of {self.name} first")
        return None

    def _keep_exposed(self, ids: list[str], verb: str) -> None:
        problem = self.exposed_problem(ids, verb)
        if problem:
            raise GraphEditError(problem)

    def remove_node(self, node_id: str):  # type: ignore[override]
        self._keep_exposed([node_id], "removing")
        if node_id == self.defn.output:
            raise GraphEditError(f"{node_id} is {self.name}'s output (what each use passes on):"
                                 " a block needs one. Wire another layer after it instead")
        return super().remove_node(node_id)

    def make_block(self, node_ids: list[str], name: str, description: str = "") -> str:
        self._keep_exposed(node_ids, "grouping")
        defn = self.defn
        with self.batch():
            use = super().make_block(node_ids, name, description)
            if defn.output in node_ids:       # the new block now gives this block's output
                defn.output = use
        return use

    def ungroup(self, use_id: str) -> list[str]:
        self._keep_exposed([use_id], "ungrouping")
        defn = self.defn
        with self.batch():
            new = super().ungroup(use_id)
            if defn.output == use_id and new:   # the last of its layers gives the output now
                sinks = [n for n in new if not any(e.source == n for e in self.graph.edges)]
                defn.output = sinks[-1] if sinks else new[-1]
        return new

    def rename_block(self, old: str, new: str) -> None:
        self.root.rename_block(old, new)       # the table of blocks is the project's

    def delete_block(self, name: str, *, ungroup_uses: bool = False) -> dict[str, list[str]]:
        return self.root.delete_block(name, ungroup_uses=ungroup_uses)

    def snapshot(self) -> dict[str, Any]:
        return self.root.snapshot()

    def restore(self, state: dict[str, Any]) -> None:
        self.root.restore(state)


def make_block_problem(graph: Graph, ids: list[str]) -> str | None:
    """Why the selection cannot become a block (two outputs, an Input inside...), or None.

    Tried on a throwaway copy, so the answer is exactly what ``make_block`` would say.
    """
    trial = graph.copy(deep_blocks=True)
    name = "NewBlock"
    while name in trial.blocks:
        name += "_"
    try:
        make_block(trial, ids, name)
    except GraphEditError as e:
        return str(e)
    return None


def used_blocks(graph: Graph) -> list[str]:
    return sorted({n.type for n in graph.nodes.values() if n.type in graph.blocks})
