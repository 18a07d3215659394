"""The canvas's right-click menus: for a layer, a wire, or the empty canvas.

A mixin for ``EditorCanvas``: each entry calls a canvas method that pushes a command.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from ...graph.transfer import freeze_up_to, frozen_nodes
from ..commands import Disconnect, SetTrainable, push
from ..fixes import ApplyFix, entry_text, node_fixes
from .node_item import NodeItem
from .port_item import PortItem
from .wire_item import WireItem, WireLabel


class ContextMenuMixin:
    def context_menu_at(self, pos) -> QMenu:
        """The menu for what lies under ``pos`` (viewport coordinates)."""
        item = self._item_at(pos)
        if isinstance(item, PortItem):
            item = item.parentItem()
        if isinstance(item, WireLabel):
            item = item.wire
        menu = QMenu(self)
        if isinstance(item, NodeItem):
            nid = item.node_id
            if not item.isSelected():
                self.select_node(nid, center=False)
            for fix in node_fixes(self.doc, nid):      # what the card's Fix button offers
                action = menu.addAction(f"Fix: {entry_text(fix)}")
                action.triggered.connect(lambda _=False, f=fix: (not self._refuse_if_locked())
                                         and push(self.undo_stack, ApplyFix(self.doc, f)))
            if not menu.isEmpty():
                menu.addSeparator()
            menu.addAction("Delete", self.delete_selection)
            menu.addAction("Duplicate", self.duplicate_selection)
            menu.addAction("Copy", self.copy_selection)
            menu.addAction("Disconnect all", lambda: self.disconnect_all(nid))
            if not self.in_block():   # transfer learning: frozen layers keep their weights
                menu.addSeparator()
                menu.addAction("Freeze up to here", lambda: self.freeze_up_to(nid))
                if frozen_nodes(self.doc.graph):
                    menu.addAction("Unfreeze all", self.unfreeze_all)
            menu.addSeparator()
            menu.addAction("Make Block...", self.make_block_dialog)
            if self.doc.graph.nodes[nid].type in self.doc.graph.blocks:
                menu.addAction("Open Block", lambda: self.open_block(nid))
                menu.addAction("Ungroup Block", lambda: self.ungroup_selection(nid))
                block = self.doc.graph.nodes[nid].type
                menu.addAction(f"Rename Block {block}...",
                               lambda: self.rename_block_requested.emit(block))
        elif isinstance(item, WireItem):
            edge = item.edge
            self.graph_scene.clearSelection()
            item.setSelected(True)
            menu.addAction("Delete wire", lambda: (not self._refuse_if_locked())
                           and push(self.undo_stack, Disconnect(self.doc, [edge])))
        else:
            menu.addAction("Paste", self.paste)
            menu.addAction("Select all", self.select_all)
            menu.addAction("Auto layout", self.auto_layout)
            menu.addAction("Fit view", self.fit_all)
            if self.in_block():
                menu.addAction("Up One Level (Esc)", self.go_up)
        return menu

    def freeze_up_to(self, node_id: str) -> None:
        """Freeze ``node_id`` and everything that feeds it: one undo step."""
        if self._refuse_if_locked():
            return
        push(self.undo_stack, SetTrainable(self.doc, freeze_up_to(self.doc.graph, node_id),
                                           f"Freeze up to {node_id}"))

    def unfreeze_all(self) -> None:
        if self._refuse_if_locked():
            return
        flags = dict.fromkeys(frozen_nodes(self.doc.graph), True)
        if flags:
            push(self.undo_stack, SetTrainable(self.doc, flags, "Unfreeze all"))

    def contextMenuEvent(self, event) -> None:
        self.context_menu_at(event.pos()).exec(event.globalPos())
