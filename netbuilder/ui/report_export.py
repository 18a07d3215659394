"""File > Export Report...: the ``netbuilder report`` page for the weights the window holds.

The weights are those of the last run or the loaded checkpoint (the training panel's); the
action is disabled, with the reason as its tooltip, while there are none, while a run is in
progress, or when the network changed since they were trained. Building the report (torch,
matplotlib, a pass over the validation set) runs on a ``QThread``; its stages show in the
status bar and the window stays responsive. Errors arrive as a message box, never a crash.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QFileDialog

from ..graph.project import fingerprint

NO_PANEL = "Exporting a report needs the training panel, which is not installed."
NOT_TRAINED = "Train the network (or load a checkpoint) first: the report is about trained weights."
RUNNING = "Wait for the training run to end: the report is about finished weights."
EDITED = "The network has changed since its weights were trained: retrain it to report on it."
BUSY = "A report is being written."


@contextlib.contextmanager
def young_collections_only() -> Iterator[None]:
    """No automatic garbage collection while the report is built, then the young generations.

    The build makes many short-lived objects (matplotlib artists); they set off full
    collections, which walk every object of the process (torch, Qt, matplotlib: 1-2 s on
    a busy machine, measured by benchmarks/bench_report.py) while holding the GIL, and the
    window froze for that long. What the build leaves is young: ``collect_stage`` (called
    between stages) and the end collect only the young generations, a few tens of ms each.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(1)


class ReportWorker(QObject):
    """Builds and writes the report for one RunContext; lives on its own QThread."""

    progress = Signal(str)
    done = Signal(object)          # (path, numbers)
    failed = Signal(str)

    def __init__(self, context: Any, weights: Any, path: Path) -> None:
        super().__init__()
        self.context, self.weights, self.path = context, weights, path

    @Slot()
    def run(self) -> None:
        try:
            self.progress.emit("Loading PyTorch and matplotlib…")
            result = self._build()
        except OSError as e:
            self.failed.emit(f"{self.path}: cannot be written ({e.strerror or e})")
        except Exception as e:  # noqa: BLE001 - a thread boundary: report, never crash the app
            self.failed.emit(f"the report stopped with an unexpected error ({type(e).__name__}: "
                             f"{e}). Please report this with the project file.")
        else:
            self.done.emit(result)

    def _build(self) -> tuple[Path, dict]:
        from netbuilder.runtime.errors import NetbuilderRuntimeError
        from netbuilder.runtime.report.content import build_report
        from netbuilder.runtime.report.page import render_html, write_text_atomically

        c, w = self.context, self.weights
        history, normalization = list(getattr(w, "history", ()) or ()), None
        source = getattr(w, "source_file", None)
        if source:                     # the trainer's own checkpoint: its record and inputs
            from netbuilder.runtime.checkpoint import load_checkpoint

            try:
                trainer = load_checkpoint(source).trainer_state
            except NetbuilderRuntimeError:
                trainer = {}
            history = history or [h for h in trainer.get("history") or () if isinstance(h, dict)]
            normalization = trainer.get("normalization")
        origin = getattr(w, "origin", "run")
        name = "the last training run" if origin == "run" else str(origin)
        with young_collections_only():
            report = build_report(c.graph, c.dataset, c.config, c.state_dict,
                                  normalization=normalization, history=history, epoch=c.epoch,
                                  weights_name=name, progress=self._stage)
            page = render_html(report)
        self.progress.emit(f"Writing {self.path.name}…")
        write_text_atomically(self.path, page)
        return self.path, report.numbers


    def _stage(self, text: str) -> None:
        gc.collect(0)                  # the previous stage's garbage, while it is still young
        self.progress.emit(text)


