"""Training statistics drawn on the canvas: a gauge on every card, a legend, the findings.

While the window trains (the training panel asks the trainer for NodeStats, see
``runtime.insight.stats``), ``StatsOverlay`` draws above each card a small gauge of the
chosen statistic: the gradient norm on a log scale shared by the whole graph (so vanishing
gradients show as a fade from the output back to the input), the share of dead units, the
activation spread, or the update-to-weight ratio. Colours come from cividis (ordered and
colour-blind safe) and the bar's length carries the same value, so nothing relies on hue.
The gauge's tooltip gives the numbers and a sparkline over training; the legend in the
canvas corner names the statistic, its scale, and what the statistics reveal, in words
(``runtime.insight.diagnose``). Any edit of the network removes the gauges: they described
the network that trained.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGraphicsItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from netbuilder.graph.document import Change

from ..doc_link import DocumentLink
from ..theme import Theme
from .images import fmt, lut, widget_font

STATS = {
    "grad_norm": ("Gradient norm", True),
    "dead": ("Dead units (share)", False),
    "std": ("Activation spread (std)", False),
    "update_ratio": ("Update / weight ratio", True),
}
SPARK = "▁▂▃▄▅▆▇█"
HISTORY = 40
MIN_DECADES = 3.0          # the log scales span at least this many powers of ten


def sparkline(values: list[float], log: bool) -> str:
    vals = [math.log10(v) if log and v > 0 else v for v in values if v is not None
            and math.isfinite(v) and (v > 0 or not log)]
    if not vals:
        return ""
    low, high = min(vals), max(vals)
    span = high - low or 1.0
    return "".join(SPARK[min(7, int((v - low) / span * 7.999))] for v in vals)


class GaugeItem(QGraphicsItem):
    """A bar above a card: length and colour both show the value on the shared scale."""

    def __init__(self, parent: QGraphicsItem, width: float) -> None:
        super().__init__(parent)
        self.fraction: float | None = None
        self.text = ""
        self.width = width
        self.setZValue(5)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:
        h = Theme.px(16)
        return QRectF(0, -h - 3, self.width, h)

    def paint(self, p: QPainter, _option, _widget=None) -> None:
        r = self.boundingRect()
        bar = QRectF(r.left(), r.top(), r.width() * 0.58, r.height())
        text = QRectF(bar.right() + 4, r.top(), r.width() - bar.width() - 4, r.height())
        p.fillRect(bar, QColor("#e4e4e4"))
        if self.fraction is not None:
            c = lut("cividis")[int(max(0.0, min(1.0, self.fraction)) * 255)]
            fill = QRectF(bar.left(), bar.top(), max(2.0, bar.width() * self.fraction), bar.height())
            p.fillRect(fill, QColor(int(c[0]), int(c[1]), int(c[2])))
        p.setPen(QPen(QColor("#555555"), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(bar)
        p.setFont(Theme.small_font())
        p.setPen(QColor("#111111") if not Theme.dark_for(QApplication.palette()) else QColor("#eeeeee"))
        p.drawText(text, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                   self.text if self.fraction is not None else "no value")


class StatsLegend(QWidget):
    """The corner box: which statistic, its scale, and the findings in words."""

    stat_chosen = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("stats_legend")
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.choice = QComboBox()
        for key, (title, _log) in STATS.items():
            self.choice.addItem(title, key)
        self.choice.currentIndexChanged.connect(
            lambda i: self.stat_chosen.emit(self.choice.itemData(i)))
        layout.addWidget(self.choice)
        self.scale = QLabel()
        self.findings = QLabel()
        self.findings.setObjectName("stats_findings")
        self.findings.setWordWrap(True)
        for w in (self.scale, self.findings):
            w.setWordWrap(True)
            layout.addWidget(w)
        self.setFixedWidth(300)

    def apply_theme(self) -> None:
        for w in (self.choice, self.scale, self.findings):
            w.setFont(widget_font(10))
        self.adjustSize()


class StatsOverlay(QObject):
    """Gauges on the cards of ``canvas`` from the NodeStats of the window's runs."""

    updated = Signal()

    def __init__(self, canvas: Any, training_host: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.document = canvas.main_doc
        self.enabled = False
        self.stat = "grad_norm"
        self._gauges: dict[str, GaugeItem] = {}
        self._last: Any = None
        self._history: dict[str, deque] = {}
        self.findings: list[Any] = []
        self.legend = StatsLegend(canvas.viewport())
        self.legend.stat_chosen.connect(self.set_stat)
        self.legend.hide()
        self._link = DocumentLink(self, self.document, self._on_document_change)
        Theme.changed.connect(self._relayout)
        training_host.panel_created.connect(self._attach)
        if getattr(training_host, "panel", None) is not None:
            self._attach(training_host.panel)

    def _attach(self, panel: Any) -> None:
        panel.run_events.connect(self._on_events)
        panel.running_changed.connect(self._on_running)

    # -- switching --------------------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self.legend.setVisible(self.enabled)
        self._redraw()

    def set_stat(self, stat: str) -> None:
        if stat in STATS:
            self.stat = stat
            index = list(STATS).index(stat)
            if self.legend.choice.currentIndex() != index:
                self.legend.choice.setCurrentIndex(index)
            self._redraw()

    def clear(self) -> None:
        from shiboken6 import isValid

        for g in self._gauges.values():
            if isValid(g) and g.scene() is not None:
                g.scene().removeItem(g)
        self._gauges.clear()
        self._last, self._history, self.findings = None, {}, []
        self.legend.scale.setText("Train the network to see its statistics here.")
        self.legend.findings.setText("")
        self.legend.adjustSize()

    def _on_running(self, running: bool) -> None:
        if running:
            self.clear()
            self._redraw()

    def _on_document_change(self, change: Change) -> None:
        if change.structure or change.nodes or change.reset:
            if self._last is not None or self._gauges:
                self.clear()
                self.legend.scale.setText("The network changed: train it again to see its "
                                          "statistics.")
                self.legend.adjustSize()

    def _on_events(self, batch: list[Any]) -> None:
        from netbuilder.runtime.events import NodeStats

        stats = [e for e in batch if isinstance(e, NodeStats)]
        if not stats:
            return
        for ev in stats:
            for key, s in ev.nodes.items():
                h = self._history.setdefault(key, deque(maxlen=HISTORY))
                h.append(dict(s))
        self._last = stats[-1]
        self._diagnose()
        self._redraw()

    # -- drawing ----------------------------------------------------------------------------
    def _key_of(self, nid: str) -> str:
        prefix = self.canvas.use_path()
        return "/".join([*prefix, nid])

    def _diagnose(self) -> None:
        from netbuilder.runtime.insight.diagnose import diagnose

        ev = self._last
        graph = self.document.graph
        order = list(ev.nodes)
        types = {k: graph.nodes[k].type for k in order if k in graph.nodes}
        self.findings = diagnose(ev.nodes, order, types)

    def _redraw(self) -> None:
        scene = self.canvas.graph_scene
        if not self.enabled or self._last is None:
            from shiboken6 import isValid

            for g in self._gauges.values():
                if isValid(g):
                    g.setVisible(False)
            if self.enabled:
                self.legend.scale.setText("Train the network to see its statistics here.")
                self._place_legend()
            return
        title, log = STATS[self.stat]
        values = {}
        for nid in scene.nodes:
            s = self._last.nodes.get(self._key_of(nid))
            v = None if s is None else s.get(self.stat)
            if v is not None and math.isfinite(v) and (v > 0 or not log):
                values[nid] = v
        if log:
            logs = {k: math.log10(v) for k, v in values.items()}
            low, high = (min(logs.values()), max(logs.values())) if logs else (0, 1)
            # At least MIN_DECADES on the scale: a gradient that holds (within a few times,
            # as through ReLU + BatchNorm) must not look like one that fades a millionfold.
            low = min(low, high - MIN_DECADES)
        else:
            low, high = (0.0, 1.0) if self.stat == "dead" else \
                (0.0, max(values.values(), default=1.0) or 1.0)
        span = (high - low) or 1.0
        from shiboken6 import isValid

        for nid, item in scene.nodes.items():
            gauge = self._gauges.get(nid)
            if gauge is None or not isValid(gauge) or gauge.parentItem() is not item:
                gauge = self._gauges[nid] = GaugeItem(item, item.width())
            gauge.width = item.width()
            gauge.prepareGeometryChange()
            v = values.get(nid)
            key = self._key_of(nid)
            if v is None:
                gauge.setVisible(False)
                gauge.fraction, gauge.text = None, ""
            else:
                x = math.log10(v) if log else v
                gauge.fraction = (x - low) / span if span else 1.0
                gauge.text = fmt(v)
                if self.stat == "dead":
                    gauge.text = f"{round(100 * v)}% dead"
                gauge.setVisible(True)
            history = [h.get(self.stat) for h in self._history.get(key, [])]
            gauge.setToolTip(self._tooltip(key, self._last.nodes.get(key), history, log))
            gauge.update()
        shown = (f"10^{low:.1f} … 10^{high:.1f}" if log else f"{fmt(low)} … {fmt(high)}")
        self.legend.scale.setText(f"{title}, step {self._last.step} (epoch {self._last.epoch}):"
                                  f" bar length and colour from {shown}"
                                  + (", shared by the whole graph" if log else ""))
        self.legend.findings.setText("\n".join("⚠ " + f.message for f in self.findings)
                                     or "No problem seen in these statistics.")
        self._place_legend()
        self.updated.emit()

    def _tooltip(self, key: str, s: Any, history: list, log: bool) -> str:
        if not s:
            return ""
        lines = [key]
        for name, label in (("mean", "output mean"), ("std", "output std"),
                            ("dead", "dead units"), ("grad_norm", "gradient norm (output)"),
                            ("weight_norm", "weight norm"), ("weight_grad_norm", "weight gradient norm"),
                            ("update_ratio", "update / weight")):
            v = s.get(name)
            if v is not None:
                lines.append(f"{label}: {fmt(v)}" if name != "dead" else f"{label}: {100 * v:.0f}%")
        spark = sparkline(history, log)
        if spark:
            lines.append(f"{STATS[self.stat][0]} over training: {spark}")
        return "\n".join(lines)

    def _relayout(self) -> None:
        self.legend.apply_theme()
        self._redraw()

    def _place_legend(self) -> None:
        """Bottom right of the canvas: a network laid out in rows ends short on the right."""
        self.legend.apply_theme()
        self.legend.adjustSize()
        port = self.canvas.viewport()
        self.legend.move(max(10, port.width() - self.legend.width() - 10),
                         max(10, port.height() - self.legend.height() - 10))
        self.legend.raise_()

    def gauge(self, nid: str) -> GaugeItem | None:
        return self._gauges.get(nid)
