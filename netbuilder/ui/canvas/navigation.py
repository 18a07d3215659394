"""Looking around the canvas: zoom, pan, fit, where new things go, the locked banner, and
PNG/SVG export.

A mixin for ``EditorCanvas`` (a QGraphicsView): nothing here edits the document.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtSvg import QSvgGenerator

from ...graph import atomic
from ...graph.layout import best_wrap
from ..theme import Theme, canvas_colors
from .scene import LAYOUT_DX, LAYOUT_DY, GraphScene

MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
FIT_MARGIN = 40.0
PRESENT_ROW_DY = 200.0    # rows of a reflowed layout, closer than the examples' 280
WIRE_PORT_ROOM = 24.0     # the ports either side of a short wire, and a little air
LOCKED_TEXT = "Editing locked while training"


class NavigationMixin:
    """Zoom, pan, fit and export for a QGraphicsView showing a GraphScene."""

    # -- zoom ------------------------------------------------------------------------------
    def zoom_level(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom_level() * factor))
        f = target / self.zoom_level()
        if abs(f - 1.0) > 1e-9:
            self.scale(f, f)

    def zoom_in(self) -> None:
        self.zoom_by(1.2)

    def zoom_out(self) -> None:
        self.zoom_by(1 / 1.2)

    def home_zoom(self) -> float:
        """100%: larger in presentation mode so the class can read it."""
        return 1.25 if Theme.presentation else 1.0

    def zoom_reset(self) -> None:
        centre = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.scale(self.home_zoom(), self.home_zoom())
        self.centerOn(centre)

    def fit_all(self) -> None:
        """Show the whole graph, never magnified past 100% (150% when presenting).

        Presenting, text must stay readable on a projector, so the view never zooms out
        below ``Theme.readable_zoom()`` (card text 14 px, labels 12 px on screen): a layout
        in rows first wraps to as many cards a row as fit the view at that zoom, and what
        still does not fit is scrolled to, the view opening where the data enters."""
        if Theme.presentation:
            dx = self.present_dx()
            self.scene().set_reflow(self.cards_per_row(dx), dx, PRESENT_ROW_DY)
        else:
            self.scene().set_reflow(None)
        rect = self.scene().content_rect()
        if rect.isNull():
            self.zoom_reset()
            return
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        cap = 1.5 if Theme.presentation else 1.0
        floor = Theme.readable_zoom() if Theme.presentation else MIN_ZOOM
        if self.zoom_level() > cap:
            self.resetTransform()
            self.scale(cap, cap)
        elif self.zoom_level() < floor:
            self.resetTransform()
            self.scale(floor, floor)
            self._show_start(rect)
            return
        self.centerOn(rect.center())

    def present_dx(self) -> float:
        """Card to card, presenting: room for the longest shape on a wire between two cards
        at its full size (a narrow gap shrinks the label below what a projector shows)."""
        return max(LAYOUT_DX, self._widest_card() + self.scene().widest_wire_text()
                   + WIRE_PORT_ROOM)

    def _widest_card(self) -> float:
        """Cards may grow past the standard width for their text: the widest one counts."""
        widths = [item.card_rect().width() for item in self.scene().nodes.values()]
        return max([GraphScene.card_size()[0], *widths])

    def cards_per_row(self, dx: float = LAYOUT_DX) -> int:
        """How many cards ``dx`` apart fit across the view at the readable zoom."""
        zoom = Theme.readable_zoom()
        room = self.viewport().width() / zoom - 2 * FIT_MARGIN
        return max(1, int((room - self._widest_card()) // dx) + 1)

    def _show_start(self, rect: QRectF) -> None:
        """Zoomed in past the whole graph: show its top-left corner, where the data enters
        (centred along an axis where it fits)."""
        zoom = self.zoom_level()
        half_w = self.viewport().width() / zoom / 2
        half_h = self.viewport().height() / zoom / 2
        x = rect.center().x() if rect.width() <= 2 * half_w else rect.left() + half_w
        y = rect.center().y() if rect.height() <= 2 * half_h else rect.top() + half_h
        self.centerOn(QPointF(x, y))

    # -- placing things in view -------------------------------------------------------------
    def _visible_offset(self, payload: dict, offset: tuple[float, float]) -> tuple[float, float]:
        """Keep the pasted layers in view: move them to the visible centre if needed."""
        pts = [n.get("position") for n in payload.get("nodes", []) if n.get("position")]
        if not pts:
            return offset
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        w, h = GraphScene.card_size()
        box = QRectF(min(xs) + offset[0], min(ys) + offset[1],
                     max(xs) - min(xs) + w, max(ys) - min(ys) + h)
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if visible.intersects(box):
            return offset
        c = visible.center()
        return (offset[0] + c.x() - box.center().x(), offset[1] + c.y() - box.center().y())

    def _best_wrap(self) -> int | None:
        vw, vh = max(self.viewport().width(), 400), max(self.viewport().height(), 300)
        return best_wrap(self.doc.graph, vw, vh, LAYOUT_DX, LAYOUT_DY)

    # -- panning ---------------------------------------------------------------------------
    def _pan_start(self, pos: QPointF) -> None:
        self._pan_from = pos
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def _pan_move(self, pos: QPointF) -> None:
        delta = pos - self._pan_from
        self._pan_from = pos
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - round(delta.x()))
        v.setValue(v.value() - round(delta.y()))

    def _pan_end(self) -> None:
        self._pan_from = None
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor if self._space
                                  else Qt.CursorShape.ArrowCursor)

    # -- locked banner -----------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        if not self.is_locked():
            return
        colors = canvas_colors(self.scene().dark)
        painter.save()
        painter.resetTransform()
        vp = self.viewport().rect()
        veil = QColor(colors.background)
        veil.setAlphaF(0.45)
        painter.fillRect(vp, veil)
        font = QFont("DejaVu Sans")
        font.setPixelSize(Theme.px(15))
        font.setBold(True)
        painter.setFont(font)
        w = painter.fontMetrics().horizontalAdvance(LOCKED_TEXT) + Theme.px(48)
        h = painter.fontMetrics().height() + Theme.px(16)
        banner = QRect(vp.center().x() - w // 2, Theme.px(12), w, h)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colors.banner_text, 1.5))
        painter.setBrush(colors.banner)
        painter.drawRoundedRect(banner, h / 2, h / 2)
        # A small padlock drawn with lines, so no icon font is needed.
        lx, ly = banner.left() + Theme.px(16), banner.center().y()
        s = Theme.px(6)
        painter.setBrush(colors.banner_text)
        painter.drawRect(QRectF(lx - s, ly - s * 0.2, 2 * s, s * 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(lx - s * 0.7, ly - s * 1.3, s * 1.4, s * 2.2), 0, 180 * 16)
        painter.drawText(banner.adjusted(Theme.px(30), 0, -Theme.px(10), 0),
                         Qt.AlignmentFlag.AlignCenter, LOCKED_TEXT)
        painter.restore()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        if self.is_locked():  # the banner is fixed to the viewport: repaint, don't scroll it
            self.viewport().update()

    # -- export ------------------------------------------------------------------------------
    def _export_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.scene().items():
            if item.isVisible() and item.parentItem() is None:
                rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-30, -30, 30, 30) if not rect.isNull() else QRectF(0, 0, 200, 100)

    def _render_to(self, painter: QPainter, target: QRectF, source: QRectF) -> None:
        scene = self.scene()
        selected = scene.selectedItems()
        scene.clearSelection()
        scene.exporting = True
        try:
            scene.render(painter, target, source)
        finally:
            scene.exporting = False
            for item in selected:
                item.setSelected(True)

    def export_png(self, path: str | Path, scale: float = 2.0) -> Path:
        """Write the whole graph as a PNG (``scale`` pixels per scene pixel)."""
        source = self._export_rect()
        size = QSize(max(1, round(source.width() * scale)), max(1, round(source.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(canvas_colors(self.scene().dark).background)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._render_to(painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise OSError(f"could not write the image to {path}")
        return atomic.write_bytes(path, bytes(buffer.data()))

    def export_svg(self, path: str | Path) -> Path:
        """Write the whole graph as an SVG drawing (vector: it scales for slides and papers)."""
        source = self._export_rect()
        w, h = max(1, round(source.width())), max(1, round(source.height()))
        gen = QSvgGenerator()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        gen.setOutputDevice(buffer)
        gen.setSize(QSize(w, h))
        gen.setViewBox(QRect(0, 0, w, h))
        gen.setTitle(self.scene().doc.graph.name)
        gen.setDescription("Network drawn by netbuilder")
        painter = QPainter()
        if not painter.begin(gen):
            raise OSError(f"could not write the drawing to {path}")
        painter.fillRect(QRectF(0, 0, w, h), canvas_colors(self.scene().dark).background)
        self._render_to(painter, QRectF(0, 0, w, h), source)
        painter.end()
        if not buffer.data().size():
            raise OSError(f"could not write the drawing to {path}")
        return atomic.write_bytes(path, bytes(buffer.data()))
