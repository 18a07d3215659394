"""The Backprop tab: one training step at a time, Forward -> Loss -> Backward -> Update.

Next and Previous walk the phases of training steps recorded by a
``runtime.insight.backprop.Stepper`` (built on first use from the project's graph and the
training panel's settings, weights from the run's seed, or on request the trained weights
the panel holds): Previous shows an earlier step exactly as it was, Next past the last step
runs a new one. The tab says what each phase
does, gives the loss with the chosen sample's target and output, and lists every parameter
with its value, its gradient and the update the optimiser applied; a parameter picked in
the list is drawn as three small grids of numbers (value, gradient, update) coloured on a
diverging scale. With a canvas attached (``set_canvas``) the same step is written under
the cards (``backprop_overlay``). Any edit of the network (or of its training settings)
drops the recorded steps: they belonged to the network as it was.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.graph.document import Change

from ..doc_link import DocumentLink
from ..theme import Theme
from .backprop_overlay import BACKWARD_COLOUR, FORWARD_COLOUR, power_text, scaled
from .images import lut, widget_font

EXPLAIN = {
    "forward": ("Forward: each layer computes its output from the layer before, for every "
                "sample of the batch. The canvas shows the chosen sample's outputs under each "
                "card (blue)."),
    "loss": ("Loss: the output is compared with the targets; the loss is the mean over the "
             "batch. It is written under the output layer."),
    "backward": ("Backward: autograd sends the gradient ∂L/∂ of the loss back through every "
                 "layer, from the output to the input (vermillion, under the blue values), and "
                 "gives each weight its gradient (table below)."),
    "update": ("Update: the optimiser moves every weight using its gradient. The table shows "
               "the update applied (after − before); Next runs the next step on the next "
               "samples."),
}
START = ("Press Next to run one training step of this network, phase by phase, on a few "
         "samples: every value, gradient and update is shown here and on the canvas.")
EDITED = "The network changed: press Next to step through it as it is now."
SMALL = 4                      # parameters with at most this many numbers are written out


def vector_text(values: list[float]) -> str:
    exp, texts = scaled(values)
    return f"[{', '.join(texts)}]{power_text(exp)}"


def summary_text(t: Any) -> str:
    """All the numbers of a small tensor; for a larger one its norm and largest entry."""
    if t is None:
        return "none (no gradient reached it)"
    flat = t.reshape(-1).tolist()
    if len(flat) <= SMALL:
        return vector_text(flat)
    biggest = max(abs(v) for v in flat)
    return f"norm {float(t.norm()):.3g}, largest |·| {biggest:.3g}"


class NumberGrid(QWidget):
    """A small matrix (or vector) with every number written in a cell of a diverging colour."""

    CELL_W, CELL_H = 52, 20

    def __init__(self, title: str, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.colour = colour
        self.values: list[list[float]] = []
        self.texts: list[list[str]] = []
        self.heading = title

    def set_matrix(self, t: Any, note: str = "none") -> None:
        if t is None:
            self.values, self.texts, self.heading = [], [], f"{self.title}: {note}"
        else:
            m = t.reshape(t.shape[0], -1) if t.dim() >= 2 else t.reshape(1, -1)
            self.values = m.tolist()
            exp, flat = scaled([v for row in self.values for v in row])
            cols = len(self.values[0]) if self.values else 0
            self.texts = [flat[i * cols:(i + 1) * cols] for i in range(len(self.values))]
            self.heading = f"{self.title}{power_text(exp)}"
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        rows = len(self.values)
        cols = len(self.values[0]) if rows else 0
        head = QFontMetricsF(widget_font(9, bold=True)).horizontalAdvance(self.heading) + 12
        return QSize(int(max(160, cols * self.CELL_W + 4, head)), (rows + 1) * self.CELL_H + 8)

    minimumSizeHint = sizeHint

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setFont(widget_font(9, bold=True))
        p.setPen(QColor(self.colour) if self.colour else self.palette().windowText().color())
        p.drawText(QRectF(2, 0, self.width(), self.CELL_H), Qt.AlignmentFlag.AlignVCenter,
                   self.heading)
        flat = [abs(v) for row in self.values for v in row if math.isfinite(v)]
        top = max(flat, default=1.0) or 1.0
        table = lut("diverging")
        mono = widget_font(9)
        mono.setFamily("DejaVu Sans Mono")
        p.setFont(mono)
        for r, row in enumerate(self.values):
            for c, v in enumerate(row):
                cell = QRectF(2 + c * self.CELL_W, (r + 1) * self.CELL_H + 4, self.CELL_W - 2,
                              self.CELL_H - 2)
                x = 0.5 + 0.5 * (v / top if math.isfinite(v) else 0.0)
                # pale ends of the scale: the number stays black on every cell
                rgb = table[int(round(0.5 * 255 + (x - 0.5) * 0.55 * 255))]
                p.fillRect(cell, QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
                p.setPen(QColor("#111111"))
                p.drawText(cell, Qt.AlignmentFlag.AlignCenter, self.texts[r][c])
        p.end()


class BackpropView(QWidget):
    stepped = Signal()          # a phase is shown (tests wait on it)

    def __init__(self, source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.document = source.document
        self.stepper: Any = None
        self.cursor: Any = None
        self.overlay: Any = None
        self.record: Any = None
        self.phase: str | None = None
        self._build()
        self._link = DocumentLink(self, self.document, self._on_document_change)
        self._show_message(START)
        self._on_weights()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setObjectName("backprop_previous")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("backprop_next")
        self.restart_button = QPushButton("Start over")
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.restart_button.clicked.connect(self.start_over)
        self.batch = QSpinBox()
        self.batch.setRange(1, 32)
        self.batch.setValue(4)
        self.batch.setPrefix("batch of ")
        self.batch.setSuffix(" samples")
        self.batch.setToolTip("Samples in each training step (1: one sample at a time)")
        self.batch.valueChanged.connect(lambda _v: self.start_over())
        self.sample = QSpinBox()
        self.sample.setRange(1, 4)
        self.sample.setPrefix("show sample ")
        self.sample.setToolTip("Which sample of the batch the canvas and the loss line show")
        self.sample.valueChanged.connect(lambda _v: self._redraw())
        self.trained = QCheckBox("From the trained weights")
        self.trained.setObjectName("backprop_trained")
        self.trained.setToolTip("Step from the weights the Training panel holds (the last run "
                                "or a loaded checkpoint) instead of the fresh ones training "
                                "starts from; the optimiser starts afresh")
        self.trained.setEnabled(False)
        self.trained.toggled.connect(lambda _on: self.start_over())
        self.source.changed.connect(self._on_weights)
        self.on_canvas = QCheckBox("Numbers on the canvas")
        self.on_canvas.setChecked(True)
        self.on_canvas.toggled.connect(lambda _on: self._redraw())
        for w in (self.previous_button, self.next_button, self.restart_button, self.batch,
                  self.sample, self.trained, self.on_canvas):
            controls.addWidget(w)
        controls.addStretch(1)
        layout.addLayout(controls)
        self.phases = QLabel()
        self.phases.setObjectName("backprop_phases")
        self.phases.setTextFormat(Qt.TextFormat.RichText)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.loss = QLabel()
        self.loss.setObjectName("backprop_loss")
        self.loss.setWordWrap(True)
        self.loss.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (self.phases, self.explain, self.loss):
            layout.addWidget(w)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("backprop_params")
        self.table.setHorizontalHeaderLabels(["parameter", "shape", "value (before)",
                                              "gradient ∂L/∂w", "update (after − before)"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._show_matrix)
        split.addWidget(self.table)
        grids = QWidget()
        row = QHBoxLayout(grids)      # value, gradient and update side by side
        self.value_grid = NumberGrid("value w", "")
        self.grad_grid = NumberGrid("gradient ∂L/∂w", BACKWARD_COLOUR)
        self.update_grid = NumberGrid("update Δw", "")
        for g in (self.value_grid, self.grad_grid, self.update_grid):
            row.addWidget(g, 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(grids)
        scroll.setWidgetResizable(True)
        split.addWidget(scroll)
        split.setSizes([700, 600])
        split.setStretchFactor(0, 1)
        layout.addWidget(split, 1)

    def set_canvas(self, canvas: Any) -> None:
        """Write the steps on ``canvas`` too."""
        from .backprop_overlay import BackpropOverlay

        if self.overlay is None or self.overlay.canvas is not canvas:
            self.overlay = BackpropOverlay(canvas, self)
            self.overlay.cleared.connect(self._on_edited)
            self._redraw()

    # -- stepping -------------------------------------------------------------------------
    def _ensure_stepper(self) -> bool:
        if self.stepper is not None:
            return True
        from netbuilder.runtime.errors import NetbuilderRuntimeError
        from netbuilder.runtime.insight.backprop import StepCursor, stepper_for

        panel = self.source.panel or self.source.ensure_panel()
        settings = panel.settings() if panel is not None else (self.document.project.training or {})
        plan = getattr(panel, "plan", None)
        dataset = None
        if plan is not None and plan.config is not None and plan.dataset is not None \
                and plan.config.dataset == settings.get("dataset", plan.config.dataset):
            dataset = plan.dataset
        context = self.source.context() if self.trained.isChecked() else None
        try:
            self.stepper = stepper_for(self.document.graph, settings, dataset=dataset,
                                       batch_size=self.batch.value(),
                                       state_dict=context.state_dict if context else None)
        except NetbuilderRuntimeError as e:
            self._show_message(str(e))
            return False
        self.cursor = StepCursor(self.stepper)
        self.sample.setMaximum(len(self.stepper.batch_positions(1)))
        return True

    def next(self) -> None:
        if not self._ensure_stepper():
            return
        try:
            self.record, self.phase = self.cursor.next()
        except (RuntimeError, ValueError) as e:     # a layer failing on this batch, NaN, ...
            self.stepper = self.cursor = self.record = self.phase = None
            self._show_message(f"The step could not run: {e}. Check the network and the "
                               f"training settings, then press Next to try again.")
            return
        self._redraw()

    def previous(self) -> None:
        if self.cursor is None:
            return
        record, phase = self.cursor.previous()
        if record is not None:
            self.record, self.phase = record, phase
            self._redraw()

    def _on_weights(self) -> None:
        """Trained weights that fit the network as it is can be stepped from."""
        fits = self.source.context() is not None
        self.trained.setEnabled(fits)
        if not fits and self.trained.isChecked():
            self.trained.setChecked(False)

    def start_over(self) -> None:
        self.stepper = self.cursor = self.record = self.phase = None
        if self.overlay is not None:
            self.overlay.clear()
        self._show_message(START)

    def _on_document_change(self, change: Change) -> None:
        if (change.structure or change.nodes or change.reset or change.meta) and \
                self.stepper is not None:
            self._on_edited()

    def _on_edited(self) -> None:
        self.stepper = self.cursor = self.record = self.phase = None
        if self.overlay is not None:
            self.overlay.clear()
        self._show_message(EDITED)

    # -- showing --------------------------------------------------------------------------
    def _show_message(self, text: str) -> None:
        self.phases.setText("")
        self.explain.setText(text)
        self.loss.setText("")
        self.table.setRowCount(0)
        for g in (self.value_grid, self.grad_grid, self.update_grid):
            g.set_matrix(None)
        self.previous_button.setEnabled(False)

    def _redraw(self) -> None:
        from netbuilder.runtime.insight.backprop import PHASE_TITLES, PHASES

        record, phase = self.record, self.phase
        if record is None:
            return
        words = []
        for ph in PHASES:
            title = PHASE_TITLES[ph]
            words.append(f"<b><u>{title}</u></b>" if ph == phase else
                         f"<span style='color:#777777'>{title}</span>")
        self.phases.setText(f"<b>Step {record.number}</b> &nbsp; " + " → ".join(words))
        self.explain.setText(EXPLAIN[phase])
        self.previous_button.setEnabled(self.cursor.can_go_back)
        row = min(self.sample.value(), len(record.positions)) - 1
        out = vector_text(record.output[row].reshape(-1).tolist())
        target = record.targets[row]
        target_text = vector_text(target.reshape(-1).tolist()) if target.is_floating_point() \
            else str(int(target))
        loss = (f"<b>loss L = {record.loss:.4f}</b> ({self.stepper.config.loss}, mean over "
                f"{len(record.positions)} samples, lr {record.lr:g})"
                if phase != "forward" else "loss: computed in the next phase")
        blue = "#56B4E9" if Theme.dark_for(self.palette()) else FORWARD_COLOUR
        self.loss.setText(f"Sample {row + 1} (dataset row {record.positions[row]}): input "
                          f"<span style='color:{blue}'>"
                          f"{vector_text(record.inputs[row].reshape(-1).tolist()[:16])}</span>, "
                          f"output <span style='color:{blue}'>{out}</span>, "
                          f"target {target_text}<br>{loss}")
        self._fill_table(record, phase)
        if self.overlay is not None:
            if self.on_canvas.isChecked():
                self.overlay.show_step(record, phase, row)
            else:
                self.overlay.clear()
        self.stepped.emit()

    def _fill_table(self, record: Any, phase: str) -> None:
        selected = self.table.currentRow()
        self.table.setRowCount(len(record.params))
        later = {"gradient": phase in ("backward", "update"), "update": phase == "update"}
        for i, prm in enumerate(record.params):
            cells = [prm.name, "×".join(map(str, prm.before.shape)), summary_text(prm.before),
                     summary_text(prm.grad) if later["gradient"] else "after Backward",
                     summary_text(prm.update) if later["update"] else "after Update"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 3 and later["gradient"]:
                    item.setForeground(QColor(BACKWARD_COLOUR))
                if (c == 3 and not later["gradient"]) or (c == 4 and not later["update"]):
                    item.setForeground(QColor("#888888"))
                self.table.setItem(i, c, item)
        self.table.selectRow(selected if 0 <= selected < len(record.params) else 0)
        self._show_matrix()

    def _show_matrix(self) -> None:
        record, phase = self.record, self.phase
        i = self.table.currentRow()
        if record is None or not 0 <= i < len(record.params):
            return
        prm = record.params[i]
        self.value_grid.title = f"{prm.name} before"
        self.value_grid.set_matrix(prm.before)
        self.grad_grid.title = f"∂L/∂{prm.name}"
        self.grad_grid.set_matrix(prm.grad if phase in ("backward", "update") else None,
                                  "after Backward")
        self.update_grid.title = f"Δ{prm.name}"
        self.update_grid.set_matrix(prm.update if phase == "update" else None,
                                    "after Update")
