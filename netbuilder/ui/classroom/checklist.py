"""The goals as a checklist: one row per goal, its state told by an icon shape and a colour
(a tick on green, a cross on red, three dots on grey for "needs Check my work"), the goal in
words and, under it, what was measured ("51,902 trainable parameters (limit 60,000)")."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ...graph.goals import MET, PENDING, UNMET, GoalResult

COLORS = {MET: ("#15803d", "#4ade80"), UNMET: ("#dc2626", "#f87171"),
          PENDING: ("#71717a", "#a1a1aa")}
WORDS = {MET: "met", UNMET: "not met yet", PENDING: "not checked yet"}
# Goals whose result, when met, only repeats the goal ("no errors", "output 10").
SAYS_NOTHING_MORE = ("valid", "output_shape")


def status_pixmap(status: str, size: int = 22, dark: bool = False) -> QPixmap:
    """A filled circle with a tick (met), a cross (unmet) or three dots (pending)."""
    ratio = 2
    pm = QPixmap(size * ratio, size * ratio)
    pm.setDevicePixelRatio(ratio)
    pm.fill(QColor(0, 0, 0, 0))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(COLORS.get(status, COLORS[PENDING])[1 if dark else 0])
    r = QRectF(1, 1, size - 2, size - 2)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(color))
    p.drawEllipse(r)
    s, c = r.width(), r.center()
    white = QPen(QColor("#ffffff"), max(1.6, s * 0.13), Qt.PenStyle.SolidLine,
                 Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    if status == MET:
        path = QPainterPath(QPointF(c.x() - s * 0.24, c.y() + s * 0.02))
        path.lineTo(QPointF(c.x() - s * 0.06, c.y() + s * 0.20))
        path.lineTo(QPointF(c.x() + s * 0.26, c.y() - s * 0.18))
        p.setPen(white)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
    elif status == UNMET:
        p.setPen(white)
        d = s * 0.18
        p.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
        p.drawLine(QPointF(c.x() - d, c.y() + d), QPointF(c.x() + d, c.y() - d))
    else:
        p.setBrush(QBrush(QColor("#ffffff")))
        for dx in (-0.22, 0.0, 0.22):
            p.drawEllipse(QPointF(c.x() + s * dx, c.y()), s * 0.07, s * 0.07)
    p.end()
    return pm


class GoalChecklist(QListWidget):
    """The assignment's goals with their state; ``set_results`` redraws them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("goal_checklist")
        self.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(True)
        self.setIconSize(QSize(22, 22))
        self.setSpacing(3)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.results: list[GoalResult] = []
        self._dark = False

    def set_dark(self, dark: bool) -> None:
        self._dark = dark
        self.set_results(self.results)

    def set_results(self, results: list[GoalResult]) -> None:
        self.results = list(results)
        self.clear()
        icons = {s: QIcon(status_pixmap(s, 22, self._dark)) for s in COLORS}
        for r in results:
            quiet = r.status == MET and r.goal.kind in SAYS_NOTHING_MORE
            text = r.goal.label if quiet or not r.message else f"{r.goal.label}\n{r.message}"
            item = QListWidgetItem(icons.get(r.status, icons[PENDING]), text)
            item.setData(Qt.ItemDataRole.UserRole, r.status)
            item.setToolTip(f"{r.goal.label}: {WORDS.get(r.status, r.status)}. {r.message}")
            self.addItem(item)

    def states(self) -> list[tuple[str, str]]:
        """(goal label, status) for each row, as shown."""
        return [(r.goal.label, r.status) for r in self.results]

    def done(self) -> int:
        return sum(1 for r in self.results if r.status == MET)
