"""The Runs panel: the project's recorded runs listed, compared, reopened and averaged.

Left: the runs (name, date, key settings, best validation accuracy and loss, the
over-fitting verdict) and what to do with the selected ones; under them the comparison in
words: each run's verdict, the settings that differ, and for two runs the changes to the
network (``graph.diff``). Right: the selected runs' curves overlaid in the Training plots
(each run a colour, training solid, validation dashed, the gap shaded).

The history is the project's ``RunStore`` (runtime/runs); a project never saved has none.
Open run restores a run's network and settings as one undo step and puts its best weights
where the insight views and Export read them (the Training panel's held weights).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QEvent, QIODevice, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from netbuilder.graph import atomic
from netbuilder.graph.diff import diff_lines
from netbuilder.graph.errors import NetbuilderError
from netbuilder.graph.project import project_from_dict
from netbuilder.runtime.errors import NetbuilderRuntimeError
from netbuilder.runtime.runs.compare import (
    best_val,
    comparison_csv,
    differing_settings,
    key_settings,
    show,
)
from netbuilder.runtime.runs.store import Run, RunStore
from netbuilder.runtime.runs.verdict import fit_verdict

from ..commands import push
from ..theme import Theme
from ..training.plots import TrainingPlots
from .commands import OpenRun

COLUMNS = ("Name", "Date", "Settings", "Best val acc", "Best val loss", "Verdict", "Status")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RunsPanel(QWidget):
    runs_changed = Signal()

    def __init__(self, document: Any, training_host: Any, undo_stack: Any,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runs_panel")
        self.document, self.training_host, self.undo_stack = document, training_host, undo_stack
        self.runs: list[Run] = []          # as listed, with their history
        self._cache: dict[int, tuple[tuple, Run]] = {}
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("runs_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemDoubleClicked.connect(lambda _item: self._open_clicked())
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for key, text, tip, slot in (
            ("open", "Open run", "Make this run's network, settings and best weights the "
             "project's (one undo step)", self._open_clicked),
            ("rename", "Rename…", "Give the run a name that says what it tried",
             self._rename_clicked),
            ("delete", "Delete…", "Remove the selected runs and their checkpoints",
             self._delete_clicked),
            ("ensemble", "Ensemble", "Average the selected runs' predictions on the "
             "validation set and compare with each run alone", self.run_ensemble),
            ("png", "Export PNG…", "Save the overlaid curves as a picture", self._png_clicked),
            ("csv", "Export CSV…", "Save the selected runs' settings and curves as a table",
             self._csv_clicked),
        ):
            button = QPushButton(text)
            button.setObjectName(f"runs_{key}")
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        self.comparison = QTextBrowser()
        self.comparison.setObjectName("runs_comparison")
        self.comparison.setOpenLinks(False)
        self.message = QLabel()
        self.message.setObjectName("runs_message")
        self.message.setWordWrap(True)
        left = QWidget()
        lay = QVBoxLayout(left)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.header)
        lay.addWidget(self.table, 2)
        lay.addLayout(row)
        lay.addWidget(self.message)
        lay.addWidget(self.comparison, 2)
        self.plots = TrainingPlots()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plots)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(split)
        Theme.changed.connect(self.plots.apply_theme)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.plots.apply_theme()

    # -- the history ------------------------------------------------------------------------
    def store(self) -> RunStore | None:
        path = getattr(self.document, "path", None)
        return RunStore(path) if path else None

    def refresh(self) -> None:
        """Re-read the runs, keeping the selection of those still there."""
        chosen = set(self.selected_ids())
        store = self.store()
        self.runs = []
        if store is None:
            self.header.setText("Save the project to keep a history of its runs: each run is "
                                "then recorded beside the project file.")
        else:
            try:
                self.runs = [self._full(store, r) for r in store.runs()]
                where = store.folder.name
                self.header.setText(f"{len(self.runs)} run(s) of this project, kept in "
                                    f"{where}/. Select several to compare them.")
            except NetbuilderRuntimeError as exc:
                self.header.setText(str(exc))
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.runs))
        for i, run in enumerate(self.runs):
            acc, loss = best_val(run)
            verdict = fit_verdict(run.history)
            cells = (run.name, dt.datetime.fromtimestamp(run.created).strftime("%Y-%m-%d %H:%M"),
                     key_settings(run), f"{acc:.1%}" if acc is not None else "-",
                     f"{loss:.4f}" if loss is not None else "-", verdict.label, run.status)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, run.id)
                if j == 5:
                    item.setToolTip(verdict.text)
                self.table.setItem(i, j, item)
            if run.id in chosen:
                self._add_row(i)
        self.table.blockSignals(False)
        self._on_selection()
        self.runs_changed.emit()

    def _add_row(self, i: int) -> None:
        model = self.table.selectionModel()
        model.select(self.table.model().index(i, 0),
                     model.SelectionFlag.Select | model.SelectionFlag.Rows)

    def _full(self, store: RunStore, run: Run) -> Run:
        key = (run.epochs_recorded, run.status, run.name, run.ended)
        cached = self._cache.get(run.id)
        if cached is None or cached[0] != key:
            full = store.run(run.id)
            cached = (key, Run(**{**full.__dict__, "status": run.status}))
            self._cache[run.id] = cached
        return cached[1]

    # -- selection ------------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.runs[r].id for r in rows if r < len(self.runs)]

    def selected_runs(self) -> list[Run]:
        """The selected runs, oldest first."""
        ids = set(self.selected_ids())
        return sorted((r for r in self.runs if r.id in ids), key=lambda r: r.id)

    def select_runs(self, ids: list[int]) -> None:
        self.table.blockSignals(True)
        self.table.clearSelection()
        for i, run in enumerate(self.runs):
            if run.id in ids:
                self._add_row(i)
        self.table.blockSignals(False)
        self._on_selection()

    def _on_selection(self) -> None:
        runs = self.selected_runs()
        n = len(runs)
        for key, ok in (("open", n == 1), ("rename", n == 1), ("delete", n >= 1),
                        ("ensemble", n >= 2), ("png", n >= 1), ("csv", n >= 1)):
            self.buttons[key].setEnabled(ok)
        classification = any(h.get("val_acc") is not None for r in runs for h in r.history)
        self.plots.show_runs([(r.name, r.history) for r in runs],
                             classification=classification or not runs)
        self.plots.refresh()
        self.comparison.setHtml(self.comparison_html(runs))

    def comparison_html(self, runs: list[Run]) -> str:
        if not runs:
            return ("<p>Select a run to see its curves and the verdict on its fit; select two "
                    "or more to compare them.</p>")
        parts = []
        for run in runs:
            v = fit_verdict(run.history)
            extra = (f" (best validation loss at epoch {v.best_epoch}; gap {v.gap:+.3f} at "
                     "the end)" if v.best_epoch is not None and v.gap is not None else "")
            parts.append(f"<p><b>{_escape(run.name)}</b>: {_escape(v.text)}{extra}.</p>")
        if len(runs) >= 2:
            differ = differing_settings(runs)
            if differ:
                head = "".join(f"<th align='left'>{_escape(r.name)}</th>" for r in runs)
                rows = "".join(
                    f"<tr><td>{_escape(k)}</td>"
                    + "".join(f"<td>{_escape(show(v))}</td>" for v in values) + "</tr>"
                    for k, values in differ)
                parts.append("<p><b>Settings that differ</b></p><table cellspacing='0' "
                             f"cellpadding='3' border='1'><tr><th></th>{head}</tr>{rows}</table>")
            else:
                parts.append("<p>The training settings are the same.</p>")
        if len(runs) == 2:
            a, b = sorted(runs, key=lambda r: r.id)         # from the older to the newer
            lines = self.graph_diff(a, b)
            title = f"<p><b>Network changes from {_escape(a.name)} to {_escape(b.name)}</b></p>"
            body = ("<ul>" + "".join(f"<li>{_escape(t)}</li>" for t in lines) + "</ul>"
                    if lines else "<p>The same network.</p>")
            parts.append(title + body)
        return "".join(parts)

    @staticmethod
    def graph_diff(a: Run, b: Run) -> list[str]:
        try:
            return diff_lines(project_from_dict(a.graph).graph, project_from_dict(b.graph).graph)
        except NetbuilderError as exc:
            return [f"the networks cannot be compared: {exc}"]

    # -- actions --------------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message.setText(text)

    def open_run(self, run_id: int) -> str | None:
        """Restore the run's network, settings and best weights; the reason when it cannot."""
        run = next((r for r in self.runs if r.id == run_id), None)
        if run is None:
            return "that run is no longer in the history"
        if getattr(self.training_host, "running", False):
            return "training is running: stop it before opening a run"
        problem = push(self.undo_stack, OpenRun(self.document, run.name, run.graph,
                                                run.settings))
        if problem:
            return f"the run's network cannot be opened: {problem}"
        best = run.best_checkpoint
        if best is None or not best.is_file():
            self.say(f"Opened '{run.name}': its network and settings (it kept no weights: no "
                     "epoch had a validation loss).")
            return None
        panel = self.training_host.ensure_panel()
        if panel is None or not panel.load_checkpoint_from(best):
            return f"the network was opened, but its weights could not be loaded from {best}"
        epoch = run.final_metrics.get("best_epoch")
        self.say(f"Opened '{run.name}': its network, settings and the weights of its best "
                 f"epoch{f' ({epoch})' if epoch else ''}; the Inside views and Export use them. "
                 "Edit > Undo goes back.")
        return None

    def rename_run(self, run_id: int, name: str) -> str | None:
        store = self.store()
        if store is None:
            return "the project has no history"
        try:
            store.rename(run_id, name)
        except NetbuilderRuntimeError as exc:
            return str(exc)
        self.refresh()
        return None

    def delete_runs(self, ids: list[int]) -> str | None:
        store = self.store()
        if store is None:
            return "the project has no history"
        try:
            for run_id in ids:
                store.delete(run_id)
        except NetbuilderRuntimeError as exc:
            return str(exc)
        self.refresh()
        self.say(f"Deleted {len(ids)} run(s).")
        return None

    def run_ensemble(self) -> str | None:
        """Average the selected runs on the validation set; the result under the buttons."""
        from netbuilder.runtime.runs.ensemble import EnsembleError, evaluate_ensemble

        runs = self.selected_runs()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = evaluate_ensemble(runs)
        except (EnsembleError, NetbuilderRuntimeError) as exc:
            self.say(f"No ensemble: {exc}")
            return str(exc)
        finally:
            QApplication.restoreOverrideCursor()
        self.say("; ".join(result.lines()[:1] + [s.strip() for s in result.lines()[1:]]))
        return None

    def export_png(self, path: str | Path) -> str | None:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.plots.grab().save(buffer, "PNG")
        try:
            atomic.write_bytes(path, bytes(buffer.data()))
        except atomic.WriteError as exc:
            self.say(str(exc))
            return str(exc)
        self.say(f"Saved the curves to {path}.")
        return None

    def export_csv(self, path: str | Path) -> str | None:
        try:
            atomic.write_text(path, comparison_csv(self.selected_runs()))
        except atomic.WriteError as exc:
            self.say(str(exc))
            return str(exc)
        self.say(f"Saved the comparison to {path}.")
        return None

    # -- buttons (dialogs) ------------------------------------------------------------------
    def _one(self) -> Run | None:
        runs = self.selected_runs()
        return runs[0] if len(runs) == 1 else None

    def _open_clicked(self) -> None:
        run = self._one()
        if run is not None:
            problem = self.open_run(run.id)
            if problem:
                self.say(f"Cannot open '{run.name}': {problem}.")

    def _rename_clicked(self) -> None:
        run = self._one()
        if run is None:
            return
        name, ok = QInputDialog.getText(self, "Rename run", "Name:", text=run.name)
        if ok:
            problem = self.rename_run(run.id, name)
            if problem:
                self.say(problem)

    def _delete_clicked(self) -> None:
        runs = self.selected_runs()
        if not runs:
            return
        names = ", ".join(f"'{r.name}'" for r in runs[:4]) + (" ..." if len(runs) > 4 else "")
        answer = QMessageBox.question(self, "Delete runs", f"Delete {names} and their "
                                      "checkpoints? This cannot be undone.")
        if answer == QMessageBox.StandardButton.Yes:
            problem = self.delete_runs([r.id for r in runs])
            if problem:
                self.say(problem)

    def _default_name(self, suffix: str) -> str:
        path = getattr(self.document, "path", None)
        stem = Path(path).stem if path else "runs"
        folder = Path(path).parent if path else Path.home()
        return str(folder / f"{stem}-runs.{suffix}")

    def _png_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the curves", self._default_name("png"),
                                              "PNG pictures (*.png)")
        if path:
            self.export_png(path)

    def _csv_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the comparison",
                                              self._default_name("csv"), "CSV tables (*.csv)")
        if path:
            self.export_csv(path)
