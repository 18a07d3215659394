"""``GraphScene``: the graphics items of a Document, kept in step with its Change events.

The scene only reads the document. The canvas hands it each Change: ``sync_structure`` adds
and removes the items of nodes and wires that appeared or vanished, ``refresh_views``
compares every card and wire label with the new analysis and repaints only those that
differ (an edit that changes ten shapes repaints ten cards and ten labels, not the scene),
``sync_positions`` follows moves. A reset (another project) rebuilds everything.

Nodes without a stored position are shown where the layered layout puts them; the position
enters the model only when the user moves them or runs Auto layout (a command).
"""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QToolTip

from ...graph.analysis import SEVERITY_ERROR, SEVERITY_WARNING
from ...graph.document import Document
from ...graph.layout import layered_layout, reflow_rows
from ...graph.model import Edge
from ...graph.tensor import fmt_shape
from ..fixes import node_fixes
from ..theme import Theme, canvas_colors
from .node_item import NodeItem, NodeView
from .port_item import PortItem
from .wire_item import WireItem, WireLabel, goes_back

LAYOUT_DX, LAYOUT_DY = 260.0, 140.0
RUN_CLEARANCE = 9.0      # how close a wire's run to the left may pass a card


def count_text(n: int, word: str = "params") -> str:
    if n < 10_000:
        return f"{n:,} {word}"
    if n < 1_000_000:
        return f"{n / 1000:.1f}k {word}"
    return f"{n / 1_000_000:.2f}M {word}"


def _analysis_key(info) -> tuple:
    """What a card shows that analysis decides (cheap to compare)."""
    if info is None:
        return ()
    return (info.status, info.output, info.result.params if info.result else None,
            tuple(d.message for d in info.diagnostics) if info.diagnostics else ())


