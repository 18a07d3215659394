"""Arrays to pictures: heatmaps with a colour map, samples as images, and a painted grid.

Everything the insight views draw as pixels goes through here, so a colour map, its scale
and the nearest-neighbour upscaling (a pixel of an 8x8 digit stays a square) are the same in
every view. Colour maps come from pyqtgraph (viridis: ordered and colour-blind safe;
a diverging map for signed values).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..theme import Theme

_LUTS: dict[str, np.ndarray] = {}


def lut(name: str = "viridis") -> np.ndarray:
    """(256, 3) uint8 colours of a named colour map."""
    table = _LUTS.get(name)
    if table is None:
        cmap = pg.colormap.get("CET-D1" if name == "diverging" else name)
        table = _LUTS[name] = cmap.getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.uint8)
    return table


def heat_image(values: np.ndarray, low: float, high: float, cmap: str = "viridis") -> QImage:
    """A 2-D array as a colour image, scaled from ``low`` (first colour) to ``high`` (last)."""
    v = np.asarray(values, dtype=np.float64)
    span = high - low if high > low else 1.0
    idx = np.clip(((v - low) / span * 255).round(), 0, 255).astype(np.uint8)
    rgb = np.ascontiguousarray(lut(cmap)[idx])
    return _rgb_image(rgb)


def _rgb_image(rgb: np.ndarray) -> QImage:
    h, w = rgb.shape[:2]
    data = np.ascontiguousarray(rgb, dtype=np.uint8)
    image = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return image.copy()            # own the pixels: the array goes away


def sample_image(raw: np.ndarray) -> QImage | None:
    """A sample as people see it: greyscale (1xHxW or HxW), colour (3xHxW); else None."""
    a = np.asarray(raw, dtype=np.float64)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 2:
        low, high = float(a.min()), float(a.max())
        g = ((a - low) / (high - low if high > low else 1.0) * 255).round().astype(np.uint8)
        return _rgb_image(np.stack([g, g, g], axis=-1))
    if a.ndim == 3 and a.shape[0] == 3:
        low, high = float(a.min()), float(a.max())
        rgb = ((a - low) / (high - low if high > low else 1.0) * 255).round().astype(np.uint8)
        return _rgb_image(np.transpose(rgb, (1, 2, 0)))
    return None


def draw_colour_bar(p: QPainter, rect: QRectF, low: float, high: float, cmap: str,
                    label: str = "") -> None:
    """A horizontal colour bar with its end values (and a label) under it."""
    grad = QLinearGradient(rect.topLeft(), rect.topRight())
    table = lut(cmap)
    for i in range(0, 256, 32):
        c = table[i]
        grad.setColorAt(i / 255, QColor(int(c[0]), int(c[1]), int(c[2])))
    c = table[255]
    grad.setColorAt(1.0, QColor(int(c[0]), int(c[1]), int(c[2])))
    p.fillRect(rect, grad)
    p.setPen(QPen(p.pen().color(), 1))
    p.drawRect(rect)
    text_rect = QRectF(rect.left(), rect.bottom() + 2, rect.width(), p.fontMetrics().height() + 2)
    p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft, fmt(low))
    p.drawText(text_rect, Qt.AlignmentFlag.AlignRight, fmt(high))
    if label:
        p.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, label)


def fmt(value: float) -> str:
    """A number short enough for a label: 3 significant digits."""
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.2e}"
    return f"{value:.3g}"


def widget_font(base: float = 10.0, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(Theme.widget_point_size(base))
    f.setBold(bold)
    return f


class MapGrid(QWidget):
    """Heatmaps in a grid with one shared, labelled colour scale; a click picks one.

    ``set_maps(maps, titles, low, high)`` with ``maps`` a list of 2-D arrays (or QImages
    for pictures that carry their own colours, such as RGB filters).
    """

    clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images: list[QImage] = []
        self._titles: list[str] = []
        self._scale: tuple[float, float, str, str] | None = None
        self._selected: int | None = None
        self._cells: list[QRectF] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def set_maps(self, maps, titles: list[str], low: float | None = None,
                 high: float | None = None, cmap: str = "viridis", label: str = "") -> None:
        images = []
        for m in maps:
            images.append(m if isinstance(m, QImage) else heat_image(m, low, high, cmap))
        self._images, self._titles = images, titles
        self._scale = (low, high, cmap, label) if low is not None and high is not None else None
        if self._selected is not None and self._selected >= len(images):
            self._selected = None
        self.update()

    def set_selected(self, index: int | None) -> None:
        self._selected = index
        self.update()

    @property
    def count(self) -> int:
        return len(self._images)

    def sizeHint(self) -> QSize:
        return QSize(420, 320)

    def _layout(self) -> tuple[int, float, float]:
        n = max(1, len(self._images))
        w, h = self.width(), self.height() - (self._bar_height() if self._scale else 0)
        best = (1, 1.0)
        for cols in range(1, n + 1):
            rows = -(-n // cols)
            cell = min(w / cols, h / rows)
            if cell > best[1]:
                best = (cols, cell)
        cols, cell = best
        return cols, cell, self.fontMetrics().height()

    def _bar_height(self) -> int:
        return 14 + 2 * self.fontMetrics().height()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setFont(widget_font(9))
        text = self.palette().windowText().color()
        if not self._images:
            p.end()
            return
        cols, cell, fh = self._layout()
        self._cells = []
        pad = 4
        for i, image in enumerate(self._images):
            r, c = divmod(i, cols)
            box = QRectF(c * cell, r * cell, cell, cell)
            title_h = fh if cell > 3 * fh else 0
            side = max(1.0, min(box.width() - 2 * pad, box.height() - 2 * pad - title_h))
            aspect = image.width() / max(1, image.height())
            iw, ih = (side, side / aspect) if aspect >= 1 else (side * aspect, side)
            target = QRectF(box.center().x() - iw / 2, box.top() + pad + title_h, iw, ih)
            p.drawImage(target, image)
            self._cells.append(target)
            if title_h and i < len(self._titles):
                p.setPen(text)
                p.drawText(QRectF(box.left(), box.top(), box.width(), title_h + pad),
                           Qt.AlignmentFlag.AlignCenter, self._titles[i])
            if i == self._selected:
                p.setPen(QPen(QColor("#ff7f0e"), 3))
                p.drawRect(target.adjusted(-2, -2, 2, 2))
        if self._scale:
            low, high, cmap, label = self._scale
            p.setPen(text)
            rows = -(-len(self._images) // cols)
            top = min(self.height() - self._bar_height(), rows * cell) + 6
            width = min(self.width() - 20, 320)
            draw_colour_bar(p, QRectF((self.width() - width) / 2, top, width, 12),
                            low, high, cmap, label)
        p.end()

    def mousePressEvent(self, event) -> None:
        pos = QPointF(event.position())
        for i, rect in enumerate(self._cells):
            if rect.adjusted(-3, -3, 3, 3).contains(pos):
                self._selected = i
                self.update()
                self.clicked.emit(i)
                return
        super().mousePressEvent(event)

    def cell_rect(self, index: int) -> QRectF:
        """Where map ``index`` was last painted (for tests and tooltips)."""
        return self._cells[index]
