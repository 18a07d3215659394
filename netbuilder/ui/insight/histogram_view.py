"""The "Histograms" view: every layer's outputs (or gradients) as small histograms side by side.

One small panel per node in forward order, all on the same x-axis (the runtime's shared
bins, ``runtime.insight.histograms``), each titled with the layer's name and its output's
std, so the eye runs along the network: tanh outputs piling up at -1 and +1 (weights too
big), shrinking to a spike at 0 (too small) or staying spread (Xavier); in gradient mode,
log10 |gradient| sliding left layer by layer where the gradient vanishes. By default only
the activation layers are shown (what the initialisation lecture plots); "All layers" adds
the Linear, normalisation and other layers.

It follows ``InsightSource`` like the other insight views: the held weights after a run,
and while training a live snapshot about once a second (less often where computing one takes
more than a tenth of that; only while on screen); the
computation (one forward and backward pass on up to 128 validation samples) runs on the
view's worker thread (``Background``).
"""

from __future__ import annotations

import math
import time
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..theme import Theme
from .background import Background
from .images import fmt, widget_font

SAMPLES = 128               # validation samples per refresh (LeNet-5: bench_histograms.py)
LIVE_EVERY_MS = 1000        # while training: one live snapshot a second at most,
COST_SHARE = 0.1            # and at most this share of the time spent computing histograms
ACTIVATION_COLOR = QColor("#1f77b4")   # blue, as the sample view's bars
GRADIENT_COLOR = QColor("#e66100")     # orange: tells the two modes apart (colour-blind safe)
TRAINING = "Training… the histograms appear with the first snapshot of the weights."
ACTIVATIONS, GRADIENTS = "activations", "gradients"


