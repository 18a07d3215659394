"""Renaming and deleting block definitions from the window.

``BlockManager`` answers the palette's My blocks menu, the canvas's menu on a use and the
inspector's Rename button. Rename opens ``RenameBlockDialog``; Delete removes an unused block
at once, and for a used one first asks (naming how many uses and where) whether to ungroup
every use and delete. Each is one command on the window's undo stack. Edits go to the main
document whatever level the canvas shows: the table of blocks is the project's.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from ...graph.block_defs import BlockUses, delete_problem, find_uses
from ...graph.words import noun
from ..commands import push
from .commands import DeleteBlock, RenameBlock
from .rename_dialog import RenameBlockDialog

UNGROUP_AND_DELETE = "Ungroup All Uses and Delete"


class BlockManager(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window

    @property
    def document(self):
        return self.window.document

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def _refused(self, name: str, verb: str) -> bool:
        if name not in self.document.graph.blocks:
            self._say(f"There is no block named {name}")
            return True
        reason = self.document.locked_reason
        if reason:
            self._say(f"Cannot {verb} {name}: {reason}")
        return bool(reason)

    # -- rename -------------------------------------------------------------------------------
    def rename(self, name: str) -> RenameBlockDialog | None:
        """Open the rename dialog for block ``name`` (window-modal); None if refused."""
        if self._refused(name, "rename"):
            return None
        dialog = RenameBlockDialog(self.document.graph, name, self.window)
        dialog.accepted.connect(lambda: self._rename(dialog.old, dialog.name()))
        dialog.open()
        return dialog

    def _rename(self, old: str, new: str) -> bool:
        if push(self.window.undo_stack, RenameBlock(self.document, old, new)) is not None:
            return False
        item = self.window.layer_palette.item_for(new)
        if item is not None:
            self.window.layer_palette.tree.setCurrentItem(item)
        self._say(f"Renamed block {old} to {new}")
        return True

    # -- delete -------------------------------------------------------------------------------
    def delete(self, name: str) -> bool:
        """Delete block ``name``; if it is used, only after the student agrees to ungroup."""
        if self._refused(name, "delete"):
            return False
        uses = find_uses(self.document.graph, name)
        if uses.count:
            problem = delete_problem(self.document.graph, name)
            if problem:
                self._box(QMessageBox.Icon.Warning, f"Cannot delete {name}", problem).exec()
                return False
            if not self._ask(uses):
                return False
        vp = self.window.canvas.viewport()
        cmd = DeleteBlock(self.document, name, (max(vp.width(), 400), max(vp.height(), 300)))
        if push(self.window.undo_stack, cmd) is not None:
            return False
        undo = "Ctrl+Z brings it back"
        self._say(f"Deleted block {name} and ungrouped its {uses.count} "
                  f"{noun(uses.count, 'use')} ({undo})" if uses.count
                  else f"Deleted block {name} ({undo})")
        return True

    def _ask(self, uses: BlockUses) -> bool:
        name = uses.name
        box = self._box(QMessageBox.Icon.Question, f"Delete block {name}?",
                        f"{name} is {uses.describe()}.")
        relaid = " The network's layers are laid out again to make room." if uses.top else ""
        box.setInformativeText(
            "Deleting it first ungroups every use: each is replaced by plain copies of the "
            f"layers inside {name}, with the same settings.{relaid} Edit > Undo (Ctrl+Z) brings "
            "everything back in one step.")
        ungroup = box.addButton(UNGROUP_AND_DELETE, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ungroup

    def _box(self, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("delete_block_box")
        if icon == QMessageBox.Icon.Warning:
            box.addButton(QMessageBox.StandardButton.Ok)
        return box
