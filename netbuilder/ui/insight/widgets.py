"""Small painted widgets of the sample view: the input picture (which can be drawn on),
the class probabilities, an activation strip, and a map to pick one output position from.

Painted rather than plotted: they must read on a projector at any size, scale their text
with the theme, and stay cheap to repaint while a student clicks through samples.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from .images import fmt, heat_image, sample_image, widget_font

ACCENT = QColor("#ff7f0e")     # orange: selection and "true" marks, distinct from viridis
PREDICTED = QColor("#1f77b4")  # blue bars
TRUE_MARK = QColor("#2ca02c")


class InputPicture(QWidget):
    """The sample as an image (nearest-neighbour, square pixels), an optional saliency
    overlay and a highlighted patch; in drawing mode the mouse paints on it."""

    drawn = Signal()               # the drawing changed (mouse released)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._raw: np.ndarray | None = None
        self._image: QImage | None = None
        self._overlay: QImage | None = None
        self._patch: QRectF | None = None     # in sample pixels
        self.drawing = False
        self.brush_max = 1.0
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(220, 220)

    def set_sample(self, raw: np.ndarray | None) -> None:
        self._raw = None if raw is None else np.array(raw, dtype=np.float64)
        self._image = None if raw is None else sample_image(self._raw)
        self.update()

    def raw(self) -> np.ndarray | None:
        return self._raw

    def set_overlay(self, saliency: np.ndarray | None) -> None:
        """Saliency (H, W) drawn over the picture, transparent where it is small."""
        if saliency is None:
            self._overlay = None
        else:
            s = np.asarray(saliency, dtype=np.float64)
            s = s / s.max() if s.max() > 0 else s
            rgba = np.zeros((*s.shape, 4), dtype=np.uint8)
            rgba[..., 0], rgba[..., 1], rgba[..., 2] = 255, 60, 0
            rgba[..., 3] = (s * 200).astype(np.uint8)
            rgba = np.ascontiguousarray(rgba)
            h, w = s.shape
            self._overlay = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        self.update()

    def set_patch(self, rect: QRectF | None) -> None:
        self._patch = rect
        self.update()

    def _target(self) -> QRectF:
        if self._image is None:
            return QRectF(self.rect())
        iw, ih = self._image.width(), self._image.height()
        side = min(self.width() / iw, self.height() / ih)
        return QRectF((self.width() - iw * side) / 2, (self.height() - ih * side) / 2,
                      iw * side, ih * side)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setFont(widget_font(9))
        if self._image is not None:
            target = self._target()
            p.drawImage(target, self._image)
            if self._overlay is not None:
                p.drawImage(target, self._overlay)
            if self._patch is not None:
                sx = target.width() / self._image.width()
                sy = target.height() / self._image.height()
                r = self._patch
                p.setPen(QPen(ACCENT, 3))
                p.drawRect(QRectF(target.left() + r.left() * sx, target.top() + r.top() * sy,
                                  r.width() * sx, r.height() * sy))
            if self.drawing:
                p.setPen(QPen(ACCENT, 2, Qt.PenStyle.DashLine))
                p.drawRect(target.adjusted(1, 1, -1, -1))
        elif self._raw is not None:
            _paint_strip(p, QRectF(self.rect()).adjusted(4, 4, -4, -4), self._raw.ravel(),
                         self.palette().windowText().color())
        p.end()

    # -- drawing a digit ------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if self.drawing:
            self._paint_at(QPointF(event.position()))
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self.drawing and event.buttons() & Qt.MouseButton.LeftButton:
            self._paint_at(QPointF(event.position()))

    def mouseReleaseEvent(self, event) -> None:
        if self.drawing:
            self.drawn.emit()
        else:
            super().mouseReleaseEvent(event)

    def _paint_at(self, pos: QPointF) -> None:
        if self._raw is None or self._image is None:
            return
        target = self._target()
        h, w = self._image.height(), self._image.width()
        col = (pos.x() - target.left()) / target.width() * w
        row = (pos.y() - target.top()) / target.height() * h
        grid = self._raw[0] if self._raw.ndim == 3 else self._raw
        yy, xx = np.mgrid[0:h, 0:w]
        dist2 = (yy + 0.5 - row) ** 2 + (xx + 0.5 - col) ** 2
        stroke = np.clip(1.3 - np.sqrt(dist2) / max(1.0, w / 8), 0, 1) * self.brush_max
        np.maximum(grid, stroke, out=grid)
        self._image = sample_image(self._raw)
        self.update()

    def clear_drawing(self) -> None:
        if self._raw is not None:
            self._raw[...] = 0
            self._image = sample_image(self._raw)
            self.update()


def _paint_strip(p: QPainter, rect: QRectF, values: np.ndarray, text: QColor,
                 labels: list[str] | None = None) -> None:
    """Values as vertical bars around a zero line, signed colours, the extremes written."""
    n = len(values)
    if n == 0:
        return
    high = float(np.abs(values).max()) or 1.0
    fh = p.fontMetrics().height()
    plot = rect.adjusted(0, fh, 0, -fh - (fh if labels else 0))
    zero = plot.center().y()
    bar = plot.width() / n
    for i, v in enumerate(values):
        h = float(v) / high * plot.height() / 2
        colour = PREDICTED if v >= 0 else ACCENT
        p.fillRect(QRectF(plot.left() + i * bar + bar * 0.1, min(zero, zero - h),
                          max(1.0, bar * 0.8), abs(h)), colour)
        if labels and bar > p.fontMetrics().horizontalAdvance("00"):
            p.setPen(text)
            p.drawText(QRectF(plot.left() + i * bar, plot.bottom() + 2, bar, fh),
                       Qt.AlignmentFlag.AlignCenter, labels[i])
    p.setPen(QPen(text, 1))
    p.drawLine(QPointF(plot.left(), zero), QPointF(plot.right(), zero))
    p.drawText(QRectF(rect.left(), rect.top(), rect.width(), fh), Qt.AlignmentFlag.AlignLeft,
               f"max |value| {fmt(high)}")


class ActivationStrip(QWidget):
    """A layer's activation vector as a bar strip (one bar per unit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values = np.zeros(0)
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_values(self, values: np.ndarray) -> None:
        self._values = np.asarray(values, dtype=np.float64).ravel()
        self.update()

    def values(self) -> np.ndarray:
        return self._values

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setFont(widget_font(9))
        n = len(self._values)
        labels = [str(i) for i in range(n)] if n <= 32 else None
        _paint_strip(p, QRectF(self.rect()).adjusted(6, 4, -6, -4), self._values,
                     self.palette().windowText().color(), labels)
        p.end()


