"""Live loss and accuracy (or MSE) plots: training per step, validation per epoch.

Points go into growing numpy buffers as events arrive; ``refresh`` (called by the panel's
~20 Hz timer) hands only the curves that changed to ``setData``. Training is a thin solid
line, validation a dashed line with round markers, so the two differ without colour; the
x axis counts epochs (fractional for steps). A continued run keeps the curves up to the
epoch it goes on from (or draws a loaded checkpoint's per-epoch history) and widens the x
axis to the new total, so one curve runs through both runs. Pens stay 1 px outside presentation mode
(wider pens cost about 3x to draw); views clip and downsample long curves.

The legend sits in a row of its own above the plots, so it never covers a curve. In a wide,
short area (the bottom dock of a laptop-sized window) the two plots stand side by side, each
with its own epoch axis; otherwise the metric sits under the loss. Axes show plain numbers
(no "x0.001" scale factors a student would have to decode).

Over-fitting made visible: the area between the per-epoch training loss and the validation
loss is shaded (the gap), and a vertical line marks the epoch of the lowest validation loss.
``show_runs`` overlays recorded runs (the Runs panel): each run in a colour of its own,
training solid and validation dashed, its gap shaded, its name in the legend.

Drawing cost decides the look: a redraw with pyqtgraph's grid took ~80 ms here against
~13 ms without it (software rendering), and auto-range re-measures every curve on each
``setData``. So there is no grid, the x axis spans the run's epochs from the start, and the
y ranges are set here, only when a new point falls outside them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from ..theme import Theme

# (light, dark): blue and orange stay apart for the common colour-vision deficiencies
TRAIN_COLOR = ("#1d4ed8", "#60a5fa")
VAL_COLOR = ("#c2410c", "#fb923c")
CURVES = ("loss/train", "loss/val", "metric/train", "metric/val")
# recorded runs overlaid: distinct under the common colour-vision deficiencies (Okabe-Ito)
RUN_COLORS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f7f7f")
GAP_ALPHA = 48
SIDE_BY_SIDE_RATIO = 2.4   # width / height of the plot area from which the plots stand side by side


def _num(v: float | None) -> float:
    return float(v) if isinstance(v, int | float) else float("nan")


class Series:
    """x/y points in preallocated arrays that double when full."""

    def __init__(self, capacity: int = 512) -> None:
        self.x = np.empty(capacity)
        self.y = np.empty(capacity)
        self.n = 0

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.concatenate([self.x, np.empty_like(self.x)])
            self.y = np.concatenate([self.y, np.empty_like(self.y)])
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1

    def clear(self) -> None:
        self.n = 0

    def keep_until(self, x_max: float) -> None:
        """Drop the points after ``x_max`` (x only grows, so they are the last ones)."""
        self.n = int(np.searchsorted(self.x[: self.n], x_max + 1e-9, side="right"))

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.n], self.y[: self.n]


class TrainingPlots(QWidget):
    """Loss and accuracy (classification) or MSE (regression), x axes linked; stacked, or side
    by side in a wide and short area, under a legend row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_plots")
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.layout.setSpacing(2)
        self.view.ci.setContentsMargins(2, 2, 6, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        # the legend's row: one line of two entries that says what both plots' styles mean
        self.legend = pg.LegendItem(colCount=2, horSpacing=18, verSpacing=-6)
        self.view.addItem(self.legend, row=0, col=0, colspan=2)
        self.legend.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.view.ci.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignLeft
                                         | Qt.AlignmentFlag.AlignVCenter)
        self.loss_plot: pg.PlotItem = pg.PlotItem()
        self.metric_plot: pg.PlotItem = pg.PlotItem()
        self.metric_plot.setXLink(self.loss_plot)
        self.side_by_side: bool | None = None
        self.classification = True
        self._arrange(False)
        self.series = {key: Series() for key in CURVES}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.legends: list[pg.LegendItem] = [self.legend]
        self._dirty: set[str] = set()
        self._y: dict[str, tuple[float, float] | None] = {}
        for plot in (self.loss_plot, self.metric_plot):
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMenuEnabled(False)
            plot.getViewBox().setMouseEnabled(x=True, y=False)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
        for key in CURVES:
            plot = self.loss_plot if key.startswith("loss") else self.metric_plot
            self.curves[key] = plot.plot([], [], connect="finite")
        self.legend.addItem(self.curves["loss/train"], "train (per step)")
        self.legend.addItem(self.curves["loss/val"], "validation (per epoch)")
        # the train/validation gap, shaded between the per-epoch training loss and validation
        self.epoch_train = Series()
        self.gap_edge = self.loss_plot.plot([], [], connect="finite")
        self.gap = pg.FillBetweenItem(self.gap_edge, self.curves["loss/val"])
        self.gap.setZValue(-10)
        self.loss_plot.addItem(self.gap)
        self.best_line = pg.InfiniteLine(angle=90, movable=False,
                                         label="best val", labelOpts={"position": 0.92})
        self.best_line.setVisible(False)
        self.loss_plot.addItem(self.best_line)
        self.best_epoch: float | None = None
        self.run_items: list[tuple[pg.PlotItem, object]] = []
        self.run_names: list[str] = []
        self.reset(classification=True, epochs=None)
        self.apply_theme()

    # -- layout ---------------------------------------------------------------------------
    def _arrange(self, side_by_side: bool) -> None:
        """Put the plots in one row (side by side) or one column (metric under loss)."""
        if side_by_side == self.side_by_side:
            return
        layout = self.view.ci
        for plot in (self.loss_plot, self.metric_plot):
            if plot in layout.items:
                layout.removeItem(plot)
        layout.addItem(self.loss_plot, row=1, col=0)
        layout.addItem(self.metric_plot, row=1 if side_by_side else 2, col=1 if side_by_side else 0)
        self.side_by_side = side_by_side
        self._label_axes()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        size = event.size()
        if size.height() > 0:
            self._arrange(size.width() >= SIDE_BY_SIDE_RATIO * size.height())

    # -- data -----------------------------------------------------------------------------
    def reset(self, classification: bool, epochs: int | None) -> None:
        """Empty curves for a new run; the x axis spans the run's epochs when known."""
        self.classification = classification
        for key in CURVES:
            self.series[key].clear()
            self.curves[key].setData([], [])
        self.epoch_train.clear()
        self.gap_edge.setData([], [])
        self.best_epoch = None
        self.best_line.setVisible(False)
        self._dirty.clear()
        self._label_axes()
        for plot in (self.loss_plot, self.metric_plot):
            plot.disableAutoRange()
        self.loss_plot.setXRange(0, epochs or 1, padding=0.01)
        self._y = {"loss": None, "metric": (0.0, 100.0) if classification else None}
        self.loss_plot.setYRange(0, 1, padding=0.02)
        self.metric_plot.setYRange(0, 100 if classification else 1, padding=0.02)

    def continue_to(self, done: int, epochs: int) -> None:
        """A continued run: keep the curves of epochs 1..``done`` (a failed or stopped try
        after them goes), and let the x axis span all ``epochs``."""
        for key in CURVES:
            self.series[key].keep_until(float(done))
            self._dirty.add(key)
        self.epoch_train.keep_until(float(done))
        self.loss_plot.setXRange(0, epochs, padding=0.01)

    def add_history(self, history: tuple[dict, ...] | list[dict]) -> None:
        """Per-epoch figures (a checkpoint's history): training means and validation at each
        whole epoch, for a run that continues a loaded checkpoint."""
        for entry in history:
            x = float(entry.get("epoch", 0))
            self.add("loss/train", x, entry.get("train_loss"))
            self.add("metric/train", x, self._metric(entry.get("train_acc"), entry.get("train_mse")))
            self.add_epoch(x, entry.get("val_loss"), entry.get("val_acc"), entry.get("val_mse"),
                           train_loss=entry.get("train_loss"))

    def add(self, key: str, x: float, y: float | None) -> None:
        if y is None:
            return
        self.series[key].append(x, y)
        self._dirty.add(key)

    def _metric(self, acc: float | None, mse: float | None) -> float | None:
        if self.classification:
            return acc * 100 if acc is not None else None
        return mse

    def add_step(self, x: float, loss: float, acc: float | None, mse: float | None) -> None:
        self.add("loss/train", x, loss)
        self.add("metric/train", x, self._metric(acc, mse))

    def add_epoch(self, x: float, loss: float | None, acc: float | None, mse: float | None,
                  train_loss: float | None = None) -> None:
        """Validation at the end of epoch ``x``; with the epoch's mean ``train_loss``, the
        gap between the two is shaded."""
        self.add("loss/val", x, loss)
        self.add("metric/val", x, self._metric(acc, mse))
        if train_loss is not None and loss is not None:
            self.epoch_train.append(x, train_loss)

    def refresh(self) -> bool:
        """Hand changed curves to pyqtgraph; False when nothing changed (no redraw)."""
        if not self._dirty:
            return False
        for key in self._dirty:
            x, y = self.series[key].data()
            self.curves[key].setData(x, y)
        if "loss/val" in self._dirty:
            self._show_gap_and_best()
        for name, plot in (("loss", self.loss_plot), ("metric", self.metric_plot)):
            if f"{name}/train" in self._dirty or f"{name}/val" in self._dirty:
                self._fit_y(name, plot)
        self._dirty.clear()
        return True

    def _fit_y(self, name: str, plot: pg.PlotItem) -> None:
        """Widen the y range to take in every point (never shrink it during a run)."""
        ys = [self.series[f"{name}/{part}"].data()[1] for part in ("train", "val")]
        finite = np.concatenate([y[np.isfinite(y)] for y in ys])
        if finite.size == 0:
            return
        low, high = float(finite.min()), float(finite.max())
        if name == "metric" and self.classification:
            return                    # accuracy keeps its 0-100% axis
        if name == "loss" or (low >= 0):
            low = 0.0                 # losses and MSE start at zero: the fall reads truly
        current = self._y[name]
        if current is not None and current[0] <= low and high <= current[1]:
            return
        if current is not None:
            low, high = min(low, current[0]), max(high, current[1])
        high = high if high > low else low + 1.0
        self._y[name] = (low, high)
        plot.setYRange(low, high, padding=0.04)

    def _show_gap_and_best(self) -> None:
        tx, ty = self.epoch_train.data()
        vx, vy = self.series["loss/val"].data()
        # the shading needs the training loss at the validation points: only when they match
        if np.array_equal(tx, vx):
            self.gap_edge.setData(tx, ty)
        else:
            self.gap_edge.setData([], [])
        finite = np.isfinite(vy)
        if not finite.any():
            self.best_epoch = None
            self.best_line.setVisible(False)
            return
        best = float(vx[finite][int(np.argmin(vy[finite]))])
        self.best_epoch = best
        self.best_line.setPos(best)
        self.best_line.label.setFormat(f"best val epoch {best:g}")
        self.best_line.setVisible(True)

    # -- recorded runs overlaid ---------------------------------------------------------------
    def show_runs(self, runs: list[tuple[str, list[dict]]], classification: bool = True) -> None:
        """Overlay recorded runs (name, per-epoch history); an empty list removes them."""
        self.clear_runs()
        if not runs:
            return
        self.reset(classification, max((len(h) for _, h in runs), default=1))
        ys: dict[str, list[float]] = {"loss": [], "metric": []}
        for i, (name, history) in enumerate(runs):
            color = QColor(RUN_COLORS[i % len(RUN_COLORS)])
            rows = [h for h in history if h.get("epoch") is not None]
            x = np.array([float(h["epoch"]) for h in rows])
            for part, plot in (("loss", self.loss_plot), ("metric", self.metric_plot)):
                train = np.array([_num(self._value(h, part, "train")) for h in rows])
                val = np.array([_num(self._value(h, part, "val")) for h in rows])
                a = plot.plot(x, train, pen=pg.mkPen(color, width=1.5), connect="finite")
                b = plot.plot(x, val, pen=pg.mkPen(color, width=2, style=Qt.PenStyle.DashLine),
                              symbol="o", symbolSize=6, symbolBrush=color, connect="finite")
                self.run_items += [(plot, a), (plot, b)]
                ys[part] += [v for v in np.concatenate([train, val]) if np.isfinite(v)]
                if part == "loss":
                    fill = QColor(color)
                    fill.setAlpha(GAP_ALPHA)
                    shade = pg.FillBetweenItem(a, b, brush=pg.mkBrush(fill))
                    shade.setZValue(-10)
                    plot.addItem(shade)
                    self.run_items.append((plot, shade))
                    self.legend.addItem(b, name)
                    self.run_names.append(name)
        self.legend.setColumnCount(2 + len(runs))
        self._base_labels("train (solid)", "validation (dashed)")
        for part, plot in (("loss", self.loss_plot), ("metric", self.metric_plot)):
            if ys[part] and not (part == "metric" and classification):
                plot.setYRange(0.0, max(ys[part]) or 1.0, padding=0.04)

    def clear_runs(self) -> None:
        for plot, item in self.run_items:
            plot.removeItem(item)
        for name in self.run_names:
            self.legend.removeItem(name)
        self.run_items, self.run_names = [], []
        self.legend.setColumnCount(2)
        self._base_labels("train (per step)", "validation (per epoch)")

    def _base_labels(self, train: str, val: str) -> None:
        """What the two styles mean: per step/epoch live, solid/dashed for recorded runs."""
        for (_sample, label), text in zip(self.legend.items[:2], (train, val), strict=True):
            label.setText(text)

    def _value(self, entry: dict, part: str, split: str) -> float | None:
        if part == "loss":
            return entry.get(f"{split}_loss")
        return self._metric(entry.get(f"{split}_acc"), entry.get(f"{split}_mse"))

    def point_count(self, key: str) -> int:
        """How many points the curve item shows (what the user sees, not the buffer)."""
        x = self.curves[key].xData
        return 0 if x is None else len(x)

    # -- look -----------------------------------------------------------------------------
    def _label_axes(self) -> None:
        style = {"font-size": f"{Theme.widget_point_size(9):.0f}pt"}
        self.loss_plot.setLabel("left", "loss", **style)
        self.metric_plot.setLabel("left", "accuracy (%)" if self.classification else "MSE",
                                  **style)
        self.metric_plot.setLabel("bottom", "epoch", **style)
        # stacked, the loss plot shares the metric plot's epoch axis below it
        beside = bool(self.side_by_side)
        self.loss_plot.setLabel("bottom", "epoch" if beside else None, **style)
        self.loss_plot.showLabel("bottom", beside)
        self.loss_plot.getAxis("bottom").setStyle(showValues=beside)

    def apply_theme(self) -> None:
        """Colours from the palette; thicker lines and bigger text when presenting."""
        dark = Theme.dark_for(self.palette())
        presenting = Theme.presentation
        pal = self.palette()
        background = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        self.view.setBackground(background)
        train, val = QColor(TRAIN_COLOR[dark]), QColor(VAL_COLOR[dark])
        width_train, width_val = (2.5, 3.0) if presenting else (1.0, 1.0)
        marker = 11 if presenting else 7
        font = QFont(self.font())
        font.setPointSizeF(Theme.widget_point_size(8.5))
        for key, curve in self.curves.items():
            if key.endswith("train"):
                curve.setPen(pg.mkPen(train, width=width_train))
                curve.setSymbol(None)
            else:
                curve.setPen(pg.mkPen(val, width=width_val, style=Qt.PenStyle.DashLine))
                curve.setSymbol("o")
                curve.setSymbolSize(marker)
                curve.setSymbolBrush(val)
                curve.setSymbolPen(pg.mkPen(background, width=1))
        gap = QColor(VAL_COLOR[dark])
        gap.setAlpha(GAP_ALPHA)
        self.gap.setBrush(pg.mkBrush(gap))
        self.gap_edge.setPen(pg.mkPen(None))
        self.best_line.setPen(pg.mkPen(text, width=2 if presenting else 1,
                                       style=Qt.PenStyle.DotLine))
        self.best_line.label.setColor(text)
        for plot in (self.loss_plot, self.metric_plot):
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(text))
                axis.setTextPen(pg.mkPen(text))
                axis.setTickFont(font)
        size = Theme.widget_point_size(8.5)
        for legend in self.legends:   # a plain line of text above the plots: no box
            legend.setBrush(pg.mkBrush(None))
            legend.setPen(pg.mkPen(None))
            legend.setLabelTextColor(text)
            legend.setLabelTextSize(f"{size:.0f}pt")
            for _sample, label in legend.items:
                label.setText(label.text)     # labels render their attributes on setText
        self.view.ci.layout.setRowMaximumHeight(0, round(size * 2.6))
        self._label_axes()
