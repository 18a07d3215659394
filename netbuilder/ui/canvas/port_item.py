"""``PortItem``: an input (left) or output (right) connector of a node card.

A port is a child of its ``NodeItem`` and knows only its node's id, its side and its index:
plain data a wire drag turns into a ``Connect`` command. While a wire is being dragged each
port shows whether it would accept it (``set_hint``): compatible ports grow and turn green,
refused ones fade, so the state reads by size and opacity as well as by colour.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ..theme import Theme, canvas_colors

IN, OUT = "in", "out"
HINT_NONE, HINT_OK, HINT_REFUSED = "", "ok", "refused"


class PortItem(QGraphicsItem):
    HIT_RADIUS = 12.0

    def __init__(self, node_id: str, side: str, index: int, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.node_id = node_id
        self.side = side
        self.index = index
        self.connected = False
        self.hint = HINT_NONE
        self.dark = False
        self.setAcceptHoverEvents(True)
        self._hover = False
        self.setZValue(2)
        self.setCursor(Qt.CursorShape.CrossCursor)

    @property
    def is_input(self) -> bool:
        return self.side == IN

    def radius(self) -> float:
        r = Theme.px(5.5)
        if self.hint == HINT_OK or self._hover:
            r *= 1.45
        return r

    _BOUNDS = QRectF(-HIT_RADIUS, -HIT_RADIUS, 2 * HIT_RADIUS, 2 * HIT_RADIUS)

    def boundingRect(self) -> QRectF:
        return self._BOUNDS

    def set_state(self, connected: bool, dark: bool) -> None:
        if (connected, dark) != (self.connected, self.dark):
            self.connected, self.dark = connected, dark
            self.update()

    def set_hint(self, hint: str) -> None:
        if hint != self.hint:
            self.hint = hint
            self.setOpacity(0.25 if hint == HINT_REFUSED else 1.0)
            self.update()

    def hoverEnterEvent(self, event) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hover = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        if QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) < 0.3 \
                and self.hint == HINT_NONE:
            return
        colors = canvas_colors(self.dark)
        parent = self.parentItem()
        if self.hint == HINT_NONE and getattr(parent, "view", None) is not None \
                and parent.view.status == "blocked":
            painter.setOpacity(0.45)
        r = self.radius()
        if self.hint == HINT_OK:
            ring = QPen(colors.ok_port, Theme.line(2.0))
            painter.setPen(ring)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), r + Theme.line(3.0), r + Theme.line(3.0))
            fill = colors.ok_port
        elif self.connected:
            fill = colors.wire
        else:
            fill = colors.port
        painter.setPen(QPen(colors.port_edge, Theme.line(1.5)))
        painter.setBrush(QBrush(fill))
        painter.drawEllipse(QPointF(0, 0), r, r)
