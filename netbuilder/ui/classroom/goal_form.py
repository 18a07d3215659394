"""The instructor's form for one goal: a goal type, then only the fields that type needs
(a limit, a shape, a layer type, an accuracy and its training budget, ...). No JSON: the
form builds the goal's plain data and the assignment reader checks it
(``goals.goal_from_dict``), so the form accepts exactly what a file may hold."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ...graph.catalogue import CATALOGUE
from ...graph.errors import AssignmentFileError
from ...graph.goals import Goal, goal_from_dict

KIND_NAMES = (
    ("valid", "The network has no errors"),
    ("output_shape", "Output shape"),
    ("max_params", "At most N parameters"),
    ("max_macs", "At most N multiply-accumulates"),
    ("contains", "Uses a layer type"),
    ("excludes", "Does not use a layer type"),
    ("max_layers", "At most K layers"),
    ("min_accuracy", "Validation accuracy at least"),
    ("max_loss", "Validation loss at most"),
)
FIELDS = {
    "valid": (), "output_shape": ("shape",), "max_params": ("limit", "count"),
    "max_macs": ("limit",), "contains": ("type",), "excludes": ("type",),
    "max_layers": ("limit",),
    "min_accuracy": ("accuracy", "dataset", "epochs", "seed", "optimizer", "lr"),
    "max_loss": ("loss", "dataset", "epochs", "seed", "optimizer", "lr"),
}
OPTIMIZERS = ("free", "adam", "adamw", "sgd", "rmsprop", "adagrad", "adadelta")


def _datasets() -> list[str]:
    try:
        from ...runtime.datasets.registry import list_datasets

        return [d.name for d in list_datasets()]
    except Exception:  # noqa: BLE001 - the list is a convenience; any name can be typed
        return ["digits", "digits28", "moons", "iris"]


class GoalForm(QWidget):
    """``goal()`` reads the form (AssignmentFileError says what is wrong);
    ``set_defaults(training)`` takes a project's training settings for the budget."""

    kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = self.form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.setObjectName("goal_kind")
        for kind, text in KIND_NAMES:
            self.kind.addItem(text, kind)
        form.addRow("Goal", self.kind)
        self.widgets: dict[str, QWidget] = {}

        def row(key: str, label: str, widget: QWidget, tip: str = "") -> None:
            widget.setObjectName(f"goal_{key}")
            if tip:
                widget.setToolTip(tip)
            self.widgets[key] = widget
            form.addRow(label, widget)

        limit = QSpinBox()
        limit.setRange(0, 2_000_000_000)
        limit.setGroupSeparatorShown(True)
        limit.setValue(20_000)
        row("limit", "Limit", limit)
        count = QComboBox()
        count.addItem("trainable parameters", "trainable")
        count.addItem("all parameters (frozen too)", "all")
        row("count", "Count", count)
        shape = QLineEdit("10")
        shape.setPlaceholderText("10   or   1, 28, 28")
        row("shape", "Shape", shape, "One sample's shape, without the batch: 10, or 3, 32, 32")
        type_ = QComboBox()
        type_.addItems(sorted(CATALOGUE))
        type_.setCurrentText("BatchNorm2d")
        row("type", "Layer type", type_)
        acc = QDoubleSpinBox()
        acc.setRange(0.0, 100.0)
        acc.setDecimals(1)
        acc.setSuffix(" %")
        acc.setValue(90.0)
        row("accuracy", "Accuracy", acc, "On the validation part of the dataset")
        loss = QDoubleSpinBox()
        loss.setRange(0.0, 1e6)
        loss.setDecimals(4)
        loss.setValue(0.5)
        row("loss", "Loss", loss)
        dataset = QComboBox()
        dataset.setEditable(True)
        dataset.addItems(_datasets())
        dataset.setCurrentText("digits")
        row("dataset", "Dataset", dataset, "A built-in dataset's name, or a path")
        epochs = QSpinBox()
        epochs.setRange(1, 1000)
        epochs.setValue(5)
        row("epochs", "Epochs", epochs)
        seed = QSpinBox()
        seed.setRange(0, 2_000_000_000)
        row("seed", "Seed", seed)
        opt = QComboBox()
        for o in OPTIMIZERS:
            opt.addItem("the student's choice" if o == "free" else o, o)
        row("optimizer", "Optimiser", opt)
        lr = QDoubleSpinBox()
        lr.setDecimals(5)
        lr.setRange(0.00001, 100.0)
        lr.setValue(0.001)
        row("lr", "Learning rate", lr)
        opt.currentIndexChanged.connect(self._sync)
        self.points = QDoubleSpinBox()
        self.points.setObjectName("goal_points")
        self.points.setRange(0.0, 1e6)
        self.points.setDecimals(1)
        self.points.setValue(1.0)
        form.addRow("Points", self.points)
        self.error = QLabel()
        self.error.setObjectName("goal_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #dc2626;")
        form.addRow(self.error)
        self.kind.currentIndexChanged.connect(self._sync)
        self._sync()

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind))

    def value(self, key: str) -> Any:
        w = self.widgets[key]
        if isinstance(w, QComboBox):
            return w.currentData() if w.currentData() is not None else w.currentText().strip()
        if isinstance(w, QLineEdit):
            return w.text()
        return w.value()

    def set_value(self, key: str, value: Any) -> None:
        w = self.widgets[key]
        if isinstance(w, QComboBox):
            i = w.findData(value)
            if i < 0:
                i = w.findText(str(value))
            if i >= 0:
                w.setCurrentIndex(i)
            elif w.isEditable():
                w.setCurrentText(str(value))
        elif isinstance(w, QLineEdit):
            w.setText(str(value))
        else:
            w.setValue(value)

    def set_defaults(self, training: dict | None) -> None:
        """The budget fields start from the project's own training settings."""
        t = training or {}
        if isinstance(t.get("dataset"), str):
            self.set_value("dataset", t["dataset"])
        if isinstance(t.get("epochs"), int):
            self.set_value("epochs", max(1, min(1000, t["epochs"])))
        if isinstance(t.get("seed"), int):
            self.set_value("seed", max(0, t["seed"]))

    def _sync(self) -> None:
        kind = self.kind.currentData()
        shown = set(FIELDS.get(kind, ()))
        if self.value("optimizer") == "free":
            shown.discard("lr")
        for key, w in self.widgets.items():
            self.form.setRowVisible(w, key in shown)
        self.error.setText("")
        self.kind_changed.emit(kind)

    def data(self) -> dict[str, Any]:
        """The goal as the file writes it."""
        kind = self.kind.currentData()
        d: dict[str, Any] = {"kind": kind}
        f = FIELDS[kind]
        if "limit" in f:
            d["limit"] = int(self.value("limit"))
        if "count" in f:
            d["count"] = self.value("count")
        if "shape" in f:
            text = self.value("shape").replace("x", ",").replace("×", ",")
            try:
                d["shape"] = [int(p) for p in text.replace(" ", ",").split(",") if p.strip()]
            except ValueError:
                d["shape"] = text.strip()
        if "type" in f:
            d["type"] = self.value("type")
        if "accuracy" in f:
            d["value"] = round(float(self.value("accuracy")) / 100.0, 6)
        if "loss" in f:
            d["value"] = float(self.value("loss"))
        if "dataset" in f:
            budget: dict[str, Any] = {"dataset": self.value("dataset"),
                                      "epochs": int(self.value("epochs")),
                                      "seed": int(self.value("seed")),
                                      "optimizer": self.value("optimizer")}
            if budget["optimizer"] != "free":
                budget["lr"] = float(self.value("lr"))
            d["training"] = budget
        if self.points.value() != 1.0:
            p = self.points.value()
            d["points"] = int(p) if float(p).is_integer() else p
        return d

    def goal(self, graph=None) -> Goal:
        try:
            g = goal_from_dict(self.data(), "the goal", graph)
        except AssignmentFileError as e:
            self.error.setText(str(e))
            raise
        self.error.setText("")
        return g
