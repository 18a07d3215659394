"""Small pictures of samples for galleries and tooltips: the image itself, or a bar strip.

Images (greyscale 1xHxW or HxW, colour 3xHxW) are scaled up without smoothing, so a pixel
of an 8x8 digit stays a square. Anything else (tabular rows, 1-D signals, token ids) becomes
a strip of bars around a zero line, blue above and orange below, so its shape reads at a
glance without relying on colour alone (the bars' direction says the sign).
"""

from __future__ import annotations

import base64

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from .images import sample_image

POSITIVE = QColor("#1f77b4")
NEGATIVE = QColor("#ff7f0e")
MAX_BARS = 64


def is_image(sample_shape: tuple[int, ...]) -> bool:
    """Whether samples of this shape are shown as pictures."""
    s = tuple(sample_shape)
    return len(s) == 2 or (len(s) == 3 and s[0] in (1, 3))


def thumbnail(sample: np.ndarray, size: int, background: QColor | None = None,
              line: QColor | None = None) -> QPixmap:
    """A ``size`` x ``size`` picture of one sample."""
    a = np.asarray(sample, dtype=np.float64)
    image = sample_image(a) if is_image(a.shape) else None
    pixmap = QPixmap(size, size)
    pixmap.fill(background if background is not None else QColor(0, 0, 0, 0))
    p = QPainter(pixmap)
    if image is not None:
        side = size / max(image.width(), image.height())
        w, h = image.width() * side, image.height() * side
        p.drawImage(QRectF((size - w) / 2, (size - h) / 2, w, h), image)
    else:
        _bars(p, QRectF(2, 2, size - 4, size - 4), a.ravel(), line or QColor("#64748b"))
    p.end()
    return pixmap


def _bars(p: QPainter, rect: QRectF, values: np.ndarray, line: QColor) -> None:
    values = values[:MAX_BARS]
    n = len(values)
    if n == 0:
        return
    finite = np.where(np.isfinite(values), values, 0.0)
    high = float(np.abs(finite).max()) or 1.0
    zero = rect.center().y()
    bar = rect.width() / n
    for i, v in enumerate(finite):
        h = float(v) / high * rect.height() / 2
        p.fillRect(QRectF(rect.left() + i * bar + bar * 0.12, min(zero, zero - h),
                          max(1.0, bar * 0.76), max(1.0, abs(h))),
                   POSITIVE if v >= 0 else NEGATIVE)
    p.setPen(line)
    p.drawLine(rect.left(), zero, rect.right(), zero)


def png_data_uri(pixmap: QPixmap | QImage) -> str:
    """``data:image/png;base64,...`` for an ``<img>`` in rich text (tooltips)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    pixmap.save(buffer, "PNG")
    buffer.close()
    return "data:image/png;base64," + base64.b64encode(bytes(data)).decode("ascii")


def scaled(pixmap: QPixmap, size: int) -> QPixmap:
    return pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                         Qt.TransformationMode.FastTransformation)
