"""``BreadcrumbBar``: where the canvas is, "ResNet-18 › BasicBlock", above the canvas.

Shown only inside a block. Each level is a flat button (the last, the current one, bold and
inert); clicking one goes back to it. A muted line on the right says whose shapes are shown
and how many uses an edit changes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from ..theme import Theme, category_color

SEPARATOR = "›"


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" when the bar is narrow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideMiddle,
                                              max(self.width() - 4, 0))
        if shown != self.text():
            self.setText(shown)


class BreadcrumbBar(QWidget):
    level_clicked = Signal(int)      # 0 is the whole network

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breadcrumbs")
        self.setAutoFillBackground(True)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(8, 2, 8, 2)
        self._row.setSpacing(2)
        self.context = ElidedLabel(self)
        self.context.setObjectName("breadcrumb_context")
        self.context.setStyleSheet("color: palette(placeholder-text);")
        self.context.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.buttons: list[QToolButton] = []
        self._levels: list[str] = []

    def set_levels(self, levels: list[str], context: str = "") -> None:
        """``levels``: the network's name, then each block opened, outermost first."""
        self._levels = list(levels)
        while self._row.count():
            item = self._row.takeAt(0)
            w = item.widget()
            if w is not None and w is not self.context:
                w.hide()            # gone now, not when the event loop deletes it
                w.deleteLater()
        self.buttons = []
        dark = Theme.dark_for(self.palette())
        gold = category_color("Blocks", dark).name()
        for i, text in enumerate(levels):
            if i:
                sep = QLabel(SEPARATOR, self)
                sep.setStyleSheet("color: palette(placeholder-text); padding: 0 2px;")
                self._row.addWidget(sep)
            b = QToolButton(self)
            b.setAutoRaise(True)
            b.setText(text)
            b.setObjectName(f"breadcrumb_{i}")
            last = i == len(levels) - 1
            font = b.font()
            font.setBold(last)
            b.setFont(font)
            if last:
                b.setEnabled(True)
                pal = b.palette()      # a palette, not a style sheet: the font stays
                pal.setColor(QPalette.ColorRole.ButtonText, QColor(gold))
                b.setPalette(pal)
                b.setToolTip("The block you are editing: edits apply to every use")
            else:
                b.setToolTip(f"Back to {text} (Esc goes up one level)")
                b.setCursor(Qt.CursorShape.PointingHandCursor)
                b.clicked.connect(lambda _=False, level=i: self.level_clicked.emit(level))
            self._row.addWidget(b)
            self.buttons.append(b)
        self._row.addSpacing(16)
        self._row.addWidget(self.context, 1)
        self.context.set_full_text(context)

    def levels(self) -> list[str]:
        return list(self._levels)

    def text(self) -> str:
        """What the bar reads, e.g. "ResNet-18 › BasicBlock"."""
        return f" {SEPARATOR} ".join(self._levels)
