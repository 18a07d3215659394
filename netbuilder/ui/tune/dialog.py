"""Train > Search Hyper-parameters...: the form, the live plots and table, Apply best.

The search trains copies of the project taken when Start is pressed, on a ``SearchRun``
thread (its trials in worker processes with "Parallel trials" above 1), so the window never
freezes and editing goes on. Each ended trial adds a row to the table and a point to each
plot; "Apply best" puts the best trial's settings into the project as one undo step.
With a saved project each trial is also recorded in its run history (the Runs panel).
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.graph.document import Document
from netbuilder.graph.project import Project
from netbuilder.runtime.control import TrainingControl
from netbuilder.runtime.tune.apply import check_space
from netbuilder.runtime.tune.search import (
    SearchEnded,
    SearchStarted,
    TrialEnded,
    TrialEpoch,
    TrialStarted,
    best_of,
    values_text,
)
from netbuilder.runtime.tune.space import SpaceError, space_from_dict

from .. import appearance
from ..commands import push
from ..theme import error_color
from .apply_command import ApplySettings
from .form import SpaceForm
from .plots import ScorePlots
from .worker import SearchRun

STATES = {"complete": "done", "pruned": "pruned", "failed": "failed", "stopped": "stopped"}
CLOSE_WAIT_S = 15.0


class TuneDialog(QDialog):
    trial_ended = Signal()      # a trial ended (and, with a history, was recorded as a run)

    def __init__(self, document: Document, undo_stack: Any, parent: QWidget | None = None, *,
                 history: Any = None, cpu_threads: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tune_dialog")
        self.setWindowTitle("Search Hyper-parameters")
        self.document, self.undo_stack = document, undo_stack
        self.history, self.cpu_threads = history, cpu_threads
        self.run: SearchRun | None = None
        self.space: Any = None
        self.results: list[Any] = []
        self.best: Any = None
        self.columns: list[str] = []

        outputs = list(document.analysis.outputs)
        self.form = SpaceForm(document.graph, document.project.training, outputs)
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(470)
        self.plots = ScorePlots()
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("tune_table")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        key = QLabel("●  completed trial      □  pruned (stopped early: poorer than the "
                     "median of earlier trials)      ★  best")
        key.setObjectName("tune_plot_key")
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.plots, 1)
        top_layout.addWidget(key)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.table)
        right.setSizes([330, 250])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([470, 780])

        self.status = QLabel("Tick the settings to vary, set the budget, then Start.")
        self.status.setObjectName("tune_status")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m trials")
        self.start_button = QPushButton("Start Search")
        self.start_button.setObjectName("tune_start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("tune_stop")
        self.stop_button.clicked.connect(self.stop)
        self.apply_button = QPushButton("Apply Best")
        self.apply_button.setObjectName("tune_apply")
        self.apply_button.setToolTip("Put the best trial's settings into the project "
                                     "(one step: Ctrl+Z takes it back)")
        self.apply_button.clicked.connect(self.apply_best)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        for b in (self.start_button, self.stop_button, self.apply_button, close):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.form.changed.connect(self._on_form_changed)
        self.resize(1280, 760)
        self._update_buttons()

    # -- state ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.run is not None

    def _update_buttons(self) -> None:
        self.start_button.setEnabled(not self.running)
        self.stop_button.setEnabled(self.running)
        self.apply_button.setEnabled(self.best is not None)
        self.form.setEnabled(not self.running)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        color = error_color(appearance.is_dark()).name() if error else ""
        self.status.setStyleSheet(f"color: {color};" if color else "")

    def _on_form_changed(self) -> None:
        if not self.running:
            self._say("Tick the settings to vary, set the budget, then Start.")

    # -- search -------------------------------------------------------------------------------
    def start(self) -> bool:
        """Check the form and start the search; False (with the reason shown) if it cannot."""
        if self.running:
            return False
        doc = self.document
        project = Project(doc.graph.copy(deep_blocks=True), doc.project.description,
                          copy.deepcopy(doc.project.training))
        try:
            space = check_space(space_from_dict(self.form.space_data()), project)
        except SpaceError as e:
            self._say(str(e).replace("invalid search space:\n- ", "").replace("\n- ", "; "),
                      error=True)
            return False
        if not doc.analysis.valid:
            self._say("The network has problems to fix first (see Problems).", error=True)
            return False
        self.space, self.results, self.best = space, [], None
        self.columns = [p.name for p in space.parameters]
        headers = ["Trial", *self.columns, "Val loss", "Val acc", "Epochs", "Result", "Time"]
        self.table.setRowCount(0)
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.plots.reset(list(space.parameters), space.objective, appearance.is_dark())
        self.progress.setRange(0, space.budget.trials if space.method != "grid"
                               else min(space.budget.trials, space.grid_size()))
        self.progress.setValue(0)
        jobs = self.form.jobs.value()
        kwargs = {"project": project, "space": space, "jobs": jobs,
                  "control": TrainingControl(), "history": self.history,
                  "cpu_threads": self.cpu_threads if jobs == 1 else None}
        self.run = SearchRun(kwargs, self)
        self.run.events.connect(self._on_events)
        self.run.failed.connect(lambda text: self._say(f"The search stopped: {text}", True))
        self.run.finished.connect(self._on_finished)
        self.run.start()
        self._say("Starting: reading the data" + (f" and starting {jobs} worker processes"
                                                  if jobs > 1 else "") + "…")
        self._update_buttons()
        return True

    def stop(self) -> None:
        if self.run is not None:
            self.run.stop()
            self._say("Stopping after the current batch…")

    def _on_events(self, events: list[Any]) -> None:
        for ev in events:
            if isinstance(ev, SearchStarted):
                self._say(f"Searching {', '.join(ev.parameters)}: {ev.trials} trials.")
            elif isinstance(ev, TrialStarted):
                self._say(f"Trial {ev.number}: {values_text(ev.values)}")
            elif isinstance(ev, TrialEpoch):
                score = f"{ev.value:.4g}" if ev.value is not None else "-"
                self._say(f"Trial {ev.number}, epoch {ev.epoch}: "
                          f"{self.space.objective} {score}")
            elif isinstance(ev, TrialEnded):
                self._add_result(ev.result)
                self.trial_ended.emit()
            elif isinstance(ev, SearchEnded):
                self._say(self._summary(ev))
                if ev.best is not None:      # the answer in view, not the last trial
                    row = self.results.index(ev.best)
                    self.table.selectRow(row)
                    self.table.scrollToItem(self.table.item(row, 0))

    def _add_result(self, r: Any) -> None:
        self.results.append(r)
        self.best = best_of(self.results, self.space.objective)
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = [str(r.number), *(_fmt(r.values.get(c)) for c in self.columns),
                 _fmt(r.val_loss), f"{r.val_acc:.1%}" if r.val_acc is not None else "–",
                 str(r.epochs), STATES.get(r.state, r.state), f"{r.duration_s:.1f} s"]
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if col != len(self.columns) + 4:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if r.message:
                item.setToolTip(r.message)
            self.table.setItem(row, col, item)
        self._mark_best()
        self.table.scrollToBottom()
        self.progress.setValue(len(self.results))
        self.plots.show_results(self.results, self.best)
        self._update_buttons()

    def _mark_best(self) -> None:
        result_col = len(self.columns) + 4
        for row, r in enumerate(self.results):
            best = self.best is not None and r.number == self.best.number
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                font = QFont(item.font())
                font.setBold(best)
                item.setFont(font)
            text = STATES.get(r.state, r.state)
            self.table.item(row, result_col).setText(f"★ best ({text})" if best else text)

    def _summary(self, ev: SearchEnded) -> str:
        why = {"done": "", "time limit": " (time limit reached)", "stopped": " (stopped)"}
        head = f"{len(ev.results)} trials in {ev.duration_s:.0f} s{why.get(ev.reason, '')}. "
        if ev.best is None:
            failed = next((r.message for r in ev.results if r.message), "")
            return head + "No trial completed" + (f": {failed}" if failed else ".")
        b = ev.best
        acc = f", val acc {b.val_acc:.1%}" if b.val_acc is not None else ""
        return (head + f"Best: trial {b.number}, {values_text(b.values)} (val loss "
                f"{b.val_loss:.4g}{acc}). Apply Best puts it into the project.")

    def _on_finished(self) -> None:
        self.run = None
        self._update_buttons()

    # -- apply -----------------------------------------------------------------------------------
    def apply_best(self) -> str | None:
        """Apply the best trial's settings as one undo step; the reason if refused."""
        if self.best is None:
            return "no trial has completed yet"
        error = push(self.undo_stack, ApplySettings(self.document, self.best.values,
                                                    f"Apply best searched settings "
                                                    f"({values_text(self.best.values)})"))
        if error:
            self._say(f"Could not apply: {error}", error=True)
        else:
            self._say(f"Applied {values_text(self.best.values)} to the project "
                      "(Edit > Undo takes it back).")
        return error

    # -- closing ---------------------------------------------------------------------------------
    def shutdown(self) -> bool:
        """Stop the search and wait for its thread; True when it has ended."""
        if self.run is None:
            return True
        self.run.stop()
        ended = self.run.join(CLOSE_WAIT_S)
        if ended:
            self.run = None
        return ended

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.shutdown()
        super().closeEvent(event)


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
