"""The embedding view: how one layer arranges the validation samples, projected to 2-D.

Choose a layer (by default the input of the output layer: the last hidden layer, the
features the classifier decides from), PCA or t-SNE, and each validation sample becomes a
point coloured by its class. Classes that form separate clusters are ones the layer already
tells apart. Hovering a point shows the sample and what the network says; a click opens it
(``sample_chosen``).

The layer's outputs (one forward pass) and the projection run on a worker thread
(``Background``), with a busy bar and the words of what is being computed; choosing again
(another layer or method, Compute, Cancel) drops the job in flight, whose result is never
shown. scikit-learn's t-SNE spins its OpenMP threads against the trainer and the GUI on a
small machine (37 s for 359 points with 2 threads on the shared 2-core box, 1.2 s with
one), so the projection runs with one thread.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.runtime.insight.probe import NodePath, ProbeTarget, probe_targets
from netbuilder.runtime.tasks import run_task

from ..theme import Theme
from .background import Background
from .images import lut, widget_font
from .source import EDITED
from .thumbnails import is_image, png_data_uri, thumbnail
from .widgets import message_stack

# Okabe & Ito's colour-blind-safe palette (black swapped for grey, which reads on dark
# backgrounds too); each class also gets its own marker shape, so even two classes that
# share a colour (past the eighth) stay apart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999")
SYMBOLS = ("o", "s", "t", "d", "p")
METHODS = (("pca", "PCA"), ("tsne", "t-SNE"))
PASS_THROUGH = {"ReLU", "LeakyReLU", "GELU", "ELU", "SiLU", "Tanh", "Sigmoid", "Softmax",
                "LogSoftmax", "Dropout", "Dropout2d", "Identity", "Flatten"}
TRAINING = "Training… compute an embedding when the run ends (or stop it)."
LEGEND_LIMIT = 20


def class_style(index: int) -> tuple[str, str]:
    """(colour, marker) of class ``index``."""
    return PALETTE[index % len(PALETTE)], SYMBOLS[index % len(SYMBOLS)]


def default_path(targets: list[ProbeTarget], graph: Any, output_id: str | None) -> NodePath | None:
    """The input of the output layer: walk back from the network's output past activations,
    dropout and the like to the last layer with weights, and take what feeds it."""
    tops = {t.path[0]: t for t in targets if len(t.path) == 1}
    node = output_id
    while node is not None and node in tops and tops[node].type in PASS_THROUGH:
        edges = graph.in_edges(node)
        node = edges[0].source if edges else None
    if node is None or node not in tops:
        return targets[-1].path if targets else None
    edges = graph.in_edges(node)
    before = edges[0].source if edges else None
    if before is None or before not in tops or tops[before].type == "Input":
        return (node,)
    return (before,)


class _Token:
    cancelled = False


class EmbeddingView(QWidget):
    sample_chosen = Signal(int)        # a position in the RunContext's eval_set()
    computed = Signal()                # a new embedding is on screen

    def __init__(self, source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("embedding_view")
        self.source = source
        self.context: Any = None
        self.data: Any = None
        self.targets: list[ProbeTarget] = []
        self.result: dict[str, Any] | None = None    # the embedding on screen
        self._path: NodePath | None = None
        self._wanted_path: NodePath | None = None    # asked for before the targets were known
        self._token: _Token | None = None
        self._dirty = True
        self._items: list[pg.ScatterPlotItem] = []
        self._labels: list[pg.TextItem] = []
        self._tips: dict[int, str] = {}
        self._compute_soon = QTimer(self, singleShot=True, interval=0)
        self._compute_soon.timeout.connect(self.compute)
        self._bg = Background(self)
        self._bg.done.connect(self._on_done)
        self._bg.failed.connect(self._on_failed)
        self._build()
        source.changed.connect(self.reload)
        source.running_changed.connect(self._on_running)
        Theme.changed.connect(self._apply_theme)
        self._apply_theme()
        self.reload()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.stack, self.message = message_stack(self)
        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.node_label = QLabel("Layer")
        row.addWidget(self.node_label)
        self.node_box = QComboBox()
        self.node_box.setObjectName("embedding_node")
        self.node_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.node_box.setToolTip("The layer whose outputs are projected: one point per "
                                 "validation sample")
        self.node_box.activated.connect(self._on_node_box)
        row.addWidget(self.node_box)
        self.method_label = QLabel("Method")
        row.addWidget(self.method_label)
        self.method_box = QComboBox()
        self.method_box.setObjectName("embedding_method")
        for key, text in METHODS:
            self.method_box.addItem(text, key)
        self.method_box.setToolTip("PCA: the two directions along which the outputs vary most "
                                   "(quick, linear). t-SNE: keeps neighbours together, shows "
                                   "clusters (takes seconds; distances between clusters mean "
                                   "little)")
        self.method_box.activated.connect(lambda _i: self.compute())
        row.addWidget(self.method_box)
        self.compute_button = QPushButton("Compute")
        self.compute_button.setObjectName("embedding_compute")
        self.compute_button.clicked.connect(self.compute)
        row.addWidget(self.compute_button)
        self.busy = QProgressBar()
        self.busy.setObjectName("embedding_busy")
        self.busy.setRange(0, 0)             # busy: the length of t-SNE is not known
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(160)
        row.addWidget(self.busy)
        self.status = QLabel()
        self.status.setObjectName("embedding_status")
        row.addWidget(self.status, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("embedding_cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        pv.addLayout(row)
        self.info = QLabel()
        self.info.setObjectName("embedding_info")
        self.info.setWordWrap(True)
        pv.addWidget(self.info)
        self.plot_view = pg.GraphicsLayoutWidget()
        self.plot_view.setObjectName("embedding_plot")
        self.plot: pg.PlotItem = pg.PlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setAspectLocked(False)
        self.plot_view.addItem(self.plot, row=0, col=0, rowspan=2)
        # the legend in a column of its own at the top right, never over a point
        self.legend = pg.LegendItem(colCount=1, verSpacing=-2)
        self.plot_view.addItem(self.legend, row=0, col=1)
        self.plot_view.addItem(pg.GraphicsWidget(), row=1, col=1)
        layout = self.plot_view.ci.layout
        layout.setColumnStretchFactor(0, 10)
        layout.setRowStretchFactor(0, 0)
        layout.setRowStretchFactor(1, 10)
        pv.addWidget(self.plot_view, 1)
        self.stack.addWidget(page)
        self.page = page
        self._set_busy(None)

    def _apply_theme(self) -> None:
        self.message.setFont(widget_font(12))
        for w in (self.node_label, self.node_box, self.method_label, self.method_box,
                  self.compute_button, self.status, self.cancel_button, self.info):
            w.setFont(widget_font(10))
        pal = self.palette()
        background, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.plot_view.setBackground(background)
        font = widget_font(9)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
            axis.setTickFont(font)
        self.legend.setBrush(pg.mkBrush(None))
        self.legend.setPen(pg.mkPen(None))
        self.legend.setLabelTextColor(text)
        self.legend.setLabelTextSize(f"{Theme.widget_point_size(10):.0f}pt")
        if self.result is not None:
            self._draw()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._apply_theme()

    # -- following the source ------------------------------------------------------------------
    def reload(self) -> None:
        """New weights (or none, or stale): drop what is shown and start again."""
        self.cancel(quiet=True)
        ctx = self.source.context()
        reason = self.source.reason()
        self.result = None
        if ctx is None or reason is not None:
            self.context = None
            running = self.source.running and reason != EDITED
            self._show_message(TRAINING if running else reason or "Nothing to show yet.")
            return
        self.context = ctx
        self.data = ctx.eval_set()
        prober = self.source.prober()
        self.targets = probe_targets(ctx.graph)
        self.node_box.clear()
        for t in self.targets:
            shape = "x".join(str(d) for d in t.tensor.shape) if t.tensor is not None else "?"
            self.node_box.addItem(f"{'    ' * t.depth}{t.text}  ({t.type}, {shape})")
        paths = [t.path for t in self.targets]
        wanted = self._match(self._wanted_path or self._path)
        self._path = wanted or default_path(self.targets, ctx.graph, prober.output_id)
        if self._path in paths:
            self.node_box.setCurrentIndex(paths.index(self._path))
        self._clear_plot()
        self.info.setText("")
        self.stack.setCurrentWidget(self.page)
        self._dirty = True
        self.status.setText("")
        if self.isVisible():
            self._compute_soon.start()     # weights and running_changed come together: once

    def _on_running(self, running: bool) -> None:
        if self.context is None:
            reason = self.source.reason()
            if running and reason != EDITED:
                self._show_message(TRAINING)
            else:
                self._show_message(reason or "Nothing to show yet.")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty and self.context is not None and self._token is None:
            self.compute()

    def _show_message(self, text: str) -> None:
        self._clear_plot()
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    # -- choosing --------------------------------------------------------------------------------
    def _match(self, path: NodePath | str | None) -> NodePath | None:
        if path is None:
            return None
        path = (path,) if isinstance(path, str) else tuple(path)
        paths = [t.path for t in self.targets]
        if path in paths:
            return path
        bare = tuple(p for p in path if not isinstance(p, int))
        return next((p for p in paths if tuple(q for q in p if not isinstance(q, int)) == bare),
                    None)

    def set_node(self, path: NodePath | str | None) -> None:
        """Project layer ``path`` (a probe path such as ``("fc2",)``); unknown paths are
        remembered until weights for a network that has them arrive."""
        if path is None:
            return
        found = self._match(path)
        if found is None:
            self._wanted_path = (path,) if isinstance(path, str) else tuple(path)
            return
        self._wanted_path = None
        if found == self._path and (self.result is not None or self._token is not None):
            return
        self._path = found
        self.node_box.setCurrentIndex([t.path for t in self.targets].index(found))
        if self.context is not None:
            self.compute()

    @property
    def current_path(self) -> NodePath | None:
        return self._path

    @property
    def method(self) -> str:
        return str(self.method_box.currentData())

    def set_method(self, method: str) -> None:
        """``"pca"`` or ``"tsne"``; computes the embedding again."""
        index = self.method_box.findData(method)
        if index < 0:
            raise ValueError(f"method must be 'pca' or 'tsne'; received {method!r}")
        self.method_box.setCurrentIndex(index)
        self.compute()

    def _on_node_box(self, index: int) -> None:
        if 0 <= index < len(self.targets):
            self._path = self.targets[index].path
            self._wanted_path = None
            self.compute()

    # -- the work ------------------------------------------------------------------------------
    @property
    def computing(self) -> bool:
        return self._token is not None

    def compute(self) -> None:
        """Project the chosen layer with the chosen method (off the GUI thread)."""
        self._compute_soon.stop()
        if self.context is None or self._path is None:
            return
        self.cancel(quiet=True)
        self._dirty = False
        token = self._token = _Token()
        ctx, data, path, method = self.context, self.data, self._path, self.method
        prober = self.source.prober()
        loss = ctx.config.loss
        task = ctx.config.task
        n = len(data)
        name = dict(METHODS)[method]
        self._set_busy(f"Computing {name} of {n:,} points…")

        def work() -> dict[str, Any] | None:
            import torch
            from threadpoolctl import threadpool_limits

            from netbuilder.runtime.insight.embedding import project
            from netbuilder.runtime.losses import predicted_classes

            if token.cancelled:
                return None
            vectors, outputs = [], []
            for start in range(0, n, 256):
                out, seen = prober.forward(data.x[start:start + 256], [path])
                v = seen[path].detach().float()
                vectors.append(v.reshape(v.shape[0], -1).cpu())
                outputs.append(out.detach().float().cpu())
                if token.cancelled:
                    return None
            x = torch.cat(vectors).numpy()
            out = torch.cat(outputs)
            with threadpool_limits(1):
                coords = project(x.astype(np.float64), method)
            explained = None
            if method == "pca":
                total = float(x.var(axis=0).sum())
                explained = (coords.var(axis=0) / total).tolist() if total > 0 else None
            if run_task(task, data.info) == "reconstruction":
                predictions = None          # the answer is a picture, not a class or a number
            elif data.info.is_classification:
                predictions = predicted_classes(loss, out).numpy()
            else:
                predictions = out.reshape(n, -1)[:, 0].numpy()
            return {"token": token, "path": path, "method": method, "coords": coords,
                    "features": int(x.shape[1]), "predictions": predictions,
                    "explained": explained}
        self._bg.submit("embedding", work)

    def cancel(self, quiet: bool = False) -> None:
        """Drop the embedding being computed: its result will not be shown."""
        if self._token is None:
            return
        self._token.cancelled = True
        self._token = None
        self._set_busy(None)
        if not quiet:
            self.status.setText("Cancelled.")
            self._dirty = True

    def _set_busy(self, text: str | None) -> None:
        on = text is not None
        self.plot.setOpacity(0.35 if on else 1.0)    # what is shown is about to go
        self.busy.setVisible(on)
        self.cancel_button.setVisible(on)
        self.compute_button.setVisible(not on)
        self.status.setText(text or "")

    def _on_failed(self, _key: Any, message: str) -> None:
        self._token = None
        self._set_busy(None)
        self.status.setText(f"Could not compute the embedding: {message}")

    def _on_done(self, _key: Any, result: Any) -> None:
        if result is None or result["token"] is not self._token:
            return                     # cancelled, or asked for again since
        self._token = None
        self._set_busy(None)
        self.result = result
        self._tips.clear()
        self._draw()
        self.computed.emit()

    # -- drawing -------------------------------------------------------------------------------
    def _clear_plot(self) -> None:
        for item in self._items:
            self.plot.removeItem(item)
        for label in self._labels:
            self.plot.removeItem(label)
        self._items, self._labels = [], []
        self.legend.clear()

    def point_count(self) -> int:
        """How many points the plot shows."""
        return sum(len(item.data) for item in self._items)

    def _draw(self) -> None:
        r, data = self.result, self.data
        self._clear_plot()
        coords = r["coords"]
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.Text)
        background = pal.color(QPalette.ColorRole.Base)
        size = 11 if Theme.presentation else 8
        edge = QColor(text)
        edge.setAlpha(110)
        classification = data.info.is_classification
        positions = np.arange(len(data))
        if classification:
            y = data.y.numpy()
            names = data.classes
            for k, name in enumerate(names):
                mask = y == k
                if not mask.any():
                    continue
                colour, symbol = class_style(k)
                item = self._scatter(coords[mask], positions[mask], QColor(colour), symbol,
                                     size, edge)
                if k < LEGEND_LIMIT:
                    self.legend.addItem(item, name)
                centre = np.median(coords[mask], axis=0)
                label = pg.TextItem(name, color=text, anchor=(0.5, 0.5),
                                    fill=pg.mkBrush(QColor(background.red(), background.green(),
                                                           background.blue(), 190)))
                label.setFont(widget_font(11, bold=True))
                label.setPos(float(centre[0]), float(centre[1]))
                self.plot.addItem(label)
                self._labels.append(label)
        else:
            values = data.y.float().reshape(len(data), -1)[:, 0].numpy()
            lo, hi = float(values.min()), float(values.max())
            idx = np.clip(((values - lo) / (hi - lo if hi > lo else 1) * 255), 0, 255).astype(int)
            table = lut("viridis")
            brushes = [pg.mkBrush(*table[i]) for i in idx]
            item = self._scatter(coords, positions, QColor("#1f77b4"), "o", size, edge)
            item.setBrush(brushes)
        self._describe()
        self.plot.enableAutoRange()
        self.plot_view.ci.layout.activate()      # place the refilled legend now, not later

    def _scatter(self, coords: np.ndarray, positions: np.ndarray, colour: QColor, symbol: str,
                 size: float, edge: QColor) -> pg.ScatterPlotItem:
        fill = QColor(colour)
        fill.setAlpha(215)
        item = pg.ScatterPlotItem(x=coords[:, 0], y=coords[:, 1], data=positions,
                                  symbol=symbol, size=size, brush=pg.mkBrush(fill),
                                  pen=pg.mkPen(edge, width=0.6), hoverable=True,
                                  hoverSize=size * 1.8, hoverPen=pg.mkPen(edge, width=2),
                                  tip=self._tip)
        item.sigClicked.connect(self._on_clicked)
        self.plot.addItem(item)
        self._items.append(item)
        return item

    def _describe(self) -> None:
        r = self.result
        target = next((t for t in self.targets if t.path == r["path"]), None)
        where = f"{target.text} ({target.type})" if target else "this layer"
        n = len(self.data)
        if r["method"] == "pca":
            ex = r["explained"]
            share = (f", which hold {100 * (ex[0] + ex[1]):.0f}% of its variation"
                     if ex and len(ex) == 2 else "")
            how = (f"PCA: the two directions in which its {r['features']} values vary most"
                   f"{share}.")
            self.plot.setLabel("bottom", "principal component 1")
            self.plot.setLabel("left", "principal component 2")
            axes_values = True
        else:
            how = ("t-SNE: samples the layer finds alike lie close together; the distances "
                   "between clusters and the axes mean little.")
            self.plot.setLabel("bottom", "t-SNE 1")
            self.plot.setLabel("left", "t-SNE 2")
            axes_values = False
        for side in ("left", "bottom"):
            self.plot.getAxis(side).setStyle(showValues=axes_values)
        colour = ("Colour and shape: the true class." if self.data.info.is_classification
                  else "Colour: the target value (dark low, yellow high).")
        self.info.setText(f"{n:,} validation samples at {where}, {r['features']} values each, "
                          f"by {how} {colour} Hover a point to see it, click to open it.")
        self.status.setText("")

    def tooltip_for(self, position: int) -> str:
        """The hover text of validation sample ``position``: its picture, true and predicted."""
        tip = self._tips.get(position)
        if tip is not None:
            return tip
        data, r = self.data, self.result
        pal = self.palette()
        sample = data.raw[position] if is_image(tuple(data.info.sample_shape)) else data.x[position]
        picture = thumbnail(sample.numpy(), 84, pal.color(QPalette.ColorRole.Base),
                            pal.color(QPalette.ColorRole.Mid))
        if data.info.is_classification:
            names = data.classes
            t = int(data.y[position])
            if r["predictions"] is None:
                words = f"class {names[t]}"
            else:
                p = int(r["predictions"][position])
                verdict = "right" if t == p else "wrong"
                words = f"true {names[t]}, predicted {names[p]} ({verdict})"
        elif r["predictions"] is None:
            words = f"target {float(data.y[position].reshape(-1)[0]):.3g}"
        else:
            words = (f"true {float(data.y[position].reshape(-1)[0]):.3g}, predicted "
                     f"{float(r['predictions'][position]):.3g}")
        tip = (f"<img src='{png_data_uri(picture)}'><br><b>sample {position + 1}</b>: {words}")
        self._tips[position] = tip
        return tip

    def _tip(self, x: float, y: float, data: Any) -> str:
        return self.tooltip_for(int(data))

    def _on_clicked(self, _item, points, _event) -> None:
        if len(points):
            self.sample_chosen.emit(int(points[0].data()))
