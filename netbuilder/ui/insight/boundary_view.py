"""The decision-boundary view: what the network predicts at every point of a 2-D dataset's plane.

For a classification dataset with two input features (moons, circles, XOR, spirals, a CSV
with two feature columns) the plane is coloured by the predicted class, pale where the
network is unsure, strong where it is sure; the training points (filled circles) and the
validation points (hollow squares) lie on top in their true class's colour, so a point on
the wrong colour is a mistake. For a small MLP a row of small squares per hidden layer shows
each unit's own output over the same plane (TensorFlow Playground's picture).

It follows ``InsightSource``: the held weights after a run or a loaded checkpoint, and while
a run trains (and this view is on screen) a copy of the live weights five times a second,
asked for by a timer in the GUI thread. The grid is evaluated on a worker thread
(``Background``, one job at a time, newest wins) and only the picture is set in the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netbuilder.runtime.insight.boundary import (
    DecisionGrid,
    HiddenLayer,
    decision_grid,
    extent_of,
    is_two_feature,
    playground_layers,
)

from ...graph.words import plural
from ..theme import Theme
from .background import Background
from .embedding_view import PALETTE
from .images import widget_font
from .unit_squares import UnitSquares, unit_colours
from .widgets import message_stack

LIVE_MS = 200               # a new picture at most five times a second while training
LIVE_RESOLUTION = 64
FINAL_RESOLUTION = 120
EXAMPLES_2D = "perceptron and mlp_moons"
NEEDS_2D = ("The decision boundary needs a classification dataset with two input features "
            "(each sample a point on a plane); this run's dataset is {what}. Open the "
            f"examples {EXAMPLES_2D} (the two moons), or train on the moons, circles, xor or "
            "spirals dataset, or a CSV file with two feature columns.")
TRAINING = "Training… the decision boundary appears in a moment and follows the training live."
LEGEND_LIMIT = 8


@dataclass(frozen=True, eq=False)
class Plane:
    """What is drawn under and over the picture for one run: the window and the points."""

    extent: tuple[float, float, float, float]
    train: np.ndarray          # (n, 2) raw points
    train_y: np.ndarray
    val: np.ndarray
    val_y: np.ndarray
    classes: list[str]
    feed: Any                  # raw points -> the network's input
    layers: list[HiddenLayer]
    title: str


def plane_of(ctx: Any) -> Plane:
    """The window, the points and the hidden layers of a RunContext's run."""
    from netbuilder.runtime.datasets import split_indices

    data = ctx.eval_set()
    dataset = ctx.dataset
    c = ctx.config
    train_idx, val_idx = split_indices(dataset, c.val_fraction, c.seed)
    raw = dataset.x.float()
    return Plane(extent_of(raw), raw[train_idx].numpy(), dataset.y[train_idx].numpy(),
                 raw[val_idx].numpy(), dataset.y[val_idx].numpy(), data.classes, data.feed,
                 playground_layers(ctx.graph), dataset.info.title or dataset.info.name)


def class_colour(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])


def plane_image(grid: DecisionGrid, classes: int, base: tuple[int, int, int]) -> np.ndarray:
    """(x, y, 3) uint8 colours: each cell its predicted class's colour over ``base``, the
    stronger the surer (chance level: almost ``base``; certain: a clear tint that the points'
    own colours still stand out on)."""
    colours = np.array([class_colour(k).getRgb()[:3] for k in range(max(classes, 1))],
                       dtype=np.float64)
    base_rgb = np.array(base, dtype=np.float64)
    chance = 1.0 / max(classes, 2)
    sure = np.clip((grid.confidence - chance) / (1 - chance), 0, 1)
    strength = (0.08 + 0.45 * sure)[..., None]
    target = colours[np.clip(grid.predicted, 0, len(colours) - 1)]
    rgb = base_rgb + (target - base_rgb) * strength
    return np.ascontiguousarray(rgb.astype(np.uint8).transpose(1, 0, 2))   # pyqtgraph: [x, y]


@dataclass(frozen=True, eq=False)
class Picture:
    """A DecisionGrid made into colours (on the worker thread): the plane and the units."""

    grid: DecisionGrid
    plane: np.ndarray                                   # (x, y, 3) uint8 for the ImageItem
    units: list[tuple[str, np.ndarray]]                 # (title, (units, h, w, 3) uint8)


