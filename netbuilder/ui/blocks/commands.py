"""Undoable block edits: make a block from a selection, ungroup a use, rename and delete a
block definition.

Making, ungrouping and deleting change many things at once (nodes, wires, the block
definitions), so each is one ``SnapshotCommand``: it keeps the whole project as plain data
before and after (``Document.snapshot``), undo restores the one before, redo the one after.
The first run does the edit through the Document and records the result, so a redo is exactly
the first run. A rename is its own exact inverse (rename back), so it needs no snapshot, and
an open view of the block keeps showing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...graph.blocks import BlockParam, definition_problems
from ...graph.document import Document
from ...graph.errors import GraphEditError
from ...graph.layout import best_wrap, layered_layout
from ..commands import EditCommand

Pos = tuple[float, float]
LAYOUT_DX, LAYOUT_DY = 260.0, 140.0


class SnapshotCommand(EditCommand):
    """Base: ``_first`` does the edit once; undo and redo swap whole-project snapshots."""

    def __init__(self, doc: Document, text: str) -> None:
        super().__init__(doc, text)
        self.before: dict[str, Any] = doc.snapshot()
        self.after: dict[str, Any] | None = None

    def _first(self) -> None:
        raise NotImplementedError

    def _do(self) -> None:
        if self.after is not None:
            self.doc.restore(self.after)
            return
        self._step(lambda: self.doc.restore(self.before))
        self._first()
        self.after = self.doc.snapshot()

    def _undo(self) -> None:
        self.doc.restore(self.before)


class MakeBlock(SnapshotCommand):
    """Replace the selected layers by one use of a new block named ``name``.

    ``params``: exposed parameters as (name, [(inner node, parameter), ...]).
    ``shown``: where the selected cards are drawn; the use goes to their centre.
    """

    def __init__(self, doc: Document, ids: Iterable[str], name: str, description: str = "",
                 params: Iterable[tuple[str, Iterable[tuple[str, str]]]] = (),
                 shown: dict[str, Pos] | None = None) -> None:
        super().__init__(doc, f"Make block {name}")
        self.ids = [i for i in doc.graph.nodes if i in set(ids)]
        self.name = name
        self.description = description.strip()
        self.params = [BlockParam(n, tuple((a, b) for a, b in targets)) for n, targets in params]
        self.shown = dict(shown or {})
        self.use_id: str | None = None

    def _first(self) -> None:
        doc = self.doc
        positions = {nid: self.shown.get(nid) or doc.graph.nodes[nid].position
                     for nid in self.ids}
        self.use_id = doc.make_block(self.ids, self.name, self.description)
        defn = doc.graph.blocks[self.name]
        defn.params = list(self.params)
        problems = definition_problems(defn)
        if problems:
            raise GraphEditError(f"block {self.name}: " + "; ".join(problems))
        # The inside is a drawing of its own: unplaced, so opening the block lays it out to
        # fit the window (a row cut from a long network would be a thin strip there).
        for node in defn.graph.nodes.values():
            node.position = None
        known = [p for p in positions.values() if p is not None]
        if known:
            cx = sum(p[0] for p in known) / len(known)
            cy = sum(p[1] for p in known) / len(known)
            doc.move_nodes({self.use_id: (round(cx), round(cy))})
        doc.block_changed(self.name)


class UngroupBlock(SnapshotCommand):
    """Replace a use by plain copies of the block's layers (repeat unrolled)."""

    def __init__(self, doc: Document, use_id: str, shown: Pos | None = None) -> None:
        super().__init__(doc, f"Ungroup {use_id}")
        self.use_id = use_id
        node = doc.graph.nodes.get(use_id)
        self.shown = shown or (node.position if node is not None else None)
        self.new_ids: list[str] = []

    def _first(self) -> None:
        doc = self.doc
        self.new_ids = doc.ungroup(self.use_id)
        loose = [n for n in self.new_ids if doc.graph.nodes[n].position is None]
        if not loose:
            return
        # Inner layers without places: lay them out as a chain starting where the use was.
        laid = layered_layout(doc.graph.subgraph(self.new_ids), dx=LAYOUT_DX, dy=LAYOUT_DY)
        x0 = min(p[0] for p in laid.values())
        y0 = min(p[1] for p in laid.values())
        base = self.shown or (0.0, 0.0)
        doc.move_nodes({n: (base[0] + laid[n][0] - x0, base[1] + laid[n][1] - y0)
                        for n in self.new_ids})


class RenameBlock(EditCommand):
    """Rename a block definition: every use, nested uses, the palette and the code follow."""

    def __init__(self, doc: Document, old: str, new: str) -> None:
        super().__init__(doc, f"Rename block {old} to {new}")
        self.old, self.new = old, new

    def _do(self) -> None:
        self.doc.rename_block(self.old, self.new)

    def _undo(self) -> None:
        self.doc.rename_block(self.new, self.old)


class DeleteBlock(SnapshotCommand):
    """Delete a block definition, first ungrouping every use of it (if there are any).

    The layers that replace uses in the network get a fresh layered layout of the whole
    network, wrapped to fit ``view`` (the canvas's size), as Auto layout does: unrolled in
    place they would cover the layers after them. Inside other blocks the layers are left unplaced, so opening the block
    lays its inside out (as after Make Block).
    """

    def __init__(self, doc: Document, name: str, view: Pos | None = None) -> None:
        super().__init__(doc, f"Delete block {name}")
        self.name = name
        self.view = view
        self.replaced: dict[str, list[str]] = {}

    def _first(self) -> None:
        from ...graph.block_defs import find_uses

        doc = self.doc
        outer = list(find_uses(doc.graph, self.name).inside)
        self.replaced = doc.delete_block(self.name, ungroup_uses=True)
        for name in outer:
            for node in doc.graph.blocks[name].graph.nodes.values():
                node.position = None
        if self.replaced:
            wrap = best_wrap(doc.graph, *self.view, LAYOUT_DX, LAYOUT_DY) if self.view else None
            doc.move_nodes(layered_layout(doc.graph, dx=LAYOUT_DX, dy=LAYOUT_DY, wrap=wrap))