class ProbabilityBars(QWidget):
    """The predicted probability of each class as a horizontal bar, the true class marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._probs = np.zeros(0)
        self._names: list[str] = []
        self._true: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_probabilities(self, probs: np.ndarray, names: list[str], true: int | None) -> None:
        self._probs = np.asarray(probs, dtype=np.float64).ravel()
        self._names = names
        self._true = true
        self.setMinimumHeight(self._row() * max(1, min(len(self._probs), 12)) + 8)
        self.updateGeometry()
        self.update()

    def _row(self) -> int:
        return int(self.fontMetrics().height() * 1.35) + 2

    def sizeHint(self) -> QSize:
        return QSize(240, self._row() * max(1, min(len(self._probs), 12)) + 8)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setFont(widget_font(10))
        fm = p.fontMetrics()
        text = self.palette().windowText().color()
        n = len(self._probs)
        if n == 0:
            p.end()
            return
        order = list(range(n)) if n <= 12 else list(np.argsort(-self._probs)[:12])
        row = min(self._row(), (self.height() - 4) / len(order))
        name_w = max(fm.horizontalAdvance(self._names[i]) for i in order) + 10
        pct_w = fm.horizontalAdvance("100.0%") + 8
        best = int(np.argmax(self._probs))
        for k, i in enumerate(order):
            y = 2 + k * row
            p.setPen(text)
            name_rect = QRectF(0, y, name_w - 6, row)
            p.drawText(name_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       self._names[i])
            width = max(0.0, self.width() - name_w - pct_w - 30)
            bar = QRectF(name_w, y + row * 0.15, width * float(self._probs[i]), row * 0.7)
            colour = PREDICTED if i == best else QColor(PREDICTED.red(), PREDICTED.green(),
                                                        PREDICTED.blue(), 110)
            p.fillRect(bar, colour)
            p.setPen(text)
            p.drawText(QRectF(name_w + width + 4, y, pct_w, row),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       f"{100 * float(self._probs[i]):.1f}%")
            if i == self._true:
                p.setPen(QPen(TRUE_MARK, 3))
                p.drawRect(QRectF(name_w - 3, y + 1, width + 6, row - 2))
                p.drawText(QRectF(name_w + width + 4 + pct_w, y, 40, row),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "true")
        p.end()


class PositionPicker(QWidget):
    """One feature map, large, with a grid: a click picks the output position to explain."""

    picked = Signal(int, int)      # row, column

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._map: np.ndarray | None = None
        self._image: QImage | None = None
        self._pos: tuple[int, int] | None = None
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_map(self, values: np.ndarray | None, low: float = 0, high: float = 1,
                pos: tuple[int, int] | None = None) -> None:
        self._map = values
        self._image = None if values is None else heat_image(values, low, high)
        self._pos = pos
        self.update()

    def _target(self) -> QRectF:
        assert self._image is not None
        iw, ih = self._image.width(), self._image.height()
        side = min(self.width() / iw, self.height() / ih)
        return QRectF((self.width() - iw * side) / 2, (self.height() - ih * side) / 2,
                      iw * side, ih * side)

    def point_of(self, row: int, col: int) -> QPointF:
        """The centre of cell (row, col) on screen (tests click there)."""
        t = self._target()
        h, w = self._map.shape
        return QPointF(t.left() + (col + 0.5) * t.width() / w, t.top() + (row + 0.5) * t.height() / h)

    def paintEvent(self, _event) -> None:
        if self._image is None:
            return
        p = QPainter(self)
        t = self._target()
        p.drawImage(t, self._image)
        h, w = self._map.shape
        if self._pos is not None:
            r, c = self._pos
            p.setPen(QPen(ACCENT, 3))
            p.drawRect(QRectF(t.left() + c * t.width() / w, t.top() + r * t.height() / h,
                              t.width() / w, t.height() / h))
        p.end()

    def mousePressEvent(self, event) -> None:
        if self._image is None:
            return
        t = self._target()
        pos = QPointF(event.position())
        if not t.contains(pos):
            return
        h, w = self._map.shape
        col = int((pos.x() - t.left()) / t.width() * w)
        row = int((pos.y() - t.top()) / t.height() * h)
        self._pos = (min(row, h - 1), min(col, w - 1))
        self.update()
        self.picked.emit(*self._pos)


def message_stack(owner: QWidget) -> tuple[QStackedWidget, QLabel]:
    """The frame every insight view has: a stack whose first page is a centred message (what
    to do to see the view: train, retrain this network, pick a 2-D dataset); the view adds
    its own page after it and switches between the two."""
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(6, 6, 6, 6)
    stack = QStackedWidget()
    outer.addWidget(stack)
    message = QLabel()
    message.setObjectName("insight_message")
    message.setAlignment(Qt.AlignmentFlag.AlignCenter)
    message.setWordWrap(True)
    stack.addWidget(message)
    return stack, message