def _compute(prober: Any, plane: Plane, ctx: Any, resolution: int,
             base: tuple[int, int, int]) -> Picture:
    """The grid over ``plane`` for ``ctx``'s weights, in colours (on the worker thread)."""
    with torch.inference_mode():
        grid = decision_grid(prober, plane.extent, resolution, ctx.config.loss,
                             units_of=[h.node for h in plane.layers], feed=plane.feed)
    return _colour(grid, plane, base)


def _colour(grid: DecisionGrid, plane: Plane, base: tuple[int, int, int]) -> Picture:
    units = [(f"{h.node} ({h.units})", unit_colours(grid.units[(h.node,)], base))
             for h in plane.layers if (h.node,) in grid.units]
    return Picture(grid, plane_image(grid, len(plane.classes), base), units)


class BoundaryView(QWidget):
    refreshed = Signal()          # a new picture is on screen

    def __init__(self, source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundary_view")
        self.source = source
        self.grid: DecisionGrid | None = None     # the picture on screen
        self._picture: Picture | None = None
        self.context: Any = None                  # the RunContext it was computed for
        self.plane: Plane | None = None
        self.live_epoch: int | None = None
        self.redraws = 0
        self.live_redraws = 0
        self._plane_for: tuple | None = None
        self._generation = 0
        self._dirty = True
        self._waiting = False           # a snapshot was asked for and has not come yet
        from netbuilder.runtime.insight.probe import ReusedProber  # torch: loaded with the view

        self._live_prober = ReusedProber()   # used on the worker thread only
        self._points: list[pg.ScatterPlotItem] = []
        self._bg = Background(self)
        self._bg.done.connect(self._on_done)
        self._bg.failed.connect(self._on_failed)
        self._timer = QTimer(self, interval=LIVE_MS)
        self._timer.timeout.connect(self._ask_live)
        self._build()
        source.changed.connect(self._on_source_changed)
        source.live.connect(self._on_live)
        source.running_changed.connect(self._on_running)
        Theme.changed.connect(self._apply_theme)
        self._apply_theme()
        self._on_source_changed()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.stack, self.message = message_stack(self)
        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        self.headline = QLabel()
        self.headline.setObjectName("boundary_headline")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setWordWrap(True)
        pv.addWidget(self.headline)
        self.plot_view = pg.GraphicsLayoutWidget()
        self.plot_view.setObjectName("boundary_plot")
        self.plot = pg.PlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.plot_view.addItem(self.plot, row=0, col=0, rowspan=2)
        self.legend = pg.LegendItem(colCount=1, verSpacing=-2)
        self.plot_view.addItem(self.legend, row=0, col=1)
        self.plot_view.addItem(pg.GraphicsWidget(), row=1, col=1)
        layout = self.plot_view.ci.layout
        layout.setColumnStretchFactor(0, 10)
        layout.setRowStretchFactor(0, 0)
        layout.setRowStretchFactor(1, 10)
        pv.addWidget(self.plot_view, 1)
        self.units_title = QLabel()
        self.units_title.setObjectName("boundary_units_title")
        self.units_title.setWordWrap(True)
        pv.addWidget(self.units_title)
        self.units = UnitSquares()
        pv.addWidget(self.units)
        self.page = page
        self.stack.addWidget(page)

    def _apply_theme(self) -> None:
        self.message.setFont(widget_font(12))
        self.headline.setFont(widget_font(11))
        self.units_title.setFont(widget_font(10))
        pal = self.palette()
        background, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.plot_view.setBackground(background)
        font = widget_font(9)
        style = {"font-size": f"{Theme.widget_point_size(10):.0f}pt", "color": text.name()}
        for side, name in (("bottom", "feature 1"), ("left", "feature 2")):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
            axis.setTickFont(font)
            axis.enableAutoSIPrefix(False)
            self.plot.setLabel(side, name, **style)
        self.legend.setBrush(pg.mkBrush(None))
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(text)
        self.legend.setLabelTextSize(f"{Theme.widget_point_size(10):.0f}pt")
        if self.plane is not None:
            self._draw_points()
        if self.grid is not None:
            self._picture = _colour(self.grid, self.plane, self._base())
            self._draw_grid()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_theme()

    # -- following the source ------------------------------------------------------------------
    def _on_source_changed(self) -> None:
        """New weights, none, or weights that no longer fit the network."""
        self._generation += 1
        message = self.source.blocked(self.live_epoch is not None, TRAINING)
        if message is not None:
            if message and message != TRAINING:    # no weights to show: forget the last
                self._forget()
            if message:
                self._show_message(message)
            return
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_running(self, running: bool) -> None:
        self._waiting = False
        if running and self.isVisible():
            self._timer.start()
            self._ask_live()
        else:
            self._timer.stop()
        if running and self.source.context() is None and self.grid is None:
            self._show_message(TRAINING)

    def _ask_live(self) -> None:
        if not self.source.running or not self.isVisible():
            self._timer.stop()
            return
        if self._waiting or self._bg.busy:
            return                      # the last picture is not done yet: skip this tick
        self._waiting = True
        self.source.request_live()

    def _on_live(self, ctx: Any) -> None:
        self._waiting = False
        if not self.isVisible() or self._bg.busy or ctx.state_dict is None:
            return
        if not self._accepts(ctx):
            return
        generation, plane, base = self._generation, self.plane, self._base()
        holder = self

        def work():
            prober = holder._live_prober.get(ctx)   # one module for every run of the network
            return generation, ctx, _compute(prober, plane, ctx, LIVE_RESOLUTION, base), ctx.epoch
        self._bg.submit("boundary", work)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.source.running:
            self._timer.start()
            self._ask_live()
        elif self._dirty and self.source.context() is not None:
            self.refresh()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._timer.stop()

    def refresh(self) -> None:
        """Draw the held weights' boundary (computed on the worker thread)."""
        ctx = self.source.context()
        if ctx is None:
            self._on_source_changed()
            return
        self._dirty = False
        if not self._accepts(ctx):
            return
        prober = self.source.prober()
        generation, plane, base = self._generation, self.plane, self._base()

        def work():
            return generation, ctx, _compute(prober, plane, ctx, FINAL_RESOLUTION, base), None
        if self.grid is None:
            self._show_message("Drawing the decision boundary…")
        self._bg.submit("boundary", work)

    # -- computing -------------------------------------------------------------------------------
    def _accepts(self, ctx: Any) -> bool:
        """Whether ``ctx``'s dataset is one of points on a plane (else say so); makes its Plane."""
        info = ctx.dataset.info
        reconstruction = getattr(ctx.config, "task", "auto") == "reconstruction"
        if not (is_two_feature(tuple(info.sample_shape)) and info.is_classification) \
                or reconstruction:       # an autoencoder draws points, not class regions
            shape = "x".join(str(d) for d in info.sample_shape)
            kind = "reconstruction" if reconstruction else \
                "classification" if info.is_classification else info.task
            self._forget()
            self._show_message(NEEDS_2D.format(
                what=f"'{info.name}' ({kind}, samples of shape {shape})"))
            return False
        key = (id(ctx.dataset), ctx.fingerprint, ctx.config.val_fraction, ctx.config.seed,
               ctx.config.normalize)
        if self._plane_for != key:
            self.plane = plane_of(ctx)
            self._plane_for = key
            self._draw_points()
        return True

    def _on_failed(self, _key: Any, message: str) -> None:
        self._show_message(f"Could not draw the decision boundary: {message}")

    def _on_done(self, _key: Any, result: Any) -> None:
        generation, ctx, picture, live_epoch = result
        grid = picture.grid
        if generation != self._generation:
            return                    # the weights changed while it was computed
        if live_epoch is None and self.source.context() is not ctx:
            return
        if live_epoch is not None and not self.source.running:
            return                    # the run ended; its final weights come next
        if self.plane is None or grid.extent != self.plane.extent:
            return                    # computed for another dataset's window
        self.context, self.grid, self.live_epoch = ctx, grid, live_epoch
        self._picture = picture
        self._draw_grid()
        self.redraws += 1
        self.live_redraws += live_epoch is not None
        self.stack.setCurrentWidget(self.page)
        self.refreshed.emit()

    def _forget(self) -> None:
        self.grid = self.context = None
        self.live_epoch = None

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    # -- drawing ----------------------------------------------------------------------------------
    def point_counts(self) -> tuple[int, int]:
        """How many (training, validation) points the plot shows."""
        train = sum(len(i.data) for i in self._points if i.opts.get("name", "").endswith("training"))
        return train, sum(len(i.data) for i in self._points) - train

    def _draw_points(self) -> None:
        plane = self.plane
        for item in self._points:
            self.plot.removeItem(item)
        self._points = []
        self.legend.clear()
        pal = self.palette()
        edge = QColor(pal.color(QPalette.ColorRole.Text))
        edge.setAlpha(160)
        size = 9 if Theme.presentation else 7
        dark = Theme.dark_for(pal)

        def ring(colour: QColor) -> QColor:
            """A hollow marker's line: a shade further from the background than the fill."""
            return colour.lighter(125) if dark else colour.darker(130)
        for k, name in enumerate(plane.classes):
            colour = class_colour(k)
            train = plane.train[plane.train_y == k]
            val = plane.val[plane.val_y == k]
            filled = pg.ScatterPlotItem(x=train[:, 0], y=train[:, 1], symbol="o", size=size,
                                        brush=pg.mkBrush(colour), pen=pg.mkPen(edge, width=0.6),
                                        name=f"{name}, training")
            hollow = pg.ScatterPlotItem(x=val[:, 0], y=val[:, 1], symbol="s", size=size + 1,
                                        brush=pg.mkBrush(None),
                                        pen=pg.mkPen(ring(colour), width=Theme.line(2)),
                                        name=f"{name}, validation")
            for item in (filled, hollow):
                self.plot.addItem(item)
                self._points.append(item)
                if k < LEGEND_LIMIT:
                    self.legend.addItem(item, item.opts["name"])
        x0, x1, y0, y1 = plane.extent
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.plot_view.ci.layout.activate()

    def _base(self) -> tuple[int, int, int]:
        return tuple(self.palette().color(QPalette.ColorRole.Base).getRgb()[:3])

    def _draw_grid(self) -> None:
        grid, picture = self.grid, self._picture
        self.image.setImage(picture.plane, autoLevels=False, levels=(0, 255))
        x0, x1, y0, y1 = grid.extent
        res = grid.predicted.shape[0]
        dx, dy = (x1 - x0) / (res - 1), (y1 - y0) / (res - 1)
        # each cell centred on its grid point
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        self._write_headline()
        self._draw_units()

    def _write_headline(self) -> None:
        plane, grid = self.plane, self.grid
        if self.live_epoch is not None:
            when = f"live, during epoch {self.live_epoch} of training (redrawn 5 times a second)"
        else:
            epochs = getattr(self.context, "epoch", 0)
            when = f"after {plural(epochs, 'epoch')} of training"
        right = self._validation_right(grid)
        small = f"<span style='font-size:{Theme.widget_point_size(10):.0f}pt'>"
        self.headline.setText(
            f"<b>{plane.title}</b>: the colour is the class the network predicts at each point, "
            f"paler where it is less sure. Dots: the {len(plane.train):,} training points, "
            f"hollow squares: the {len(plane.val):,} validation points, in their true class's "
            f"colour (on the other colour: a mistake). &nbsp; {small}{right}{when}</span>")

    def _validation_right(self, grid: DecisionGrid) -> str:
        """The share of validation points on their own class's colour (nearest cell)."""
        plane = self.plane
        if not len(plane.val):
            return ""
        x0, x1, y0, y1 = grid.extent
        res = grid.predicted.shape[0]
        cols = np.clip(np.rint((plane.val[:, 0] - x0) / (x1 - x0) * (res - 1)), 0, res - 1)
        rows = np.clip(np.rint((plane.val[:, 1] - y0) / (y1 - y0) * (res - 1)), 0, res - 1)
        share = float((grid.predicted[rows.astype(int), cols.astype(int)] == plane.val_y).mean())
        return f"about {100 * share:.0f}% of validation points on their colour · "

    def _draw_units(self) -> None:
        rows = self._picture.units
        self.units.set_layers(rows)
        self.units_title.setVisible(bool(rows))
        self.units.setVisible(bool(rows))
        if rows:
            self.units_title.setText(
                "Each hidden unit's own output over the same plane (blue: positive, orange: "
                "negative, pale: near zero; each square scaled to its unit). The output layer "
                "combines these pictures into the boundary above.")
