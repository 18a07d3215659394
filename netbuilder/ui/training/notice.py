"""A box of messages, each with a symbol and a word as well as a colour (never colour alone):
✖ problems that block training, ⚠ warnings, ✔ ready / done, ℹ information."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ..theme import Theme, error_color, warning_color

SYMBOLS = {"error": "✖", "warning": "⚠", "ok": "✔", "info": "ℹ"}
HEADS = {"error": "Problem", "warning": "Warning", "ok": "", "info": ""}
Message = tuple[str, str] | tuple[str, str, str]   # (level, text) or (level, head, text)


def _level_color(level: str, dark: bool) -> QColor:
    if level == "error":
        return error_color(dark)
    if level == "warning":
        return warning_color(dark)
    if level == "ok":
        return QColor("#4ade80" if dark else "#15803d")
    return QColor("#94a3b8" if dark else "#475569")


class Notice(QLabel):
    """Shows ``[(level, text)]`` or ``[(level, head, text)]`` (the head in bold; by default
    "Problem" or "Warning"); hidden when empty. The box takes its colour from the most
    serious level it holds."""

    ORDER = ("error", "warning", "ok", "info")

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.messages: list[tuple[str, str, str]] = []
        self.quiet = False        # show problems and warnings only (presentation mode)
        self.hide()

    def set_quiet(self, quiet: bool) -> None:
        self.quiet = quiet
        self._render()

    def has_problems(self) -> bool:
        return any(level in ("error", "warning") for level, _h, _t in self.messages)

    def set_messages(self, messages: list[Message]) -> None:
        self.messages = [m if len(m) == 3 else (m[0], HEADS[m[0]], m[1]) for m in messages]
        self._render()

    def clear_messages(self) -> None:
        self.set_messages([])

    def plain_text(self) -> str:
        """What the box says, as plain text (for tests and screen readers)."""
        return "\n".join(f"{SYMBOLS[lv]} {h + ': ' if h else ''}{t}" for lv, h, t in self.messages)

    def _render(self) -> None:
        shown = [m for m in self.messages if not self.quiet or m[0] in ("error", "warning")]
        if not shown:
            self.clear()
            self.hide()
            return
        dark = Theme.dark_for(self.palette())
        worst = min(shown, key=lambda m: self.ORDER.index(m[0]))[0]
        edge = _level_color(worst, dark)
        tint = QColor(edge)
        tint.setAlpha(28)
        rows = []
        for level, head, text in shown:
            symbol = SYMBOLS[level]
            color = _level_color(level, dark).name()
            lead = f"<b>{html.escape(head)}:</b> " if head else ""
            body = html.escape(text).replace("\n", "<br>")
            rows.append(f"<span style='color:{color}; font-weight:bold'>{symbol}</span>&nbsp;"
                        f"{lead}{body}")
        self.setText("<br>".join(rows))
        self.setStyleSheet(
            f"QLabel#{self.objectName()} {{ border-left: 4px solid {edge.name()};"
            f" background: rgba({tint.red()},{tint.green()},{tint.blue()},{tint.alpha()});"
            f" padding: 4px 6px; color: {self.palette().color(QPalette.ColorRole.Text).name()}; }}")
        self.show()

    def refresh_style(self) -> None:
        self._render()