class ReportExporter(QObject):
    """The window's Export Report command: when it is possible, where to write, and the run."""

    finished = Signal(bool)        # True written, False failed

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.thread_: QThread | None = None
        self.worker: ReportWorker | None = None
        # True from start() until the worker's done/failed reaches the GUI thread. Not
        # QThread.isRunning(): QThread.finished is sent from the worker just *before* its
        # thread stops, so a refresh on it could still see the thread running.
        self._busy = False
        self.error: str | None = None
        self.numbers: dict | None = None      # the last report's figures (its --json)
        host = window.training
        host.panel_created.connect(self._on_panel)
        if getattr(host, "panel", None) is not None:
            self._on_panel(host.panel)
        host.running_changed.connect(lambda *_: self.refresh())
        window.menus["file"].aboutToShow.connect(self.refresh)   # the network may have changed

    @property
    def action(self) -> Any:
        return self.window.ui_actions.export_report

    def _on_panel(self, panel: Any) -> None:
        panel.weights_changed.connect(self.refresh)
        self.refresh()

    # -- whether it can run -------------------------------------------------------------------
    def _held(self) -> tuple[Any, Any]:
        panel = self.window.training.panel
        if panel is None:
            return None, None
        return panel.insight_context(), getattr(panel, "held_weights", None)

    def reason(self) -> str | None:
        """Why no report can be made now (None when it can)."""
        host = self.window.training
        if host.panel is None:
            from .training_host import panel_available

            return NOT_TRAINED if panel_available() else NO_PANEL
        if self.running():
            return BUSY
        if host.panel.running:
            return RUNNING
        context, _ = self._held()
        if context is None:
            return NOT_TRAINED
        if context.fingerprint != fingerprint(self.window.document.graph):
            return EDITED
        return None

    def refresh(self) -> None:
        """Enable the action or disable it, with the reason as its tooltip and status tip."""
        why = self.reason()
        tip = why or "Write an HTML report on the trained network: curves, confusion matrix, " \
                     "misclassified samples, filters, decision boundary, embedding"
        self.action.setEnabled(why is None)
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)

    # -- running ------------------------------------------------------------------------------
    def ask(self) -> None:
        why = self.reason()
        if why:
            self.window.statusBar().showMessage(f"Cannot export a report: {why}", 8000)
            self.refresh()
            return
        files = self.window.files
        stem = Path(files.display_name()).stem or "network"
        suggested = str(Path(files.last_dir) / f"{stem}-report.html")
        path, _ = QFileDialog.getSaveFileName(self.window, "Export report", suggested,
                                              "HTML pages (*.html)")
        if path:
            p = Path(path)
            self.start(p if p.suffix else p.with_suffix(".html"))

    def start(self, path: str | Path) -> bool:
        """Write the report to ``path`` on a worker thread; False (and the reason in the
        status bar) when there is nothing to report on."""
        why = self.reason()
        if why:
            self.window.statusBar().showMessage(f"Cannot export a report: {why}", 8000)
            return False
        context, weights = self._held()
        self.error = None
        self.thread_ = QThread(self)
        self.worker = ReportWorker(context, weights, Path(path))
        self.worker.moveToThread(self.thread_)
        self.thread_.started.connect(self.worker.run)
        self.worker.progress.connect(self._status)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.done.connect(self.thread_.quit)
        self.worker.failed.connect(self.thread_.quit)
        self.thread_.finished.connect(self.worker.deleteLater)
        self._busy = True
        self.thread_.start()
        self.refresh()
        return True

    def running(self) -> bool:
        return self._busy

    def wait(self) -> None:
        """Before the window closes: let a report being written finish."""
        if self.thread_ is not None:
            # quit() here, not only through the worker's signal: that one is queued to this
            # (GUI) thread, which would never run it while it waits below
            self.thread_.quit()
            self.thread_.wait()

    def _status(self, text: str, ms: int = 0) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _on_done(self, result: tuple[Path, dict]) -> None:
        path, numbers = result
        self.numbers = numbers
        figure = (f": validation accuracy {numbers['accuracy']:.1%}"
                  if numbers.get("accuracy") is not None else
                  f": validation MSE {numbers['mse']:.4g}" if numbers.get("mse") is not None else "")
        self._status(f"Wrote the report {path}{figure}", 10000)
        self._busy = False
        self.refresh()
        self.finished.emit(True)

    def _on_failed(self, message: str) -> None:
        self.error = message
        self._status("The report could not be written", 10000)
        self._busy = False
        self.refresh()
        self.finished.emit(False)
        self.window.files.show_error("Cannot export the report", message)