def first_line(text: str) -> str:
    """The first line, capitalised as a sentence on a card."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line[:1].upper() + line[1:]


class GraphScene(QGraphicsScene):
    # the wires going back left have been re-placed around the cards as they now stand
    wires_rerouted = Signal()

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self.doc = document
        self.dark = False
        self.exporting = False   # export draws the background without the grid
        self.nodes: dict[str, NodeItem] = {}
        self.wires: dict[Edge, WireItem] = {}
        self._wires_of: dict[str, set[Edge]] = defaultdict(set)
        self._auto_pos: dict[str, tuple[float, float]] = {}
        self.auto_wrap: int | None = None   # columns per band for nodes placed automatically
        self._returns: set[Edge] = set()    # wires going back left: their run avoids cards
        self._reroute_pending = False
        self._building = False
        # Presentation: a layout in rows shown with fewer cards a row. The model keeps its
        # positions; a card is shown at its position plus its offset (moves and undo work in
        # model positions: the canvas converts with model_position).
        self._offsets: dict[str, tuple[float, float]] = {}
        self._reflow: tuple[int, float | None, float | None] | None = None
        self.rebuild()

    # -- what a card shows -----------------------------------------------------------------
    def node_view(self, nid: str) -> NodeView:
        graph = self.doc.graph
        node = graph.nodes[nid]
        spec = graph.spec(node.type)      # a catalogue layer or one of the project's blocks
        info = self.doc.analysis.nodes.get(nid)
        status = info.status if info else "blocked"
        # Inside a block the cards describe the use being shown (its exposed values).
        shown = getattr(self.doc, "shown_params", None)
        params = shown(nid) if shown is not None else node.params
        describe = spec.describe(params)
        line, is_help = (describe, False) if describe else (spec.help.split(":")[0].split(".")[0], True)
        errors = [d for d in (info.diagnostics if info else []) if d.severity == SEVERITY_ERROR]
        warns = [d for d in (info.diagnostics if info else []) if d.severity == SEVERITY_WARNING]
        if errors:
            message = first_line(errors[0].message)
            kind = "incomplete" if status == "incomplete" else "error"
        elif warns:
            message, kind = first_line(warns[0].message), "warning"
        else:
            message, kind = "", ""
        ports = self._port_count(nid, spec)
        connected = frozenset(e.target_port for e in self._in_edges(nid))
        shape = fmt_shape(info.output.shape) if info and info.output is not None else "?"
        cost = count_text(info.params) if info and info.result else ""
        tip = [f"{node.type} '{nid}'" + (f" ({node.label})" if node.label else ""), spec.help]
        tip += [("Error: " if d.severity == SEVERITY_ERROR else "Warning: ") + d.message
                for d in (info.diagnostics if info else [])]
        repeat = 0
        if node.type in graph.blocks:
            repeat = int(spec.full_params(node.params).get("repeat", 1))
            tip.append("Double-click (or Enter) to open the block; Ctrl+Shift+G to ungroup it")
        offered = node_fixes(self.doc, nid) if message else []
        fixes = len(offered)
        if offered:
            tip.append("Fix: " + "; or ".join(f.description for f in offered))
        if not node.trainable:
            cost = f"{cost}, frozen" if cost else "frozen"
            tip.append("Frozen: training leaves its weights as they are (Trainable in the "
                       "Inspector)")
        locks = self.doc.edit_locks if self.doc.root is self.doc else None
        locked = bool(locks and locks.node_locked(nid))
        if locked:
            tip.append(locks.node_reason(graph, nid))
        return NodeView(nid, spec.type, spec.category, node.label or nid, line, is_help, shape, cost,
                        status, message, kind, ports, spec.variadic or spec.inputs > 1, connected,
                        "\n".join(tip), repeat, fixes, frozen=not node.trainable, locked=locked)

    def _in_edges(self, nid: str) -> list[Edge]:
        return [e for e in self._wires_of.get(nid, ()) if e.target == nid]

    def _port_count(self, nid: str, spec) -> int:
        if not spec.variadic:
            return spec.inputs
        used = [e.target_port for e in self._in_edges(nid)]
        return max(spec.min_inputs, (max(used) + 2) if used else 0)

    def wire_text(self, edge: Edge) -> str:
        t = self.doc.analysis.edge_shape(edge)
        return fmt_shape(t.shape) if t is not None else "?"

    # -- building ------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Throw every item away and build them again (used for a new project)."""
        self.clear()
        self.nodes.clear()
        self.wires.clear()
        self._wires_of.clear()
        self._returns.clear()
        self._building = True           # wires are placed after every card exists
        self._compute_auto_positions()
        for e in self.doc.graph.edges:
            self._wires_of[e.source].add(e)
            self._wires_of[e.target].add(e)
        for nid in self.doc.graph.nodes:
            self._add_node_item(nid)
        for e in self.doc.graph.edges:
            self._add_wire_item(e)
        self._building = False
        if self._reflow is not None:
            self._apply_reflow()
        self.fit_scene_rect()

    def _compute_auto_positions(self) -> None:
        g = self.doc.graph
        missing = [nid for nid, n in g.nodes.items() if n.position is None]
        self._auto_pos = {}
        if not missing:
            return
        laid = layered_layout(g, dx=LAYOUT_DX, dy=LAYOUT_DY, wrap=self.auto_wrap)
        placed = [n.position for n in g.nodes.values() if n.position is not None]
        # Below what the user placed, so nothing lands on top of it.
        top = (max(p[1] for p in placed) + LAYOUT_DY * 1.5) if placed else 0.0
        y0 = min(laid[nid][1] for nid in missing)
        self._auto_pos = {nid: (laid[nid][0], laid[nid][1] - y0 + top) for nid in missing}

    def shown_position(self, nid: str) -> tuple[float, float]:
        item = self.nodes.get(nid)
        if item is not None:
            return (item.pos().x(), item.pos().y())
        return self._view_pos(nid)

    def model_position(self, nid: str, shown: tuple[float, float] | None = None
                       ) -> tuple[float, float]:
        """Where a card shown at ``shown`` (default: where it is) is in the model: the same
        place, except while a presentation reflow shows it elsewhere."""
        x, y = shown if shown is not None else self.shown_position(nid)
        dx, dy = self._offsets.get(nid, (0.0, 0.0))
        return (x - dx, y - dy)

    def _model_pos(self, nid: str) -> tuple[float, float]:
        pos = self.doc.graph.nodes[nid].position
        return pos if pos is not None else self._auto_pos.get(nid, (0.0, 0.0))

    def _view_pos(self, nid: str) -> tuple[float, float]:
        x, y = self._model_pos(nid)
        dx, dy = self._offsets.get(nid, (0.0, 0.0))
        return (x + dx, y + dy)

    # -- presentation reflow ---------------------------------------------------------------
    def set_reflow(self, per_row: int | None, min_dx: float | None = None,
                   max_dy: float | None = None) -> bool:
        """Show a layout in rows with at most ``per_row`` cards a row, ``min_dx`` apart
        (``graph.layout.reflow_rows``; None: as stored). True when the cards moved."""
        wanted = (per_row, min_dx, max_dy) if per_row else None
        if wanted == self._reflow:
            return False
        self._reflow = wanted
        return self._apply_reflow()

    def refresh_reflow(self) -> bool:
        """Positions changed wholesale (Auto Layout): reflow them again."""
        return self._apply_reflow() if self._reflow is not None else False

    def reflowed(self) -> bool:
        return bool(self._offsets)

    def widest_wire_text(self) -> float:
        """The width the longest shape on a wire needs at full size (its pill included)."""
        fm = Theme.metrics("wire")
        texts = {w.text for w in self.wires.values()} or {""}
        return max(fm.horizontalAdvance(t) for t in texts) + Theme.px(7)

    def _apply_reflow(self) -> bool:
        g = self.doc.graph
        offsets: dict[str, tuple[float, float]] = {}
        if self._reflow is not None:
            model = {nid: self._model_pos(nid) for nid in g.nodes}
            laid = reflow_rows(g, model, *self._reflow)
            if laid is not None:
                offsets = {nid: (laid[nid][0] - model[nid][0], laid[nid][1] - model[nid][1])
                           for nid in laid}
        if offsets == self._offsets:
            return False
        self._offsets = offsets
        for nid, item in self.nodes.items():
            x, y = self._view_pos(nid)
            if (item.pos().x(), item.pos().y()) != (x, y):
                item.setPos(QPointF(x, y))      # wires follow through itemChange
        self._reroute_soon()
        self.fit_scene_rect()
        return True

    def _add_node_item(self, nid: str) -> NodeItem:
        item = NodeItem(self.node_view(nid), self.dark)
        item.analysis_key = _analysis_key(self.doc.analysis.nodes.get(nid))
        item.setPos(QPointF(*self._view_pos(nid)))
        item.on_moved = self._on_item_moved
        self.addItem(item)
        self.nodes[nid] = item
        if not self._building:
            self._reroute_soon()        # a new card may stand in another wire's way
        return item

    def _add_wire_item(self, e: Edge) -> None:
        wire = WireItem(e)
        wire.dark = self.dark
        wire.set_text(self.wire_text(e))
        self.addItem(wire)
        self.addItem(wire.label)
        self.wires[e] = wire
        self._place_wire(wire)

    def _remove_wire_item(self, e: Edge) -> None:
        wire = self.wires.pop(e)
        self._returns.discard(e)
        self.removeItem(wire.label)
        self.removeItem(wire)

    def _place_wire(self, wire: WireItem) -> None:
        src, dst = self.nodes.get(wire.edge.source), self.nodes.get(wire.edge.target)
        if src is not None and dst is not None:
            p0, p1 = src.output_pos(), dst.input_pos(wire.edge.target_port)
            back = goes_back(p0, p1)
            (self._returns.add if back else self._returns.discard)(wire.edge)
            wire.set_ends(p0, p1, self._free_run_y(p0, p1, wire.edge) if back else None)

    def _reroute_soon(self) -> None:
        """Cards moved, appeared or grew: once control returns to the event loop, re-place
        the wires going back left, whose runs steer around cards (one pass for a whole drag
        step or structural change, however many cards it touched)."""
        if not self._reroute_pending:
            self._reroute_pending = True
            QTimer.singleShot(0, self, self._reroute)

    def _reroute(self) -> None:
        self._reroute_pending = False
        for e in list(self._returns):
            wire = self.wires.get(e)
            if wire is not None:
                self._place_wire(wire)
        self.wires_rerouted.emit()

    def _free_run_y(self, p0: QPointF, p1: QPointF, edge: Edge) -> float | None:
        """For a wire going back to the left: None when its run half-way between the ends
        crosses no card (the usual wrapped chain), else the height nearest half-way just
        above or below a card in the way (a skip wire dropping past a whole row)."""
        low, high = sorted((p0.y(), p1.y()))
        band = QRectF(p1.x() - 40, low, p0.x() - p1.x() + 80, high - low)
        cards = [item.mapRectToScene(item.card_rect()) for item in self.items(band)
                 if isinstance(item, NodeItem) and item.node_id not in (edge.source, edge.target)]
        cards = [r for r in cards if r.right() > band.left() and r.left() < band.right()]
        margin = RUN_CLEARANCE

        def free(y: float) -> bool:
            return all(y < r.top() - margin or y > r.bottom() + margin for r in cards)
        half = (p0.y() + p1.y()) / 2
        if free(half):
            return None
        options = [y for r in cards for y in (r.top() - 2 * margin, r.bottom() + 2 * margin)
                   if low < y < high and free(y)]
        # nearest half-way; between two equally near, the one nearer the target
        return min(options, key=lambda y: (abs(y - half), abs(y - p1.y())), default=None)

    def _on_item_moved(self, nid: str) -> None:
        for e in self._wires_of.get(nid, ()):
            wire = self.wires.get(e)
            if wire is not None:
                self._place_wire(wire)
        if self._returns:
            self._reroute_soon()

    # -- applying a Change (the canvas calls these from its _on_* handlers) ------------
    def sync_structure(self) -> None:
        g = self.doc.graph
        for nid in [n for n in self.nodes if n not in g.nodes]:
            item = self.nodes.pop(nid)
            self.removeItem(item)
            self._wires_of.pop(nid, None)
            self._offsets.pop(nid, None)
        current = set(g.edges)
        for e in [e for e in self.wires if e not in current]:
            self._remove_wire_item(e)
            for end in (e.source, e.target):
                if end in self._wires_of:
                    self._wires_of[end].discard(e)
        new_nodes = [nid for nid in g.nodes if nid not in self.nodes]
        if new_nodes and any(g.nodes[n].position is None for n in new_nodes):
            self._compute_auto_positions()
        for e in g.edges:
            if e not in self.wires:
                self._wires_of[e.source].add(e)
                self._wires_of[e.target].add(e)
        for nid in new_nodes:
            self._add_node_item(nid)
        for e in g.edges:
            if e not in self.wires:
                self._add_wire_item(e)
        if self._reflow is not None:    # a card came or went: the rows flow again
            self._apply_reflow()

    def refresh_views(self, touched: set[str] | None = None) -> int:
        """Compare cards and labels with the analysis; update those that differ.

        ``touched``: the nodes whose own data changed (a parameter edit); any other node is
        re-described only if its analysis result differs. None compares everything (after a
        structural change). Returns the number of cards and labels updated.
        """
        analysis = self.doc.analysis
        changed = 0
        new_shape: dict[str, str] = {}
        for nid, item in self.nodes.items():
            key = _analysis_key(analysis.nodes.get(nid))
            if touched is not None and nid not in touched and key == item.analysis_key:
                continue
            item.analysis_key = key
            view = self.node_view(nid)
            if view == item.view:
                continue
            changed += 1
            if view.shape != item.view.shape:
                new_shape[nid] = view.shape
            if item.set_view(view):
                for e in self._wires_of.get(nid, ()):
                    self._place_wire(self.wires[e])
                if self._returns:
                    self._reroute_soon()     # the card's size changed
        for nid, text in new_shape.items():
            for e in self._wires_of.get(nid, ()):
                if e.source == nid:
                    changed += self.wires[e].set_text(text)
        return changed

    def sync_positions(self, ids) -> None:
        for nid in ids:
            item = self.nodes.get(nid)
            pos = self.doc.graph.nodes[nid].position if nid in self.doc.graph.nodes else None
            if item is None or pos is None:
                continue
            shown = self._view_pos(nid)
            if (item.pos().x(), item.pos().y()) != shown:
                item.setPos(QPointF(*shown))  # wires follow through itemChange

    def set_dark(self, dark: bool) -> None:
        if dark == self.dark:
            return
        self.dark = dark
        for item in self.nodes.values():
            item.set_dark(dark)
        for wire in self.wires.values():
            wire.set_dark(dark)
        self.update()

    def relayout_all(self) -> None:
        """Sizes changed (presentation mode): re-measure cards, re-route wires."""
        for item in self.nodes.values():
            item.relayout()
        for wire in self.wires.values():
            self._place_wire(wire)
            wire.label.refresh()
        self.fit_scene_rect()

    def fit_scene_rect(self) -> None:
        r = self.itemsBoundingRect() if self.nodes else QRectF(0, 0, 400, 300)
        self.setSceneRect(r.adjusted(-600, -400, 600, 400))

    def content_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    # -- tooltips: computed when asked, so edits never pay for them ---------------------
    def helpEvent(self, event) -> None:
        for item in self.items(event.scenePos()):
            if isinstance(item, PortItem):
                item = item.parentItem()
            if isinstance(item, WireLabel):
                item = item.wire
            if isinstance(item, NodeItem):
                text = item.tooltip()
            elif isinstance(item, WireItem):
                text = item.tooltip()
            else:
                continue
            QToolTip.showText(event.screenPos(), text)
            event.accept()
            return
        QToolTip.hideText()

    # -- background ----------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        colors = canvas_colors(self.dark)
        painter.fillRect(rect, colors.background)
        if self.exporting:
            return
        scale = painter.worldTransform().m11()
        if scale < 0.3:   # zoomed far out the grid is noise (and costs a line per pixel row)
            return
        step = 20 if scale > 0.6 else 100
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(colors.grid, 0))
        left = int(rect.left()) - int(rect.left()) % step
        top = int(rect.top()) - int(rect.top()) % step
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step

    @staticmethod
    def card_size() -> tuple[float, float]:
        return Theme.px(180), Theme.px(74)
