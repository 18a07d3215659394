"""``FixButton``: the "Fix" pill under a card whose problem netbuilder can fix.

It sits under the problem's words, as a button reads: a filled, outlined pill with the word
"Fix" (and "▾" when a menu of several fixes opens). It only draws; the canvas sees a press
on it and offers the fixes (``EditorCanvas.fix_node``).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ..theme import Theme, error_color, warning_color


class FixButton(QGraphicsItem):
    def __init__(self, node_id: str, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.node_id = node_id
        self.count = 0
        self.kind = "error"
        self.dark = False
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setZValue(3)
        self._rect = QRectF()

    def set_state(self, count: int, kind: str, dark: bool) -> None:
        self.prepareGeometryChange()
        self.count, self.kind, self.dark = count, kind, dark
        font = Theme.font("body")      # a button to hit and to read from the back row
        font.setBold(True)
        self._font = font
        fm = QFontMetricsF(font)
        h = fm.height() + Theme.px(8)
        self._rect = QRectF(0, 0, fm.horizontalAdvance(self.text()) + Theme.px(22), h)
        self.setToolTip("Fix this problem (one undo step)" if count == 1 else
                        f"{count} ways to fix this problem: choose one")
        self.update()

    def text(self) -> str:
        return "Fix" if self.count == 1 else f"Fix ({self.count}) ▾"

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        color = error_color(self.dark) if self.kind in ("error", "incomplete") \
            else warning_color(self.dark)
        fill = QColor(color)
        fill.setAlphaF(0.16)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, Theme.line(1.5)))
        painter.setBrush(fill)
        r = self._rect.height() / 2
        painter.drawRoundedRect(self._rect, r, r)
        painter.setFont(self._font)
        painter.setPen(color.darker(130) if not self.dark else color.lighter(120))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text())
