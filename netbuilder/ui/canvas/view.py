"""``EditorCanvas``: the graph editor view. Gestures become commands; Changes redraw it.

The canvas never writes to the Document. Each gesture (drop a layer, draw a wire, drag
nodes, Delete, paste...) pushes one command on the undo stack; the Document's Change event
then reaches ``_on_document_changed`` and the scene updates the items it touches. Undo and
redo travel the same road. Refusals (a loop, a taken port, a locked document) come back
from the command and are shown through ``status_message``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainter, QUndoStack
from PySide6.QtWidgets import QApplication, QGraphicsView, QMenu

from ...graph.catalogue import canonical_type
from ...graph.document import Change, Document
from ...graph.words import plural
from ..commands import (
    AddNode,
    AutoLayout,
    Connect,
    Disconnect,
    Duplicate,
    MoveNodes,
    Paste,
    RemoveNodes,
    clipboard_text,
    command_events,
    parse_clipboard,
    push,
)
from ..doc_link import DocumentLink
from ..fixes import ApplyFix, fix_menu, node_fixes
from ..theme import Theme
from .fix_button import FixButton
from .menus import ContextMenuMixin
from .navigation import NavigationMixin
from .node_item import NodeItem
from .port_item import PortItem
from .scene import LAYOUT_DX, LAYOUT_DY, GraphScene
from .scopes import BlockScopeMixin
from .wire_item import WireItem
from .wiring import ConnectRequest, WireDrag

LAYER_MIME = "application/x-netbuilder-layer"
LOCKED_MESSAGE = "Editing is locked while training: stop training to change the network"


class EditorCanvas(NavigationMixin, BlockScopeMixin, ContextMenuMixin, QGraphicsView):
    selection_changed = Signal(object)   # list of selected node ids
    status_message = Signal(str)
    scope_changed = Signal(object)       # the Document now shown (main, or a block's inside)
    rename_block_requested = Signal(str)  # a block's name, from a use's right-click menu

    def __init__(self, document: Document, undo_stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.doc = document
        self.undo_stack = undo_stack
        self.graph_scene = GraphScene(document, self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # One rectangle around all dirty items: cheaper than many small regions when an edit
        # changes hundreds of labels, and as cheap as Smart for a local edit (measured).
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._wiring: WireDrag | None = None
        self._pan_from: QPointF | None = None
        self._space = False
        self._press_positions: dict[str, tuple[float, float]] = {}
        self._paste_text: str | None = None
        self._paste_count = 0
        self._last_selection: list[str] = []
        self._presenting = Theme.presentation
        self.graph_scene.selectionChanged.connect(self._on_scene_selection)
        self.graph_scene.set_dark(Theme.dark_for(self.palette()))
        self._link = DocumentLink(self, document, self._on_document_changed)
        self._shown_project = document.project
        self._init_scopes()
        command_events.failed.connect(self._on_command_failed)
        Theme.changed.connect(self._on_theme_changed)
        scopes = self._scopes
        self.destroyed.connect(lambda *_: [s.doc.close() for s in scopes[1:]])
        self.zoom_reset()

    # -- Document events ---------------------------------------------------------------------
    def _on_document_changed(self, change: Change) -> None:
        if self._wiring is not None and (change.structure or change.reset or self.is_locked()):
            self._cancel_wire()
        if change.lock:
            self.viewport().update()       # the locked banner comes or goes
        if getattr(self.doc, "detached", False):
            self._leave_detached()
            return
        if change.reset:
            self._on_reset()
            return
        if change.structure:
            self._on_structure()
        if change.structure or change.nodes:
            self._on_nodes(None if change.structure else change.nodes)
        if change.moved:
            self._on_moved(change.moved)

    def _on_reset(self) -> None:
        # The same project restored (undo of Make Block) keeps the view; another one fits.
        same = self.doc.project is self._shown_project
        view = (self.transform(), self._view_centre())
        self._shown_project = self.doc.project
        self.graph_scene.rebuild()
        if same:
            self.setTransform(view[0])
            self.centerOn(view[1])
        else:
            self.fit_all()
        self._update_breadcrumbs()
        self._on_scene_selection()

    def _on_structure(self) -> None:
        self.graph_scene.sync_structure()
        self.graph_scene.fit_scene_rect()

    def _on_nodes(self, touched: set[str] | None) -> None:
        self.graph_scene.refresh_views(touched)
        self._refresh_context()

    def _on_moved(self, ids: set[str]) -> None:
        self.graph_scene.sync_positions(ids)
        self.graph_scene.fit_scene_rect()

    def _on_command_failed(self, reason: str) -> None:
        self.status_message.emit(reason[:1].upper() + reason[1:])

    def _on_theme_changed(self) -> None:
        self.graph_scene.set_dark(Theme.dark_for(self.palette()))
        if Theme.presentation != self._presenting:
            self._presenting = Theme.presentation
            f = 1.25 if self._presenting else 1 / 1.25
            self.zoom_by(f)
            if not self._presenting:
                self.graph_scene.set_reflow(None)    # the stored layout comes back
            self.graph_scene.relayout_all()
        self._update_breadcrumbs()
        self.viewport().update()

    def _on_scene_selection(self) -> None:
        ids = self.selected_ids()
        if ids != self._last_selection:
            self._last_selection = ids
            self.selection_changed.emit(ids)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.graph_scene.set_dark(Theme.dark_for(self.palette()))
        super().changeEvent(event)

    # -- public API ----------------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        chosen = {i.node_id for i in self.graph_scene.selectedItems() if isinstance(i, NodeItem)}
        return [nid for nid in self.doc.graph.nodes if nid in chosen]

    def selected_edges(self) -> list:
        return [i.edge for i in self.graph_scene.selectedItems() if isinstance(i, WireItem)]

    def select_node(self, node_id: str, center: bool = True) -> None:
        item = self.graph_scene.nodes.get(node_id)
        if item is None:
            return
        self.graph_scene.clearSelection()
        item.setSelected(True)
        if center:
            self.centerOn(item)

    def select_nodes(self, ids) -> None:
        """Select exactly these nodes (one selection_changed, not one per node)."""
        with QSignalBlocker(self.graph_scene):
            self.graph_scene.clearSelection()
            for nid in ids:
                item = self.graph_scene.nodes.get(nid)
                if item is not None:
                    item.setSelected(True)
        self._on_scene_selection()

    def select_all(self) -> None:
        self.select_nodes(list(self.graph_scene.nodes))

    def set_presentation(self, on: bool) -> None:
        """Bigger text, thicker lines and a closer view, for a lecture hall."""
        Theme.set_presentation(on)
        self._on_theme_changed()

    def is_locked(self) -> bool:
        """Whether the network shown cannot change now (training runs): the document says;
        moving nodes still works."""
        return bool(self.doc.locked_reason)

    def _refuse_if_locked(self) -> bool:
        if self.is_locked():
            self.status_message.emit(LOCKED_MESSAGE)
            return True
        return False

    # -- edits ---------------------------------------------------------------------------------
    def add_layer(self, type_name: str, position: tuple[float, float] | None = None) -> str | None:
        """Add a layer (palette double-click): after the selected node, wired to it, or at the
        visible centre. Returns the new id, or None when refused."""
        canon = type_name if type_name in self.doc.graph.blocks else canonical_type(type_name)
        if canon is None or self._refuse_if_locked():
            if canon is None:
                self.status_message.emit(f"Unknown layer type {type_name!r}")
            return None
        sel = self.selected_ids()
        after = sel[0] if len(sel) == 1 and position is None else None
        if position is None:
            if after is not None:
                x, y = self.graph_scene.model_position(after)
                position = self._free_spot(x + LAYOUT_DX, y)
            else:
                c = self.mapToScene(self.viewport().rect().center())
                w, h = GraphScene.card_size()
                position = self._free_spot(c.x() - w / 2, c.y() - h / 2)
        cmd = AddNode(self.doc, canon, position, after=after)
        if push(self.undo_stack, cmd) is not None:
            return None
        self.select_node(cmd.node_id, center=False)
        self.ensureVisible(self.graph_scene.nodes[cmd.node_id], 40, 40)
        return cmd.node_id

    def _free_spot(self, x: float, y: float) -> tuple[float, float]:
        w, h = GraphScene.card_size()
        for _ in range(50):
            rect = QRectF(x, y, w, h).adjusted(-10, -10, 10, 10)
            if not any(isinstance(i, NodeItem) for i in self.graph_scene.items(rect)):
                break
            y += LAYOUT_DY
        return (round(x), round(y))

    def connect_nodes(self, source: str, target: str, port: int | None = None) -> bool:
        if self._refuse_if_locked():
            return False
        return push(self.undo_stack, Connect(self.doc, source, target, port)) is None

    def delete_selection(self) -> None:
        ids = self.selected_ids()
        gone = set(ids)
        edges = [e for e in self.selected_edges() if e.source not in gone and e.target not in gone]
        if not ids and not edges:
            return
        if self._refuse_if_locked():
            return
        if ids:     # one step, whose label names what goes: "Delete conv1 and 1 wire"
            push(self.undo_stack, RemoveNodes(self.doc, ids, edges))
        else:
            push(self.undo_stack, Disconnect(self.doc, edges))

    def disconnect_all(self, node_id: str) -> None:
        edges = [e for e in self.doc.graph.edges if node_id in (e.source, e.target)]
        if edges and not self._refuse_if_locked():
            push(self.undo_stack, Disconnect(self.doc, edges))

    def copy_selection(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.status_message.emit("Select the layers to copy first")
            return
        QApplication.clipboard().setText(clipboard_text(self.doc, ids))
        self.status_message.emit(f"Copied {plural(len(ids), 'layer')}")

    def paste(self) -> None:
        text = QApplication.clipboard().text()
        payload = parse_clipboard(text)
        if payload is None:
            self.status_message.emit("The clipboard holds no layers: copy some layers first")
            return
        if self._refuse_if_locked():
            return
        self._paste_count = self._paste_count + 1 if text == self._paste_text else 1
        self._paste_text = text
        step = 40.0 * self._paste_count
        offset = self._visible_offset(payload, (step, step))
        cmd = Paste(self.doc, payload, offset)
        if push(self.undo_stack, cmd) is None:
            self.select_nodes(cmd.new_ids)

    def duplicate_selection(self) -> None:
        ids = self.selected_ids()
        if not ids or self._refuse_if_locked():
            return
        cmd = Duplicate(self.doc, ids)
        if push(self.undo_stack, cmd) is None:
            self.select_nodes(cmd.new_ids)

    def auto_layout(self) -> None:
        """Tidy the graph left to right, wrapping long chains to fit the window's shape."""
        shown = {nid: self.graph_scene.model_position(nid) for nid in self.doc.graph.nodes}
        if not shown:
            return
        push(self.undo_stack, AutoLayout(self.doc, shown, wrap=self._best_wrap(),
                                         dx=LAYOUT_DX, dy=LAYOUT_DY))
        self.graph_scene.refresh_reflow()
        self.fit_all()

    # -- fixes ---------------------------------------------------------------------------------
    def fix_node(self, node_id: str, at: QPoint | None = None) -> QMenu | None:
        """The card's Fix button: its one fix is applied (one undo step); several open a
        menu at ``at`` (returned unopened when ``at`` is None)."""
        fixes = node_fixes(self.doc, node_id)
        if not fixes or self._refuse_if_locked():
            return None
        if len(fixes) == 1:
            push(self.undo_stack, ApplyFix(self.doc, fixes[0]))
            return None
        menu = fix_menu(fixes, lambda f: push(self.undo_stack, ApplyFix(self.doc, f)), self)
        if at is not None:
            menu.exec(at)
        return menu

    # -- mouse ---------------------------------------------------------------------------------
    def _item_at(self, pos):
        return self.itemAt(pos.toPoint() if hasattr(pos, "toPoint") else pos)

    def _port_at(self, pos) -> PortItem | None:
        """The port under ``pos``, even where a wire label overlaps it."""
        for item in self.items(pos.toPoint() if hasattr(pos, "toPoint") else pos):
            if isinstance(item, PortItem):
                return item
        return None

    def mousePressEvent(self, event) -> None:
        pos = event.position()
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space):
            self._pan_start(pos)
            event.accept()
            return
        port = self._port_at(pos)
        if event.button() == Qt.MouseButton.LeftButton and port is not None:
            self._start_wire(port)
            event.accept()
            return
        fix = self._item_at(pos)
        if event.button() == Qt.MouseButton.LeftButton and isinstance(fix, FixButton):
            event.accept()
            self.fix_node(fix.node_id, event.globalPosition().toPoint())
            return
        super().mousePressEvent(event)
        self._press_positions = {i.node_id: (i.pos().x(), i.pos().y())
                                 for i in self.graph_scene.selectedItems() if isinstance(i, NodeItem)}

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_move(event.position())
            return
        if self._wiring is not None:
            self._wiring.move(self.mapToScene(event.position().toPoint()))
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None:
            self._pan_end()
            return
        if self._wiring is not None and event.button() == Qt.MouseButton.LeftButton:
            self._finish_wire(self.mapToScene(event.position().toPoint()))
            return
        super().mouseReleaseEvent(event)
        self._push_move()

    def _push_move(self) -> None:
        before, self._press_positions = self._press_positions, {}
        after = {}
        for nid, old in before.items():
            item = self.graph_scene.nodes.get(nid)
            if item is not None and (item.pos().x(), item.pos().y()) != old:
                after[nid] = (item.pos().x(), item.pos().y())
        if after:
            # in the model's positions: the same as shown, but for a presentation reflow
            scene = self.graph_scene
            push(self.undo_stack, MoveNodes(
                self.doc, {k: scene.model_position(k, before[k]) for k in after},
                {k: scene.model_position(k, v) for k, v in after.items()}))

    def _start_wire(self, port: PortItem) -> None:
        if self._refuse_if_locked():
            return
        if port.is_input and port.index in self.graph_scene.nodes[port.node_id].view.connected:
            src = next((e.source for e in self.doc.graph.in_edges(port.node_id)
                        if e.target_port == port.index), "?")
            self.status_message.emit(
                f"Input {port.index} of '{port.node_id}' is already wired to '{src}': click that "
                "wire and press Delete first")
            return
        self.graph_scene.clearSelection()
        self._wiring = WireDrag(self.graph_scene, port)

    def _finish_wire(self, pos: QPointF) -> None:
        drag, self._wiring = self._wiring, None
        result = drag.finish(pos)
        if isinstance(result, ConnectRequest):
            self.connect_nodes(result.source, result.target, result.port)
        elif result:
            self.status_message.emit(result[:1].upper() + result[1:])

    def _cancel_wire(self) -> None:
        if self._wiring is not None:
            self._wiring.cancel()
            self._wiring = None

    def mouseDoubleClickEvent(self, event) -> None:
        item = self._item_at(event.position())
        if isinstance(item, PortItem):
            item = item.parentItem()
        if isinstance(item, NodeItem) and item.node_id in self.doc.graph.nodes and \
                self.doc.graph.nodes[item.node_id].type in self.doc.graph.blocks:
            event.accept()
            self.open_block(item.node_id)
            return
        super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.zoom_by(1.15 ** steps)
            event.accept()
            return
        super().wheelEvent(event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        if not mime.hasFormat(LAYER_MIME):
            event.ignore()
            return
        type_name = bytes(mime.data(LAYER_MIME).data()).decode("utf-8", "replace").strip()
        p = self.mapToScene(event.position().toPoint())
        w, _ = GraphScene.card_size()
        event.acceptProposedAction()
        self.add_layer(type_name, (round(p.x() - w / 2), round(p.y() - Theme.px(14))))

    # -- keyboard ------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if self.scope_key(event):
            return
        if key == Qt.Key.Key_Escape:
            if self._wiring is not None:
                self._cancel_wire()
                self.status_message.emit("Wire cancelled")
            else:
                self.graph_scene.clearSelection()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selection()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif ctrl and key == Qt.Key.Key_D:
            self.duplicate_selection()
        elif ctrl and key == Qt.Key.Key_0:
            self.zoom_reset()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_F and not ctrl:
            self.fit_all()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            if self._pan_from is None:
                self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            return
        super().keyReleaseEvent(event)
