"""The search space as a form: tick the settings to vary, type their ranges, set a budget.

Rows come from the project: the learning rate, batch size, optimiser and weight decay, then
each Dropout's ``p`` and each hidden layer's width (``out_features``, ``out_channels``,
``hidden_size``; not the output layer's, which the data fixes). ``space_data()`` gives the
same plain data a search space file holds, checked by the same reader
(``runtime.tune.space.space_from_dict``), so the form and files refuse alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netbuilder.graph.model import Graph
from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.errors import ConfigError

WIDTHS = ("out_features", "out_channels", "hidden_size")
METHODS = (("tpe", "TPE (Optuna), prunes poor trials"), ("random", "Random"),
           ("grid", "Grid (every combination)"))


@dataclass
class _Row:
    name: str
    vary: QCheckBox
    low: QLineEdit | None = None
    high: QLineEdit | None = None
    log: QCheckBox | None = None
    choices: QLineEdit | None = None
    whole: bool = False


class SpaceForm(QWidget):
    """Parameters with their ranges, and the budget; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, graph: Graph, training: dict[str, Any] | None, outputs: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tune_form")
        try:
            base = TrainingConfig.from_dict(training or {})
        except ConfigError:
            base = TrainingConfig()
        self.base = base
        self.rows: dict[str, _Row] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        params = QGroupBox("Settings to vary")
        grid = self.grid = QGridLayout(params)
        grid.setHorizontalSpacing(6)
        for col, text in enumerate(("Vary", "From", "To", "Log")):
            grid.addWidget(QLabel(f"<b>{text}</b>"), 0, col)
        lr = base.lr
        self._range("lr", "Learning rate", _num(lr / 10), _num(min(lr * 10, 10.0)), log=True,
                    checked=True)
        self._choices("batch_size", "Batch size",
                      ", ".join(str(b) for b in sorted({16, 32, 64, 128, base.batch_size})))
        others = [o for o in ("adam", "sgd", "adamw") if o != base.optimizer]
        self._choices("optimizer", "Optimiser", ", ".join([base.optimizer, *others[:2]]))
        self._range("weight_decay", "Weight decay", "0", "0.001")
        for nid, node in graph.nodes.items():
            spec = graph.spec(node.type)
            names = spec.param_names()
            if "p" in names and spec.param("p").kind == "float" and "Dropout" in spec.type:
                current = node.params.get("p", spec.param("p").default)
                self._range(f"{nid}.p", f"{nid}: dropout p", "0", _num(max(0.5, current)))
            elif nid not in outputs:
                for width in WIDTHS:
                    if width in names and spec.param(width).kind == "int":
                        now = node.params.get(width, spec.param(width).default) or 1
                        self._range(f"{nid}.{width}", f"{nid}: width ({width})",
                                    str(max(1, now // 2)), str(max(2, now * 2)), whole=True)
                        break
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        layout.addWidget(params)

        budget = QGroupBox("Budget and method")
        form = QFormLayout(budget)
        self.trials = self._spin(1, 1000, 12)
        self.trials.setObjectName("tune_trials")
        form.addRow("Trials", self.trials)
        self.epochs = self._spin(1, 10_000, min(base.epochs, 5))
        self.epochs.setObjectName("tune_epochs")
        form.addRow("Epochs per trial", self.epochs)
        self.minutes = self._spin(0, 24 * 60, 0)
        self.minutes.setSpecialValueText("no limit")
        self.minutes.setSuffix(" min")
        form.addRow("Time limit", self.minutes)
        self.method = QComboBox()
        self.method.setObjectName("tune_method")
        for key, text in METHODS:
            self.method.addItem(text, key)
        self.method.currentIndexChanged.connect(self.changed)
        form.addRow("Method", self.method)
        self.jobs = self._spin(1, max(1, os.cpu_count() or 1), 1)
        self.jobs.setToolTip("Trials trained at once, each in its own process")
        form.addRow("Parallel trials", self.jobs)
        self.seed = self._spin(0, 2**31 - 1, 0)
        self.seed.setToolTip("The same seed proposes the same trials")
        form.addRow("Seed", self.seed)
        layout.addWidget(budget)
        layout.addStretch(1)

    # -- rows -----------------------------------------------------------------------------
    def _add(self, name: str, label: str, checked: bool) -> tuple[_Row, int]:
        r = self.grid.rowCount()
        box = QCheckBox(label)
        box.setObjectName(f"vary_{name}")
        box.setChecked(checked)
        box.toggled.connect(self.changed)
        self.grid.addWidget(box, r, 0)
        row = _Row(name, box)
        self.rows[name] = row
        return row, r

    def _edit(self, text: str) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setMinimumWidth(60)
        edit.textChanged.connect(self.changed)
        return edit

    def _range(self, name: str, label: str, low: str, high: str, *, log: bool = False,
               checked: bool = False, whole: bool = False) -> None:
        row, r = self._add(name, label, checked)
        row.low, row.high, row.whole = self._edit(low), self._edit(high), whole
        row.log = QCheckBox()
        row.log.setChecked(log)
        row.log.setToolTip("Try values evenly on a log scale (for rates)")
        row.log.toggled.connect(self.changed)
        self.grid.addWidget(row.low, r, 1)
        self.grid.addWidget(row.high, r, 2)
        self.grid.addWidget(row.log, r, 3)

    def _choices(self, name: str, label: str, text: str) -> None:
        row, r = self._add(name, label, False)
        row.choices = self._edit(text)
        row.choices.setToolTip("The values to try, separated by commas")
        self.grid.addWidget(row.choices, r, 1, 1, 3)

    def _spin(self, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.valueChanged.connect(self.changed)
        return spin

    # -- reading ---------------------------------------------------------------------------
    def set_vary(self, name: str, on: bool, low: Any = None, high: Any = None,
                 choices: str | None = None) -> None:
        """Tick a row and set its range (tests, and a later 'search around the best')."""
        row = self.rows[name]
        row.vary.setChecked(on)
        if low is not None and row.low is not None:
            row.low.setText(str(low))
        if high is not None and row.high is not None:
            row.high.setText(str(high))
        if choices is not None and row.choices is not None:
            row.choices.setText(choices)

    def space_data(self) -> dict[str, Any]:
        """The form as search space data (what a space file holds); numbers that do not
        parse stay text, so the space reader names them."""
        params: dict[str, Any] = {}
        for name, row in self.rows.items():
            if not row.vary.isChecked():
                continue
            if row.choices is not None:
                items = [c.strip() for c in row.choices.text().split(",") if c.strip()]
                params[name] = {"choices": [_value(c) for c in items]}
            else:
                assert row.low is not None and row.high is not None and row.log is not None
                params[name] = {"low": _value(row.low.text().strip()),
                                "high": _value(row.high.text().strip()),
                                "log": row.log.isChecked()}
        minutes = self.minutes.value()
        budget: dict[str, Any] = {"trials": self.trials.value(), "epochs": self.epochs.value()}
        if minutes:
            budget["time_limit_s"] = minutes * 60.0
        return {"method": self.method.currentData(), "seed": self.seed.value(),
                "budget": budget, "parameters": params}


def _num(v: float) -> str:
    return f"{v:.6g}"


def _value(text: str) -> Any:
    """'32' -> 32, '0.01' -> 0.01, 'adam' -> 'adam'."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
