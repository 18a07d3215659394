"""The inspector's formula box: each line as analysis wrote it, broken only between terms.

A line such as ``H_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28`` is cut into terms that
each begin with an operator (``= floor(...)``, ``+ 1``, ``= 28``). Where the box is too narrow
for a whole line, it breaks before a term, with a hanging indent; only a term wider than the
box is opened at the next level of parentheses (``= floor((28 + 2*2 - 1*(5-1) - 1)``,
``/ 1)``), and only words of plain prose ever break at any space. The lines are laid out here
for the box's width, never by the label's own word wrap, which breaks at any space (and after
a hyphen).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ..theme import Theme

OPERATORS = frozenset({"=", "+", "-", "−", "*", "/", "×", "->", "→", "≈"})
HANG = "  "          # continuation lines of a formula line start this much further in


def _spaces(text: str) -> list[tuple[int, int]]:
    """(index, parenthesis depth) of every space in ``text``."""
    out, depth = [], 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif c == " ":
            out.append((i, depth))
    return out


def terms(text: str, level: int) -> list[str]:
    """``text`` cut at spaces no deeper than ``level`` in parentheses, each piece starting
    with an operator (a word that is not an operator stays with the one before it)."""
    cuts = [i for i, d in _spaces(text) if d <= level]
    words, start = [], 0
    for i in cuts:
        words.append(text[start:i])
        start = i + 1
    words.append(text[start:])
    out: list[str] = []
    for w in words:
        if w and (not out or w in OPERATORS):
            out.append(w)
        elif w:
            out[-1] += " " + w          # an operand, or a word of the same term
    return out


def _words(text: str) -> list[str]:
    return [w for w in text.split(" ") if w]


def layout_line(line: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``line`` as display lines no wider than ``width`` (``measure`` gives a string's width),
    broken only before terms; the shallowest parentheses that let every term fit are used."""
    lead = line[: len(line) - len(line.lstrip(" "))]
    text = line.strip()
    if not text or measure(line) <= width:
        return [line]
    indent = lead + HANG
    room = width - measure(indent)
    depths = [d for _, d in _spaces(text)]
    pieces: list[str] = [text]
    for level in range(max(depths, default=0) + 1):
        pieces = terms(text, level)
        if all(measure(p) <= room for p in pieces):
            break
    else:
        # still too wide at every depth: prose (no operators) wraps between its words
        split: list[str] = []
        for p in pieces:
            split.extend(_words(p) if measure(p) > room else [p])
        pieces = split
    # an equation's sides ("= ...") are the units to keep whole; a side too wide for a line
    # goes in its terms
    sides: list[list[str]] = []
    for p in pieces:
        if not sides or p.startswith("= "):
            sides.append([p])
        else:
            sides[-1].append(p)
    units: list[str] = []
    for side in sides:
        whole = " ".join(side)
        units.extend([whole] if measure(whole) <= room else side)
    lines = [lead + units[0]]
    for u in units[1:]:
        candidate = lines[-1] + " " + u
        if measure(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(indent + u)
    return lines


class FormulaLabel(QLabel):
    """Selectable monospaced formula lines, laid out again whenever the box's width changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: list[str] = []
        self._groups: list[list[str]] = []
        self._laid_for = -1
        self.setObjectName("inspector_formula")
        self.setFont(Theme.mono_font(9.0))
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("QLabel#inspector_formula { background: palette(alternate-base);"
                           " padding: 6px; border-radius: 4px; }")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)

    def set_lines(self, lines: list[str]) -> None:
        self._lines = list(lines)
        self._laid_for = -1
        self._relayout()

    def lines(self) -> list[str]:
        """The formula lines as analysis wrote them."""
        return list(self._lines)

    def shown_lines(self) -> list[str]:
        """The lines on screen, as broken for the box's width."""
        return self.text().split("\n") if self.text() else []

    def shown_groups(self) -> list[list[str]]:
        """For each formula line, the lines it is shown as."""
        return [list(g) for g in self._groups]

    def text_width(self) -> int:
        """The room for text inside the box (its width less the padding)."""
        return self.contentsRect().width() - 2 * self.margin()

    def _relayout(self) -> None:
        width = self.text_width()
        if width == self._laid_for:
            return
        self._laid_for = width
        metrics = QFontMetricsF(self.font())
        if width <= 0:             # not laid out yet: show the lines whole until it is
            self._groups = [[line] for line in self._lines]
        else:
            self._groups = [layout_line(line, width, metrics.horizontalAdvance)
                            for line in self._lines]
        text = "\n".join(s for group in self._groups for s in group)
        if text != self.text():
            self.setText(text)

    def minimumSizeHint(self) -> QSize:
        # as narrow as the widest single word: the lines are broken to fit, not the box widened
        hint = super().minimumSizeHint()
        metrics = QFontMetricsF(self.font())
        words = [w for line in self._lines for w in _words(line)] or [""]
        margins = self.width() - self.text_width() if self.width() > 0 else 16
        return QSize(round(max(metrics.horizontalAdvance(w) for w in words)) + margins,
                     hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._laid_for = -1
            self._relayout()
