"""Setting against validation score, one scatter plot per varied setting, filled as trials end.

Completed trials are filled circles, pruned ones hollow squares (stopped early: their score
is the best epoch they reached), the best so far a large star, so the kinds differ without
colour. Rates on a log scale get a log x axis; a setting with choices (optimiser, batch size)
gets one tick per choice.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

POINT = ("#1d4ed8", "#60a5fa")       # blue (light, dark), as the training curves
BEST = ("#c2410c", "#fb923c")        # orange
COLUMNS_MAX = 3


class ScorePlots(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tune_plots")
        self.view = pg.GraphicsLayoutWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.plots: dict[str, Any] = {}
        self.items: dict[str, tuple[Any, Any, Any]] = {}
        self.params: list[Any] = []
        self.dark = False
        self.objective = "val_loss"

    def reset(self, params: list[Any], objective: str, dark: bool) -> None:
        """New plots for the space's parameters (``runtime.tune.space.Parameter``)."""
        self.view.clear()
        self.plots, self.items, self.params = {}, {}, list(params)
        self.dark, self.objective = dark, objective
        fg = "#e5e7eb" if dark else "#111827"
        self.view.setBackground("#1f2937" if dark else "w")
        columns = min(COLUMNS_MAX, max(1, len(params)))
        label = "validation loss" if objective == "val_loss" else "validation accuracy"
        for i, p in enumerate(params):
            plot = self.view.addPlot(row=i // columns, col=i % columns)
            plot.setLabel("bottom", p.name, color=fg)
            plot.setLabel("left", label if i % columns == 0 else "", color=fg)
            for axis in ("bottom", "left"):
                plot.getAxis(axis).setTextPen(fg)
                plot.getAxis(axis).setPen(fg)
            if p.kind == "choice":
                plot.getAxis("bottom").setTicks([[(j, str(c)) for j, c in
                                                  enumerate(p.choices)]])
                plot.setXRange(-0.5, len(p.choices) - 0.5, padding=0)
            elif p.log:
                plot.setLogMode(x=True, y=False)
            plot.getAxis("left").enableAutoSIPrefix(False)     # 0.25, not 250 (x0.001)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            # PlotDataItems (no line) rather than bare scatter items: they follow log mode
            done = pg.PlotDataItem(pen=None, symbol="o", symbolSize=9,
                                   symbolPen=pg.mkPen(None), symbolBrush=pg.mkBrush(POINT[dark]))
            pruned = pg.PlotDataItem(pen=None, symbol="s", symbolSize=9,
                                     symbolPen=pg.mkPen(POINT[dark], width=1),
                                     symbolBrush=pg.mkBrush(None))
            best = pg.PlotDataItem(pen=None, symbol="star", symbolSize=20,
                                   symbolPen=pg.mkPen(fg, width=1),
                                   symbolBrush=pg.mkBrush(BEST[dark]))
            for item in (pruned, done, best):
                plot.addItem(item)
            self.plots[p.name] = plot
            self.items[p.name] = (done, pruned, best)

    def show_results(self, results: list[Any], best: Any) -> None:
        """Redraw every plot from the trials so far (a few dozen points: cheap)."""
        for p in self.params:
            done, pruned, star = self.items[p.name]
            xs_done, ys_done, xs_pruned, ys_pruned = [], [], [], []
            for r in results:
                if r.value is None or not math.isfinite(r.value):
                    continue
                x = self._x(p, r.values.get(p.name))
                if x is None:
                    continue
                if r.state == "complete":
                    xs_done.append(x)
                    ys_done.append(r.value)
                else:
                    xs_pruned.append(x)
                    ys_pruned.append(r.value)
            done.setData(xs_done, ys_done)
            pruned.setData(xs_pruned, ys_pruned)
            bx = self._x(p, best.values.get(p.name)) if best is not None else None
            star.setData([bx] if bx is not None else [], [best.value] if bx is not None else [])

    def _x(self, p: Any, value: Any) -> float | None:
        if value is None:
            return None
        if p.kind == "choice":
            try:
                return float(list(p.choices).index(value))
            except ValueError:
                return None
        # pyqtgraph's log mode takes the data as it is and draws log10 of it
        return float(value)

    def point_counts(self) -> dict[str, int]:
        """Points drawn per plot (completed + pruned), for tests and the status line."""
        def count(item: Any) -> int:
            xs = item.getOriginalDataset()[0]
            return 0 if xs is None else len(xs)

        return {name: count(items[0]) + count(items[1]) for name, items in self.items.items()}
