"""Toolbar icons drawn with QPainter in the palette's text colour, so they read in light and
dark themes alike (Qt's standard pixmaps are black on every background) and stay crisp at
any device pixel ratio. Each icon is a few strokes on a 24x24 grid.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

Draw = Callable[[QPainter], None]
ACCENT = {"play": ("#15803d", "#4ade80"), "delete": ("#b91c1c", "#f87171")}


def _page(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(6, 3)
    path.lineTo(14, 3)
    path.lineTo(19, 8)
    path.lineTo(19, 21)
    path.lineTo(6, 21)
    path.closeSubpath()
    p.drawPath(path)
    p.drawPolyline([QPointF(14, 3), QPointF(14, 8), QPointF(19, 8)])


def _folder(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(3, 6)
    path.lineTo(9, 6)
    path.lineTo(11, 8)
    path.lineTo(21, 8)
    path.lineTo(21, 19)
    path.lineTo(3, 19)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(3, 11), QPointF(21, 11))


def _disk(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(4, 4)
    path.lineTo(17, 4)
    path.lineTo(20, 7)
    path.lineTo(20, 20)
    path.lineTo(4, 20)
    path.closeSubpath()
    p.drawPath(path)
    p.drawRect(QRectF(8, 4, 8, 5))
    p.drawRect(QRectF(7, 13, 10, 7))


def _arrow_turn(p: QPainter, mirror: bool) -> None:
    p.save()
    if mirror:
        p.translate(24, 0)
        p.scale(-1, 1)
    path = QPainterPath()
    path.moveTo(8, 8)
    path.lineTo(15, 8)
    path.cubicTo(22, 8, 22, 19, 15, 19)
    path.lineTo(9, 19)
    p.drawPath(path)
    p.drawPolyline([QPointF(11, 4), QPointF(7, 8), QPointF(11, 12)])
    p.restore()


def _cross(p: QPainter) -> None:
    p.drawLine(QPointF(6, 6), QPointF(18, 18))
    p.drawLine(QPointF(18, 6), QPointF(6, 18))


def _fit(p: QPainter) -> None:
    for x, y, dx, dy in ((4, 4, 1, 1), (20, 4, -1, 1), (4, 20, 1, -1), (20, 20, -1, -1)):
        p.drawPolyline([QPointF(x, y + 5 * dy), QPointF(x, y), QPointF(x + 5 * dx, y)])
    p.drawRect(QRectF(9, 9, 6, 6))


def _layout(p: QPainter) -> None:
    for x, y in ((3, 5), (3, 14), (15, 9.5)):
        p.drawRect(QRectF(x, y, 6, 5))
    p.drawPolyline([QPointF(9, 7.5), QPointF(12, 7.5), QPointF(12, 12), QPointF(15, 12)])
    p.drawPolyline([QPointF(9, 16.5), QPointF(12, 16.5), QPointF(12, 12)])


def _play(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(7, 4)
    path.lineTo(20, 12)
    path.lineTo(7, 20)
    path.closeSubpath()
    p.fillPath(path, p.pen().color())


def _screen(p: QPainter) -> None:
    p.drawRect(QRectF(3, 4, 18, 12))
    p.drawLine(QPointF(12, 16), QPointF(12, 20))
    p.drawLine(QPointF(8, 20), QPointF(16, 20))


def _export(p: QPainter) -> None:
    p.drawPolyline([QPointF(10, 5), QPointF(4, 5), QPointF(4, 20), QPointF(19, 20),
                    QPointF(19, 14)])
    p.drawLine(QPointF(10, 14), QPointF(20, 4))
    p.drawPolyline([QPointF(14, 4), QPointF(20, 4), QPointF(20, 10)])


SHAPES: dict[str, Draw] = {
    "new": _page, "open": _folder, "save": _disk,
    "undo": lambda p: _arrow_turn(p, False), "redo": lambda p: _arrow_turn(p, True),
    "delete": _cross, "fit": _fit, "layout": _layout, "play": _play,
    "present": _screen, "export": _export,
}


def _pixmap(draw: Draw, colour: QColor, size: int, ratio: float) -> QPixmap:
    pm = QPixmap(round(size * ratio), round(size * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 24, size / 24)
    pen = QPen(colour, 1.8)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    draw(p)
    p.end()
    return pm


def make_icon(name: str, dark: bool, palette: QPalette | None = None) -> QIcon:
    palette = palette or QApplication.palette()
    normal = QColor(ACCENT[name][1 if dark else 0]) if name in ACCENT else \
        palette.color(QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    icon = QIcon()
    ratio = max(2.0, QApplication.instance().devicePixelRatio()) if QApplication.instance() \
        else 2.0
    for size in (16, 24, 32):
        icon.addPixmap(_pixmap(SHAPES[name], normal, size, ratio), QIcon.Mode.Normal)
        icon.addPixmap(_pixmap(SHAPES[name], disabled, size, ratio), QIcon.Mode.Disabled)
    return icon