class HistogramGrid(QWidget):
    """Small histograms in a grid, one shared x-axis, painted (readable at any size).

    ``set_panels(edges, panels, axis_label)``: ``panels`` a list of
    ``(title, subtitle, counts)``; each panel's bars are scaled to its own tallest bin.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edges: list[float] = []
        self.panels: list[tuple[str, str, list[int]]] = []
        self.axis_label = ""
        self.color = ACTIVATION_COLOR
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_panels(self, edges: list[float], panels: list[tuple[str, str, list[int]]],
                   axis_label: str, color: QColor) -> None:
        self.edges, self.panels, self.axis_label, self.color = edges, panels, axis_label, color
        self.updateGeometry()       # the scroll area asks heightForWidth again
        self.update()

    # -- geometry --------------------------------------------------------------------------
    def _cell_min(self) -> QSize:
        s = Theme.widget_point_size(10) / 10     # cells grow with the text (presentation mode)
        return QSize(int(210 * s), int(150 * s))

    def columns(self, width: int | None = None) -> int:
        width = self.width() if width is None else width
        n = max(1, len(self.panels))
        return max(1, min(n, width // max(1, self._cell_min().width())))

    def rows(self, width: int | None = None) -> int:
        return max(1, math.ceil(len(self.panels) / self.columns(width)))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.rows(width) * self._cell_min().height()

    def sizeHint(self) -> QSize:
        return QSize(5 * self._cell_min().width(), 2 * self._cell_min().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self._cell_min().width(), self._cell_min().height())

    def cell_rect(self, i: int) -> QRectF:
        cols = self.columns()
        rows = self.rows()
        w = self.width() / cols
        h = max(self.height() / rows, float(self._cell_min().height()))
        return QRectF((i % cols) * w, (i // cols) * h, w, h)

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(70)
        title_font, small_font = widget_font(11, bold=True), widget_font(9)
        for i, (title, subtitle, counts) in enumerate(self.panels):
            self._paint_panel(p, self.cell_rect(i).adjusted(6, 4, -6, -4), title, subtitle,
                              counts, text, grid, title_font, small_font)
        p.end()

    def _paint_panel(self, p: QPainter, r: QRectF, title: str, subtitle: str, counts: list[int],
                     text: QColor, grid: QColor, title_font, small_font) -> None:
        p.setFont(title_font)
        line = p.fontMetrics().height()
        p.setPen(text)
        head = QRectF(r.left(), r.top(), r.width(), line)
        p.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideMiddle, int(r.width() * 0.55)))
        p.setFont(small_font)
        small = p.fontMetrics().height()
        p.drawText(head, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, subtitle)
        plot = QRectF(r.left(), r.top() + line + 4, r.width(), r.height() - line - small - 8)
        p.setPen(QPen(grid, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        if not counts or not self.edges:
            return
        lo, hi = self.edges[0], self.edges[-1]
        if lo < 0 < hi:                                   # the zero line: where a collapse lands
            x0 = plot.left() + plot.width() * (0 - lo) / (hi - lo)
            p.drawLine(int(x0), int(plot.top()), int(x0), int(plot.bottom()))
        top = max(counts) or 1
        bw = plot.width() / len(counts)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.color)
        for j, c in enumerate(counts):
            if c:
                h = max(1.0, plot.height() * c / top)
                p.drawRect(QRectF(plot.left() + j * bw, plot.bottom() - h, max(1.0, bw - 1), h))
        p.setPen(text)
        ticks = QRectF(plot.left(), plot.bottom() + 2, plot.width(), small)
        p.drawText(ticks, Qt.AlignmentFlag.AlignLeft, fmt(lo))
        p.drawText(ticks, Qt.AlignmentFlag.AlignRight, fmt(hi))
        if lo < 0 < hi:
            p.drawText(ticks, Qt.AlignmentFlag.AlignHCenter, "0")
        elif self.axis_label:
            p.drawText(ticks, Qt.AlignmentFlag.AlignHCenter, self.axis_label)


class HistogramView(QWidget):
    refreshed = Signal()              # after each redraw with new histograms

    def __init__(self, source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("histogram_view")
        self.source = source
        self.histograms: Any = None       # "activations"/"all" -> the runtime's Histograms
        self.targets: list[Any] = []      # the layers, in forward order
        self.live_epoch: int | None = None
        self.updates = 0                  # how many times new histograms were drawn
        self._generation = 0
        self._dirty = True
        self._want_live = False
        from netbuilder.runtime.insight.probe import ReusedProber  # torch: loaded with the view

        self._live_prober = ReusedProber()     # used on the worker thread only
        self._live_cost_s = 0.0           # how long the last live refresh took to compute
        self._bg = Background(self)
        self._bg.done.connect(self._on_done)
        self._bg.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setInterval(LIVE_EVERY_MS)
        self._timer.timeout.connect(self._ask_live)
        self._build()
        source.changed.connect(self._on_source_changed)
        source.live.connect(self._on_live)
        source.running_changed.connect(self._on_running)
        Theme.changed.connect(self._apply_theme)
        self._apply_theme()
        self._on_source_changed()
        if source.running:
            self._on_running(True)

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        self.what = QComboBox()
        self.what.setObjectName("histogram_what")
        self.what.addItem("Outputs (activations)", ACTIVATIONS)
        self.what.addItem("Gradients: log10 |∂loss/∂output|", GRADIENTS)
        self.what.setToolTip("What each small histogram counts, over the validation samples")
        self.which = QComboBox()
        self.which.setObjectName("histogram_which")
        self.which.addItem("Activation layers", "activations")
        self.which.addItem("All layers", "all")
        self.which.setToolTip("Which layers get a histogram, in the order the network runs them")
        for combo in (self.what, self.which):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.what.currentIndexChanged.connect(self._redraw)
        self.which.currentIndexChanged.connect(self._redraw)
        bar.addWidget(self.what)
        bar.addWidget(self.which)
        bar.addStretch(1)
        outer.addLayout(bar)
        self.caption = QLabel()
        self.caption.setObjectName("histogram_caption")
        self.caption.setWordWrap(True)
        outer.addWidget(self.caption)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.message = QLabel()
        self.message.setObjectName("insight_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack.addWidget(self.message)
        self.grid = HistogramGrid()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self.grid)
        self.stack.addWidget(self.scroll)

    def _apply_theme(self) -> None:
        for w in (self.what, self.which, self.caption):
            w.setFont(widget_font(10))
        self.message.setFont(widget_font(11))
        self.grid.updateGeometry()
        self.grid.update()

    # -- following the source ---------------------------------------------------------------
    def _on_source_changed(self) -> None:
        self._generation += 1
        message = self.source.blocked(self.live_epoch is not None, TRAINING)
        if message is not None:
            if message:
                self._show_message(message)
            return
        self.live_epoch = None
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_running(self, running: bool) -> None:
        if running:
            self._want_live = False
            if self.source.context() is None:
                self._show_message(TRAINING)
            self._timer.start()
            self._ask_live()
        else:
            self._timer.stop()

    def _ask_live(self) -> None:
        """Throttled: a snapshot at most once a timer tick, and only while on screen."""
        if self.isVisible() and self.source.running and not self._bg.busy:
            self._want_live = True
            self.source.request_live()

    def _on_live(self, ctx: Any) -> None:
        if not self._want_live or not self.isVisible():
            return
        self._want_live = False
        generation = self._generation
        holder = self

        def work():
            prober = holder._live_prober.get(ctx)
            started = time.perf_counter()
            result = _compute(prober, ctx)
            holder._live_cost_s = time.perf_counter() - started
            return (generation, ctx.epoch, *result)
        self._bg.submit("histograms", work)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.source.running:
            self._ask_live()
        elif self._dirty and self.source.context() is not None:
            self.refresh()

    def refresh(self) -> None:
        """Histograms of the held weights (on the worker thread); redraws when done."""
        ctx = self.source.context()
        if ctx is None:
            self._on_source_changed()
            return
        self._dirty = False
        prober = self.source.prober()
        generation = self._generation

        def work():
            return (generation, None, *_compute(prober, ctx))
        if self.histograms is None:
            self._show_message("Computing the histograms…")
        self._bg.submit("histograms", work)

    def _on_failed(self, _key: Any, message: str) -> None:
        self._show_message(f"Could not compute the histograms: {message}")

    def _on_done(self, _key: Any, result: Any) -> None:
        generation, live_epoch, targets, histograms = result
        if generation != self._generation and live_epoch is None:
            return                    # the weights changed while it was computed
        if live_epoch is not None and not self.source.running:
            return                    # a snapshot of a run that has ended since
        self.targets, self.histograms, self.live_epoch = targets, histograms, live_epoch
        if live_epoch is not None:          # a big network refreshes less often
            self._timer.setInterval(max(LIVE_EVERY_MS, int(1000 * self._live_cost_s / COST_SHARE)))
        self.updates += 1
        self._redraw()
        self.refreshed.emit()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    # -- showing ------------------------------------------------------------------------------
    def current(self) -> Any:
        """The Histograms of the layers chosen (activation layers, or all of them)."""
        if not self.histograms:
            return None
        return self.histograms.get(self.which.currentData()) or self.histograms.get("all")

    def shown(self) -> list[Any]:
        """The NodeHistograms on screen, in the grid's order."""
        h = self.current()
        return [] if h is None else list(h.nodes)

    def _redraw(self) -> None:
        h = self.current()
        if h is None:
            return
        gradients = self.what.currentData() == GRADIENTS and h.grad_edges is not None
        panels = []
        for nh in self.shown():
            if gradients and nh.grad_counts is None:
                continue                    # no gradient reaches it (the input's own reshapes)
            if gradients:
                norm = "-" if nh.grad_norm is None else fmt(nh.grad_norm)
                panels.append((nh.text, f"‖g‖ {norm}", nh.grad_counts or []))
            else:
                extra = f" · {round(100 * nh.saturated)}% at ±1" if nh.saturated >= 0.05 else ""
                panels.append((nh.text, f"std {fmt(nh.std)}{extra}", nh.counts))
        edges = h.grad_edges if gradients else h.edges
        self.grid.set_panels(edges, panels, "log10 |g|" if gradients else "",
                             GRADIENT_COLOR if gradients else ACTIVATION_COLOR)
        when = (f"live, during epoch {self.live_epoch}" if self.live_epoch is not None
                else "for the trained weights")
        what = ("The size of the loss's gradient at each layer's output, as log10 |g| "
                "(one step left is ten times smaller)," if gradients
                else "The output values of each layer")
        self.caption.setText(f"{what} for {h.samples} validation samples, {when}. Every "
                             "panel has the same x-axis; the first layer is top left.")
        self.stack.setCurrentWidget(self.scroll)


def _compute(prober: Any, ctx: Any) -> tuple[list[Any], Any]:
    """Worker thread: the probe targets of the network and their histograms."""
    from netbuilder.runtime.insight.histograms import grouped_histograms
    from netbuilder.runtime.insight.probe import probe_targets

    graph = ctx.graph
    targets = [_Target(t.path, graph.spec(t.type).category) for t in probe_targets(graph)
               if t.depth == 0 and t.type != "Input"]
    data = ctx.eval_set(limit=SAMPLES)
    # Two sets, each on its own shared bins: the activation layers alone (their range, say
    # tanh's -1..1, is not squeezed by a Linear layer's wider one), and all layers.
    sets = {"activations": [t.path for t in targets if t.category == "Activation"],
            "all": [t.path for t in targets]}
    sets = {k: v for k, v in sets.items() if v}
    try:
        out = grouped_histograms(prober, data.x, data.y, sets, ctx.config.loss)
    except (RuntimeError, ValueError):          # a loss the targets do not fit: outputs only
        out = grouped_histograms(prober, data.x, None, sets)
    return targets, out


class _Target:
    __slots__ = ("path", "category")

    def __init__(self, path: Any, category: str) -> None:
        self.path, self.category = path, category
