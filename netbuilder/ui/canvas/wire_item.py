"""``WireItem``: a wire between two ports, a smooth cubic curve with its tensor shape written
at the middle (``WireLabel``, drawn above everything); ``DragWire``: the
curve that follows the mouse while a new wire is drawn.

A wire stores its ``Edge`` (plain, frozen data) and asks the scene for its end points.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from ...graph.model import Edge
from ..theme import Theme, canvas_colors, selected_color


def goes_back(p0: QPointF, p1: QPointF) -> bool:
    """Whether a wire from p0 to p1 takes the 'carriage return' route (back to the left)."""
    return p1.x() < p0.x() + 30 and abs(p1.y() - p0.y()) > 20


def curve(p0: QPointF, p1: QPointF, lane: int = 0, run_y: float | None = None) -> QPainterPath:
    """A horizontal S-curve from an output (p0) to an input (p1); a wire that goes back to
    the left (the next row of a wrapped chain) takes a rounded 'carriage return' route
    through the gap between the rows instead of cutting across the cards. Its run to the
    left is half-way between the ends, or at ``run_y`` (the scene picks a height that
    crosses no card when half-way would, as for a skip wire that drops two rows)."""
    if goes_back(p0, p1):
        return _return_route(p0, p1, lane, run_y)
    if p1.x() - p0.x() > 320 and abs(p1.y() - p0.y()) < 60:
        return _under_route(p0, p1, lane)   # a skip connection: pass under the cards between
    dx = max(abs(p1.x() - p0.x()) * 0.5, 50.0)
    path = QPainterPath(p0)
    path.cubicTo(QPointF(p0.x() + dx, p0.y()), QPointF(p1.x() - dx, p1.y()), p1)
    return path


def _under_route(p0: QPointF, p1: QPointF, lane: int) -> QPainterPath:
    r = 12.0
    low = max(p0.y(), p1.y()) + 52 + lane * 8   # below the cards, above their neighbours
    path = QPainterPath(p0)
    path.lineTo(p0.x() + r, p0.y())
    path.quadTo(QPointF(p0.x() + 2 * r, p0.y()), QPointF(p0.x() + 2 * r, p0.y() + r))
    path.lineTo(p0.x() + 2 * r, low - r)
    path.quadTo(QPointF(p0.x() + 2 * r, low), QPointF(p0.x() + 3 * r, low))
    path.lineTo(p1.x() - 3 * r, low)
    path.quadTo(QPointF(p1.x() - 2 * r, low), QPointF(p1.x() - 2 * r, low - r))
    path.lineTo(p1.x() - 2 * r, p1.y() + r)
    path.quadTo(QPointF(p1.x() - 2 * r, p1.y()), QPointF(p1.x() - r, p1.y()))
    path.lineTo(p1)
    return path


def _return_route(p0: QPointF, p1: QPointF, lane: int, run_y: float | None = None) -> QPainterPath:
    # ``lane`` shifts the route a little so two wires going back do not merge into one line.
    r = 14.0
    out, into = p0.x() + 2 * r + lane * 6, p1.x() - 2 * r - lane * 6
    mid = (p0.y() + p1.y()) / 2 + lane * 12 if run_y is None else run_y + lane * 5
    down = 1.0 if mid > p0.y() else -1.0
    up_in = 1.0 if p1.y() > mid else -1.0
    path = QPainterPath(p0)
    path.lineTo(out - r, p0.y())
    path.quadTo(QPointF(out, p0.y()), QPointF(out, p0.y() + r * down))
    path.lineTo(out, mid - r * down)
    path.quadTo(QPointF(out, mid), QPointF(out - r, mid))
    path.lineTo(into + r, mid)
    path.quadTo(QPointF(into, mid), QPointF(into, mid + r * up_in))
    path.lineTo(into, p1.y() - r * up_in)
    path.quadTo(QPointF(into, p1.y()), QPointF(into + r, p1.y()))
    path.lineTo(p1)
    return path


class WireItem(QGraphicsItem):
    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.text = "?"
        self.dark = False
        self._path = QPainterPath()
        self._shape = QPainterPath()
        self._bounds = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.label = WireLabel(self)

    def set_ends(self, p0: QPointF, p1: QPointF, run_y: float | None = None) -> None:
        self.prepareGeometryChange()
        lane = (round(p0.x() / 10) + round(p1.y() / 10) + self.edge.target_port) % 3 - 1
        self._path = curve(p0, p1, lane, run_y)
        stroker = QPainterPathStroker()
        stroker.setWidth(14)
        self._shape = stroker.createStroke(self._path)
        w = Theme.line(4.0) + 2
        self._bounds = self._path.boundingRect().adjusted(-w, -w, w, w)
        # A short straight wire leaves little room between the ports: the label shrinks to fit.
        straight = p1.x() > p0.x() and abs(p1.y() - p0.y()) < 30 and p1.x() - p0.x() < 320
        self.label.room = (p1.x() - p0.x() - 2 * (Theme.px(5.5) + 3)) if straight else None
        self.label.place(self._path.pointAtPercent(0.5))

    def route(self) -> QPainterPath:
        """The wire's centre line, in item coordinates (a copy)."""
        return QPainterPath(self._path)

    def set_text(self, text: str) -> bool:
        if text == self.text:
            return False
        self.text = text
        self.label.refresh()
        self.update()
        return True

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self.label.refresh()
        self.update()

    def tooltip(self) -> str:
        e = self.edge
        port = f" (input {e.target_port})" if e.target_port else ""
        return f"{e.source} → {e.target}{port}: {self.text}"

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def pen(self) -> QPen:
        if self.isSelected():
            pen = QPen(selected_color(self.dark), Theme.line(3.5))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            return pen
        return Theme.wire_pen(self.dark, known=self.text != "?")

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setPen(self.pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.label.refresh()
        return super().itemChange(change, value)


_SMALLER: dict[tuple[int, bool], tuple[QFont, QFontMetricsF]] = {}


def _fitting_font(text: str, room: float | None) -> tuple[QFont, QFontMetricsF]:
    """The wire font, or a smaller one (down to 8.5 px) when ``room`` is too narrow."""
    base, fm = Theme.wire_font(), Theme.metrics("wire")
    if room is None:
        return base, fm
    need = fm.horizontalAdvance(text) + Theme.px(7)
    if need <= room:
        return base, fm
    size = max(8.5, base.pixelSize() * (room - Theme.px(7)) / (need - Theme.px(7)))
    key = (int(size * 2), Theme.presentation)
    if key not in _SMALLER:
        font = QFont(base)
        font.setPixelSize(max(1, round(size)))
        _SMALLER[key] = (font, QFontMetricsF(font))
    return _SMALLER[key]


class WireLabel(QGraphicsItem):
    """The shape pill at the middle of a wire; clicking it selects the wire."""

    def __init__(self, wire: WireItem) -> None:
        super().__init__()
        self.wire = wire
        self.setZValue(3)   # above the cards: a shape is never hidden (ports stay clickable)
        self._rect = QRectF()
        self.room: float | None = None   # width between the ports of a short straight wire
        self.font = Theme.wire_font()
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def place(self, centre: QPointF) -> None:
        self.setPos(centre)
        self.refresh()

    def refresh(self) -> None:
        self.font, fm = _fitting_font(self.wire.text, self.room)
        w = fm.horizontalAdvance(self.wire.text) + Theme.px(7)
        h = Theme.metrics("wire").height() + Theme.px(2)
        rect = QRectF(-w / 2, -h / 2, w, h)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) < 0.4:
            return  # unreadable at this zoom: the wire alone says enough
        wire = self.wire
        colors = canvas_colors(wire.dark)
        edge_color = selected_color(wire.dark) if wire.isSelected() else colors.wire
        painter.setPen(QPen(edge_color, Theme.line(1.2)))
        painter.setBrush(QBrush(colors.label_bg))
        r = self._rect.height() / 2
        painter.drawRoundedRect(self._rect, r, r)
        painter.setFont(self.font)
        painter.setPen(colors.text if wire.text != "?" else colors.muted)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, wire.text)

    def mousePressEvent(self, event) -> None:
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.scene().clearSelection()
            self.wire.setSelected(True)
            event.accept()
            return
        super().mousePressEvent(event)


class DragWire(QGraphicsPathItem):
    """The wire being drawn; solid when over a port that accepts it, dashed otherwise."""

    def __init__(self, anchor: QPointF, from_output: bool, dark: bool) -> None:
        super().__init__()
        self.anchor = anchor
        self.from_output = from_output
        self.dark = dark
        self.setZValue(4)
        self.follow(anchor, False)

    def follow(self, pos: QPointF, accepted: bool) -> None:
        p0, p1 = (self.anchor, pos) if self.from_output else (pos, self.anchor)
        self.setPath(curve(p0, p1))
        color = canvas_colors(self.dark).ok_port if accepted else QColor(canvas_colors(self.dark).wire)
        pen = QPen(color, Theme.line(2.5))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if not accepted:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
