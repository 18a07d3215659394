"""The sample view's pictures for tasks whose answer is itself a picture.

Reconstruction (autoencoders): the input (and the noisy copy the network was fed, when it
denoises) beside the network's reconstruction, on one grey scale. Segmentation: the input,
the true mask and the predicted mask side by side, one colour per class, with a legend.
Class colours are the Okabe-Ito palette (told apart by colour-blind students too), the
background a dark grey.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from .images import _rgb_image, widget_font

BACKGROUND = (60, 60, 60)
PALETTE = [(230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
           (213, 94, 0), (204, 121, 167), (255, 255, 255)]


def class_colours(count: int) -> np.ndarray:
    """(count, 3) uint8 colours: class 0 (the background) dark grey, the rest distinct."""
    colours = [BACKGROUND] + [PALETTE[i % len(PALETTE)] for i in range(max(0, count - 1))]
    return np.array(colours[:max(1, count)], dtype=np.uint8)


def mask_image(mask: np.ndarray, classes: int) -> QImage:
    """A 2-D array of class ids as a colour image, one colour per class."""
    ids = np.clip(np.asarray(mask, dtype=np.int64), 0, max(0, classes - 1))
    return _rgb_image(class_colours(classes)[ids])


def grey_image(values: np.ndarray, low: float, high: float) -> QImage:
    """A sample as a grey picture on a given scale (so input and reconstruction compare)."""
    a = np.asarray(values, dtype=np.float64)
    span = high - low if high > low else 1.0
    if a.ndim == 3 and a.shape[0] == 3:                      # colour: each on the same scale
        rgb = np.clip((a - low) / span * 255, 0, 255).round().astype(np.uint8)
        return _rgb_image(np.transpose(rgb, (1, 2, 0)))
    if a.ndim == 3:
        a = a.mean(axis=0)
    if a.ndim != 2:
        a = a.reshape(1, -1)                                 # a vector: one row of cells
    g = np.clip((a - low) / span * 255, 0, 255).round().astype(np.uint8)
    return _rgb_image(np.stack([g, g, g], axis=-1))


class TaskPictures(QWidget):
    """Pictures side by side, each with its title, and an optional legend of class colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("task_pictures")
        self._images: list[QImage] = []
        self._titles: list[str] = []
        self._legend: list[tuple[str, QColor]] = []
        self.setMinimumSize(200, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(360, 180)

    @property
    def titles(self) -> list[str]:
        return list(self._titles)

    def image(self, index: int) -> QImage:
        return self._images[index]

    def show_reconstruction(self, original: np.ndarray, fed: np.ndarray | None,
                            reconstruction: np.ndarray) -> None:
        """The input, the noisy input the network saw (None: it saw the input), the output."""
        shown = [original] + ([fed] if fed is not None else []) + [reconstruction]
        low = min(float(np.min(a)) for a in shown)
        high = max(float(np.max(a)) for a in shown)
        self._images = [grey_image(a, low, high) for a in shown]
        self._titles = ["input"] + (["with noise"] if fed is not None else []) + ["reconstruction"]
        self._legend = []
        self.update()

    def show_segmentation(self, image: np.ndarray, true_mask: np.ndarray | None,
                          predicted: np.ndarray, names: list[str]) -> None:
        """The input, its true mask (None: a drawn input has none) and the predicted mask."""
        a = np.asarray(image, dtype=np.float64)
        classes = len(names)
        self._images = [grey_image(a, float(a.min()), float(a.max()))]
        self._titles = ["input"]
        if true_mask is not None:
            self._images.append(mask_image(true_mask, classes))
            self._titles.append("true mask")
        self._images.append(mask_image(predicted, classes))
        self._titles.append("predicted mask")
        colours = class_colours(classes)
        self._legend = [(name, QColor(*map(int, colours[i]))) for i, name in enumerate(names)]
        self.update()

    def paintEvent(self, _event) -> None:
        if not self._images:
            return
        p = QPainter(self)
        p.setFont(widget_font(9))
        fh = p.fontMetrics().height()
        text = self.palette().windowText().color()
        legend_h = (fh + 6) if self._legend else 0
        n = len(self._images)
        gap = 8
        cell_w = (self.width() - gap * (n - 1)) / n
        side = max(8.0, min(cell_w, self.height() - fh - 4 - legend_h))
        left = (self.width() - (side * n + gap * (n - 1))) / 2
        for i, (image, title) in enumerate(zip(self._images, self._titles, strict=True)):
            x = left + i * (side + gap)
            p.setPen(text)
            p.drawText(QRectF(x, 0, side, fh + 2), Qt.AlignmentFlag.AlignCenter, title)
            aspect = image.width() / max(1, image.height())
            w, h = (side, side / aspect) if aspect >= 1 else (side * aspect, side)
            p.drawImage(QRectF(x + (side - w) / 2, fh + 4, w, h), image)
        if self._legend:
            y = fh + 4 + side + 4
            x = 4.0
            for name, colour in self._legend:
                p.fillRect(QRectF(x, y + 2, fh - 4, fh - 4), colour)
                p.setPen(text)
                p.drawRect(QRectF(x, y + 2, fh - 4, fh - 4))
                width = p.fontMetrics().horizontalAdvance(name)
                p.drawText(QRectF(x + fh, y, width + 4, fh + 2), Qt.AlignmentFlag.AlignVCenter, name)
                x += fh + width + 14
        p.end()
