"""How the window's views work together on blocks.

The canvas may show the inside of a block; the inspector follows whichever document the
canvas shows. The palette's "My blocks" follows the project's blocks. The inspector's "Open
Block" / "Ungroup" buttons and the Problems tab's "use › inner layer" rows reach the canvas.
Rename and Delete of a block (palette menu, canvas menu, inspector) go to ``BlockManager``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from ...graph.document import Change, Document
from ..doc_link import DocumentLink
from .manager import BlockManager


class BlockGlue(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        canvas, inspector = window.canvas, window.inspector
        canvas.scope_changed.connect(self._on_scope)
        inspector.open_block_requested.connect(canvas.open_block)
        inspector.ungroup_requested.connect(canvas.ungroup_selection)
        window.problems.inner_activated.connect(self.show_inner)
        self.manager = BlockManager(window)
        palette = window.layer_palette
        palette.rename_block_requested.connect(self.manager.rename)
        palette.delete_block_requested.connect(self.manager.delete)
        inspector.rename_block_requested.connect(self.manager.rename)
        canvas.rename_block_requested.connect(self.manager.rename)
        self._shown: tuple = ()
        self._link = DocumentLink(self, window.document, self._on_change)
        self._refresh_palette()

    def _on_scope(self, doc: Document) -> None:
        self.window.inspector.set_document(doc)

    def _on_change(self, change: Change) -> None:
        if change.structure or change.reset:
            self._refresh_palette()

    def _refresh_palette(self) -> None:
        blocks = self.window.document.graph.blocks
        key = tuple((name, id(defn), defn.description) for name, defn in blocks.items())
        if key != self._shown:
            self._shown = key
            self.window.layer_palette.set_blocks(blocks)

    def show_inner(self, use_id: str, path: list[str]) -> None:
        """Open the block of ``use_id`` (and the blocks on ``path``) at the inner layer."""
        canvas = self.window.canvas
        canvas.go_to_root()
        if not canvas.open_block(use_id):
            return
        for i, nid in enumerate(path):
            last = i == len(path) - 1
            node = canvas.doc.graph.nodes.get(nid)
            if node is None:
                return
            if not last and node.type in canvas.doc.graph.blocks:
                canvas.open_block(nid)
            else:
                canvas.select_node(nid, center=True)
                return
