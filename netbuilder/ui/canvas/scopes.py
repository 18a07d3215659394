"""Opening blocks in the canvas: one level per block, a breadcrumb bar, make and ungroup.

A mixin for ``EditorCanvas``. The canvas always shows one document: the main one, or a
``BlockDocument`` for the inside of a block (nested blocks stack). Opening a block switches
the canvas (and, through ``scope_changed``, the inspector) to that document and remembers
where the view was; going back restores it and selects the use it came from. Edits inside
are ordinary commands on the block's document, on the window's one undo stack.

Keys: double-click or Enter on a block opens it; Esc, or Backspace with nothing selected,
goes up one level; the breadcrumb bar goes to any level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QTransform

from ...graph.block_document import BlockDocument, make_block_problem
from ...graph.document import Document
from ..blocks.commands import MakeBlock, UngroupBlock
from ..commands import push
from .breadcrumbs import BreadcrumbBar


@dataclass
class Scope:
    doc: Document
    use_id: str | None = None                  # the use opened (None: the whole network)
    transform: QTransform = field(default_factory=QTransform)
    centre: QPointF = field(default_factory=QPointF)


class BlockScopeMixin:
    """Block levels for a QGraphicsView with ``doc``, ``graph_scene`` and ``_link`` (a DocumentLink)."""

    def _init_scopes(self) -> None:
        self._scopes: list[Scope] = [Scope(self.doc)]
        self.breadcrumbs = BreadcrumbBar(self)
        self.breadcrumbs.level_clicked.connect(self.go_to_level)
        self.breadcrumbs.hide()

    # -- where we are --------------------------------------------------------------------------
    @property
    def main_doc(self) -> Document:
        return self._scopes[0].doc

    def in_block(self) -> bool:
        return len(self._scopes) > 1

    def block_path(self) -> list[str]:
        """The names of the blocks opened, outermost first ([] for the whole network)."""
        return [s.doc.name for s in self._scopes[1:]]

    def use_path(self) -> list[str]:
        """The ids of the block uses opened, outermost first ([] for the whole network)."""
        return [s.use_id for s in self._scopes[1:] if s.use_id is not None]

    def _levels(self) -> list[str]:
        return [self.main_doc.graph.name or "Network", *self.block_path()]

    # -- going in and out -----------------------------------------------------------------------
    def open_block(self, use_id: str | None = None) -> bool:
        """Show the inside of a block use (the selected one by default)."""
        if use_id is None:
            sel = self.selected_ids()
            use_id = sel[0] if len(sel) == 1 else None
        node = self.doc.graph.nodes.get(use_id or "")
        if node is None or node.type not in self.doc.graph.blocks:
            self.status_message.emit("Select one block (a gold card) to open it")
            return False
        here = self._scopes[-1]
        here.transform, here.centre = self.transform(), self._view_centre()
        inner = BlockDocument(self.doc, node.type, use_id)
        self._scopes.append(Scope(inner, use_id))
        self._switch_to(inner)
        self.fit_all()
        return True

    def go_up(self) -> bool:
        if not self.in_block():
            return False
        self.go_to_level(len(self._scopes) - 2)
        return True

    def go_to_root(self) -> None:
        if self.in_block():
            self.go_to_level(0)

    def go_to_level(self, level: int) -> None:
        """Back to ``level`` (0: the whole network), selecting the use we came out of."""
        level = max(0, min(level, len(self._scopes) - 1))
        if level == len(self._scopes) - 1:
            return
        came_from = self._scopes[level + 1].use_id
        for scope in self._scopes[level + 1:]:
            scope.doc.close()
        del self._scopes[level + 1:]
        target = self._scopes[level]
        self._switch_to(target.doc)
        self.setTransform(target.transform)
        self.centerOn(target.centre)
        if came_from and came_from in self.graph_scene.nodes:
            self.select_node(came_from, center=False)

    def _leave_detached(self) -> None:
        """The block shown went away (undo of Make Block, another project): step out."""
        level = next(i for i, s in enumerate(self._scopes)
                     if getattr(s.doc, "detached", False)) - 1
        self.go_to_level(max(level, 0))

    def _view_centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def _switch_to(self, doc: Document) -> None:
        self._cancel_wire()
        self.doc = doc
        self._link.follow(doc)
        self.graph_scene.doc = doc
        # The inside of a block is usually unplaced: wrap it to the window's shape.
        self.graph_scene.auto_wrap = self._best_wrap() if self.in_block() else None
        self.graph_scene.rebuild()
        self._shown_project = doc.project
        self._update_breadcrumbs()
        self.scope_changed.emit(doc)
        self._on_scene_selection()

    def _update_breadcrumbs(self) -> None:
        bar = self.breadcrumbs
        if self.in_block():
            bar.set_levels(self._levels(), self.doc.context_line())
            bar.show()
            self.setViewportMargins(0, bar.sizeHint().height(), 0, 0)
            self._place_breadcrumbs()
        else:
            bar.hide()
            self.setViewportMargins(0, 0, 0, 0)

    def _refresh_context(self) -> None:
        if self.in_block():
            if self.breadcrumbs.levels() != self._levels():   # a block was renamed
                self._update_breadcrumbs()
            else:
                self.breadcrumbs.context.set_full_text(self.doc.context_line())

    def _place_breadcrumbs(self) -> None:
        if self.breadcrumbs.isVisible():
            vp = self.viewport().geometry()      # as wide as the drawing, scroll bar aside
            self.breadcrumbs.setGeometry(vp.left(), self.frameWidth(), vp.width(),
                                         self.breadcrumbs.sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_breadcrumbs()

    # -- keys -------------------------------------------------------------------------------------
    def event(self, event) -> bool:
        # Backspace with nothing selected goes up a level, before the window's Delete
        # shortcut (which would do nothing) can take it.
        if (event.type() == QEvent.Type.ShortcutOverride and self.in_block()
                and event.key() == Qt.Key.Key_Backspace
                and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and not self.graph_scene.selectedItems()):
            event.accept()
            return True
        return super().event(event)

    def scope_key(self, event) -> bool:
        """Handle the keys that move between levels; True if the key was used."""
        key = event.key()
        if key == Qt.Key.Key_Escape and self._wiring is None and self.in_block():
            self.go_up()
            return True
        if key == Qt.Key.Key_Backspace and self.in_block() and \
                not self.graph_scene.selectedItems():
            self.go_up()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() == Qt.KeyboardModifier.NoModifier:
            sel = self.selected_ids()
            if len(sel) == 1 and self.doc.graph.nodes[sel[0]].type in self.doc.graph.blocks:
                self.open_block(sel[0])
                return True
        return False

    # -- make and ungroup ---------------------------------------------------------------------------
    def make_block_dialog(self):
        """Ask for a name and the settings to expose; on OK, group the selection.

        Returns the (window-modal, already open) dialog, or None when the selection cannot
        become a block (the reason goes to the status bar).
        """
        from ..blocks.make_dialog import MakeBlockDialog

        ids = self.selected_ids()
        if not ids:
            self.status_message.emit("Select the layers to put in the block first")
            return None
        if self._refuse_if_locked():
            return None
        inside = getattr(self.doc, "exposed_problem", None)
        problem = (inside(ids, "grouping") if inside else None) or \
            make_block_problem(self.doc.graph, ids)
        if problem:
            self.status_message.emit(f"Cannot make a block: {problem}")
            return None
        dialog = MakeBlockDialog(self.doc.graph, ids, self)
        dialog.accepted.connect(lambda: self._make_block(dialog))
        dialog.open()
        return dialog

    def _make_block(self, dialog) -> str | None:
        shown = {nid: self.graph_scene.model_position(nid) for nid in dialog.ids}
        cmd = MakeBlock(self.doc, dialog.ids, dialog.name(), dialog.description(),
                        dialog.exposed(), shown)
        if push(self.undo_stack, cmd) is not None or cmd.use_id is None:
            return None
        self.select_node(cmd.use_id, center=False)
        self.status_message.emit(f"Made block {dialog.name()}: double-click it to see inside; "
                                 "it is under My blocks in the palette")
        return cmd.use_id

    def ungroup_selection(self, use_id: str | None = None) -> list[str]:
        """Turn a block use back into its layers (one undo step)."""
        if use_id is None:
            sel = self.selected_ids()
            use_id = sel[0] if len(sel) == 1 else None
        node = self.doc.graph.nodes.get(use_id or "")
        if node is None or node.type not in self.doc.graph.blocks:
            self.status_message.emit("Select one block (a gold card) to ungroup it")
            return []
        if self._refuse_if_locked():
            return []
        cmd = UngroupBlock(self.doc, use_id, self.graph_scene.model_position(use_id))
        if push(self.undo_stack, cmd) is not None:
            return []
        self.select_nodes(cmd.new_ids)
        return cmd.new_ids
