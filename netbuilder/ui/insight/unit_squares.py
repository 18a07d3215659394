"""TensorFlow Playground's small squares: each hidden unit's own output over the plane.

One row per hidden layer (its name and unit count on the left), one square per unit; each
square is that unit's output at every point of the decision boundary's window, blue where it
is positive, orange where negative, pale near zero, scaled per unit (a unit's picture shows
where it switches, whatever its size). Painted: the squares stay cheap to redraw live.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..theme import Theme
from .images import widget_font

POSITIVE = "#0072B2"      # Okabe-Ito blue and orange, as the class colours
NEGATIVE = "#E69F00"
GAP = 4


UNIT_PIXELS = 48           # a square is drawn at most about this size: finer grids are thinned


def _ramp(base: tuple[int, int, int]) -> np.ndarray:
    """(511, 3) uint8: orange at -1 through ``base`` at 0 to blue at +1."""
    t = np.linspace(-1, 1, 511, dtype=np.float32)[:, None]
    base_rgb = np.asarray(base, dtype=np.float32)
    pos = np.asarray(QColor(POSITIVE).getRgb()[:3], dtype=np.float32)
    neg = np.asarray(QColor(NEGATIVE).getRgb()[:3], dtype=np.float32)
    return (base_rgb + (np.where(t >= 0, pos, neg) - base_rgb) * np.abs(t)).astype(np.uint8)


def unit_colours(units: np.ndarray, base: tuple[int, int, int]) -> np.ndarray:
    """(units, res, res) outputs (row 0 the bottom of the plane) as (units, h, w, 3) uint8
    pictures in screen order; pure numpy, so a worker thread can make them. A colour ramp
    looked up once per pixel: few array operations, so little time holding the GIL that a
    training thread needs."""
    step = max(1, units.shape[-1] // UNIT_PIXELS)
    v = np.asarray(units[:, ::-step, ::step], dtype=np.float32)      # screen rows go down
    if not len(v):
        return np.zeros((0, *v.shape[1:], 3), dtype=np.uint8)
    high = np.abs(v).max(axis=(1, 2))
    scale = 255 / np.where(high > 0, high, 1)
    index = (v * scale[:, None, None]).astype(np.int16)
    index += 255                                                      # -1..1 -> 0..510
    return _ramp(tuple(base))[index]


def rgb_image(rgb: np.ndarray) -> QImage:
    """An (h, w, 3) uint8 array as a QImage (copied: the array may go)."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class UnitSquares(QWidget):
    """Rows of small squares, one row per hidden layer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unit_squares")
        self._rows: list[tuple[str, list[QImage]]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_layers(self, layers: list[tuple[str, np.ndarray]]) -> None:
        """``(title, (units, h, w, 3) uint8 pictures from unit_colours)`` per hidden layer."""
        shape = [(t, len(p)) for t, p in self._rows]
        self._rows = [(title, [rgb_image(u) for u in pictures]) for title, pictures in layers]
        if shape != [(t, len(p)) for t, p in self._rows]:
            self.setFixedHeight(self._height())
            self.updateGeometry()
        self.update()

    def layer_count(self) -> int:
        return len(self._rows)

    def square_count(self) -> int:
        return sum(len(images) for _, images in self._rows)

    def side(self) -> int:
        return 56 if Theme.presentation else 44

    def _title_width(self) -> int:
        p_font = widget_font(9)
        from PySide6.QtGui import QFontMetrics

        fm = QFontMetrics(p_font)
        return max([fm.horizontalAdvance(t) for t, _ in self._rows] + [0]) + 10

    def _height(self) -> int:
        return len(self._rows) * (self.side() + GAP) + GAP if self._rows else 0

    def sizeHint(self) -> QSize:
        most = max([len(images) for _, images in self._rows] + [0])
        return QSize(self._title_width() + most * (self.side() + GAP), self._height())

    def paintEvent(self, _event) -> None:
        if not self._rows:
            return
        p = QPainter(self)
        p.setFont(widget_font(9))
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        frame = QPen(pal.color(QPalette.ColorRole.Mid), 1)
        title_w = self._title_width()
        most = max(len(images) for _, images in self._rows)
        side = min(self.side(), max(8, int((self.width() - title_w) / max(1, most)) - GAP))
        for r, (title, images) in enumerate(self._rows):
            y = GAP + r * (self.side() + GAP)
            p.setPen(text)
            p.drawText(QRectF(0, y, title_w - 8, side),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, title)
            for k, image in enumerate(images):
                target = QRectF(title_w + k * (side + GAP), y, side, side)
                p.drawImage(target, image)
                p.setPen(frame)
                p.drawRect(target)
        p.end()
