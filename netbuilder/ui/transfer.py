"""Transfer learning in the window: File > Load Weights... (a state_dict file matched to the
network, with its per-tensor report), Edit > Replace Head..., and Train > Fine-tune from the
Trained Weights. Freezing itself is on the canvas menu and in the Inspector.

The matching is the codegen's (``state_match``) against a module built on PyTorch's meta
device (shapes only, no memory); what matched becomes the Training panel's starting point
for its next fresh runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..graph.errors import GraphEditError
from ..graph.transfer import replace_head
from . import appearance
from .commands import SetParam, push
from .theme import warning_color

WEIGHT_FILES = "PyTorch weights (*.pt *.pth *.bin *.ckpt);;All files (*)"


def shape_model(graph: Any) -> Any:
    """The network built on the meta device: its state_dict's keys and shapes, no memory."""
    import torch

    from ..codegen.build import build_module

    with torch.device("meta"):
        return build_module(graph)


class WeightsReportDialog(QDialog):
    """What a weights file gave each tensor: loaded (by name, similar name or order) or not."""

    def __init__(self, report: Any, source: str, parent=None, *, dark: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("weights_report")
        self.setWindowTitle(f"Weights from {Path(source).name}")
        self.report = report
        layout = QVBoxLayout(self)
        summary = QLabel(report.summary() + ".")
        summary.setObjectName("weights_summary")
        summary.setWordWrap(True)
        font = summary.font()
        font.setBold(True)
        summary.setFont(font)
        layout.addWidget(summary)
        rows = list(report.rows)
        unused = list(report.unused)
        table = self.table = QTableWidget(len(rows) + len(unused), 4)
        table.setObjectName("weights_table")
        table.setHorizontalHeaderLabels(["Tensor here", "Shape", "Result", "From the file"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        bold = QFont(table.font())
        bold.setBold(True)
        warn = QColor(warning_color(dark))
        for i, r in enumerate(rows):
            shape = "x".join(map(str, r.shape)) or "scalar"
            if r.loaded:
                result = f"✓ loaded by {r.how}"
                source = r.source if r.source != r.key else "(same name)"
            elif r.how == "wrong shape":
                result = "✗ not loaded: wrong shape"
                source = f"{r.source} is {'x'.join(map(str, r.source_shape or ())) or 'scalar'}"
            else:
                result, source = "✗ not in the file", "keeps its initial values"
            self._row(table, i, (r.key, shape, result, source), None if r.loaded else (bold, warn))
        for j, (key, shape) in enumerate(unused):
            self._row(table, len(rows) + j, ("", "x".join(map(str, shape)) or "scalar",
                                             "unused", key), None)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(table, 1)
        note = QLabel("Training starts from these weights (Start, F5) until you open another "
                      "project. Freeze layers on the canvas (right-click > Freeze up to here) "
                      "to keep theirs.")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(820, 520)

    @staticmethod
    def _row(table: QTableWidget, i: int, texts: tuple[str, ...], style) -> None:
        for col, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if style is not None:
                item.setFont(style[0])
                item.setForeground(style[1])
            if col == 1:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, col, item)


class TransferGlue:
    """Creates the three actions, puts them in the window's menus and runs them."""

    def __init__(self, win: Any) -> None:
        self.win = win
        self.load_weights_action = self._action("Load &Weights...", self.load_weights_dialog,
                                                "Load a state_dict file into this network (by "
                                                "name, else by order and shape); see the report")
        self.replace_head_action = self._action("Replace &Head...", self.replace_head_dialog,
                                                "Set the last Linear's out_features to the "
                                                "dataset's class count, keeping all other weights")
        self.fine_tune_action = self._action("&Fine-tune from the Trained Weights",
                                             self.fine_tune_from_held,
                                             "Start the next runs from the weights of the last "
                                             "run, where they fit the network as it is now")
        menus = win.menus
        menus["file"].insertAction(menus["export"].menuAction(), self.load_weights_action)
        menus["edit"].addSeparator()
        menus["edit"].addAction(self.replace_head_action)
        menus["train"].addAction(self.fine_tune_action)
        self.last_dialog: WeightsReportDialog | None = None

    def _action(self, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self.win)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _panel(self) -> Any:
        return self.win.training.ensure_panel()

    def _refuse(self, title: str, message: str) -> None:
        QMessageBox.warning(self.win, title, message)

    # -- File > Load Weights... ---------------------------------------------------------------
    def load_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.win, "Load weights", "", WEIGHT_FILES)
        if path:
            self.load_weights(path)

    def load_weights(self, path: str | Path, *, show: bool = True) -> WeightsReportDialog | None:
        """Match ``path`` to the network; on success the report (shown unless ``show`` is
        False) and the Training panel starts from the weights. A refusal says why."""
        from ..codegen.errors import CompileError, WeightsError
        from ..codegen.state_match import match_file

        doc = self.win.document
        try:
            matched = match_file(shape_model(doc.graph), path)
        except (CompileError, WeightsError) as e:
            self._refuse("Cannot load the weights", str(e))
            return None
        return self._use(matched.state_dict, matched.report, str(path), show)

    def _use(self, state: dict, report: Any, source: str, show: bool) -> WeightsReportDialog | None:
        panel = self._panel()
        if panel is None:
            self._refuse("Cannot load the weights", "Training is not available in this build")
            return None
        panel.set_start_weights(state, f"{Path(source).name} ({len(report.loaded)} of "
                                       f"{len(report.rows)} tensors)")
        self.win.statusBar().showMessage(f"Weights from {Path(source).name}: {report.summary()}",
                                         8000)
        dialog = self.last_dialog = WeightsReportDialog(report, source, self.win,
                                                        dark=appearance.is_dark())
        if show:
            dialog.open()
        return dialog

    # -- Train > Fine-tune from the Trained Weights -------------------------------------------
    def fine_tune_from_held(self, *, show: bool = True) -> WeightsReportDialog | None:
        from ..codegen.errors import CompileError, WeightsError
        from ..codegen.state_match import match_tensors

        panel = self._panel()
        held = panel.held_state() if panel is not None else None
        if held is None:
            self._refuse("Nothing to fine-tune from", "Train the network first (or load a "
                         "checkpoint): fine-tuning starts from the weights the Training panel "
                         "holds")
            return None
        state, where = held
        try:
            matched = match_tensors(shape_model(self.win.document.graph), state, where)
        except (CompileError, WeightsError) as e:
            self._refuse("Cannot fine-tune from these weights", str(e))
            return None
        return self._use(matched.state_dict, matched.report, where, show)

    # -- Edit > Replace Head... -----------------------------------------------------------------
    def class_count(self) -> int | None:
        """The class count of the training dataset, when it is a shipped one."""
        from ..runtime.datasets.registry import SHIPPED

        name = (self.win.document.project.training or {}).get("dataset")
        entry = SHIPPED.get(name) if isinstance(name, str) else None
        return entry[0].num_classes if entry is not None else None

    def replace_head_dialog(self) -> None:
        doc = self.win.document
        try:
            head, _ = replace_head(doc.graph, 1)
        except GraphEditError as e:
            self._refuse("Cannot replace the head", str(e))
            return
        classes = self.class_count()
        current = doc.graph.nodes[head].params.get("out_features", 1)
        count, ok = QInputDialog.getInt(
            self.win, "Replace head",
            f"Classes for '{head}' (its out_features, now {current}); the dataset has "
            f"{classes if classes else 'an unknown number of'} classes:",
            classes or int(current), 1, 100_000)
        if ok:
            self.replace_head(count)

    def replace_head(self, classes: int) -> str | None:
        """Set the last Linear's out_features (one undo step); the error text, if refused."""
        doc = self.win.document
        try:
            head, count = replace_head(doc.graph, classes)
        except GraphEditError as e:
            return str(e)
        return push(self.win.undo_stack,
                    SetParam(doc, head, "out_features", count))
