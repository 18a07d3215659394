"""The Training panel: settings on the left, live plots on the right, progress and status below.

Every settings or graph change is checked with ``plan_training`` (on a worker thread), and
its problems are shown in plain words; Start is possible only when the check passed. A run
trains a frozen snapshot of the graph on a ``TrainingRun`` thread; its event batches update
a ``RunState`` and the plot buffers, and a ~20 Hz timer redraws only what changed. Continue
(``continue_actions.py``) launches the same way, resuming from the held weights' checkpoint.
The window locks editing from ``running_changed``; it calls ``start``, ``stop``, ``shutdown``,
``trained_weights`` and ``set_presentation`` (see ``ui/training_host.py``).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from netbuilder.graph.document import Change, Document
from netbuilder.graph.project import fingerprint
from netbuilder.runtime.control import TrainingControl
from netbuilder.runtime.datasets import format_shape
from netbuilder.runtime.events import Epoch, Started, Step
from netbuilder.runtime.session import plan_training
from netbuilder.runtime.tasks import reports_accuracy, run_task, task_words

from ..doc_link import DocumentLink
from ..theme import Theme
from . import weights as weight_files
from .checkpoint_actions import CheckpointActions
from .continue_actions import ContinueActions
from .output_fix import attach_output_fix, offer_output_fix
from .panel_ui import apply_look, build_ui, set_pause_label, show_left, update_buttons
from .progress import RunState
from .settings_form import stored_settings
from .worker import CheckerThread, TrainingRun, snapshot

NODE_STATS_EVERY = 10     # steps between per-node statistics (at most about 5 a second)

REFRESH_MS = 50          # plots redraw at most 20 times a second, when new points came
STATUS_INTERVAL_S = 0.25  # the status line and the progress bar: 4 times a second
CHECK_DELAY_MS = 150     # a burst of edits is checked once
SHUTDOWN_TIMEOUT_S = 10.0


def gui_cpu_threads() -> int:
    """Torch threads for a run started from the window: one core stays free for the GUI."""
    return max(1, (os.cpu_count() or 2) - 1)


class TrainingPanel(QWidget, CheckpointActions, ContinueActions):
    running_changed = Signal(bool)
    run_ended = Signal(str)        # 'finished', 'stopped' or 'failed'
    weights_changed = Signal()     # current_weights() may give something else now
    run_events = Signal(object)    # each batch of a run's events, after the panel's own use
    fix_requested = Signal(object)  # a graph.fixes.Fix: the output sized for the data

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.document = document
        self.state = RunState()
        self.plan: Any = None              # the latest check's TrainingPlan
        self.check_error: str | None = None
        self._check_token = 0
        self._check_pending = True
        self._requested: str | None = None   # 'start' or 'continue', once the check is done
        self._run: TrainingRun | None = None
        self._last_run: TrainingRun | None = None
        self._run_plan: Any = None
        self._control: TrainingControl | None = None
        self._weights: weight_files.TrainedWeights | None = None
        self._resumed_from: weight_files.TrainedWeights | None = None   # what a run continues
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.run_folder: Path | None = None   # where runs keep their checkpoints (recovery)
        self.run_checkpoint: Path | None = None   # the running run's last.pt
        # Tensors a fresh run starts from (File > Load weights..., fine-tuning), by the
        # module's keys, and where they came from: (state_dict, description) or None.
        self.start_from: tuple[dict[str, Any], str] | None = None
        self._runs = 0
        self._writing = False
        self._closed = False
        self._status_dirty = False
        self._status_shown, self._phase_shown = 0.0, ("", 0)
        self._file_keys = set(document.project.training or {})
        build_ui(self)
        attach_output_fix(self)

        self.form.load(document.project.training)
        self.form.edited.connect(self._on_form_edited)
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._send_check)
        self._refresh_timer = QTimer(self, interval=REFRESH_MS)
        self._refresh_timer.timeout.connect(self._tick)
        self.checker = CheckerThread()
        self.checker.checked.connect(self._on_checked, Qt.ConnectionType.QueuedConnection)
        self._link = DocumentLink(self, document, self._on_document_change)
        self.destroyed.connect(self.checker.thread.quit)
        Theme.changed.connect(self._apply_theme)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._apply_theme()
        self._show_state()
        self._schedule_check(0)

    # -- public API -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from start until the run's thread has ended (also while paused)."""
        return self._run is not None

    @property
    def checking(self) -> bool:
        """True while the settings and the graph are being checked (Start then waits)."""
        return self._check_pending

    def start(self) -> None:
        """Start training (F5); waits for a pending check, refuses with the problems shown."""
        if self.running or self._closed:
            return
        if self._check_pending:
            self._requested = "start"
            self.status.setText("Checking the network and the data before starting…")
            return
        self._launch()

    start_training = start

    def stop(self) -> None:
        """Stop after the current batch (also while paused); the weights so far are kept."""
        if self._run is None:
            return
        self._run.stop()
        self.state.phase = "stopping"
        self._show_state()

    stop_training = stop

    def pause(self) -> None:
        if self._control is not None and self.state.phase in ("starting", "running"):
            self._control.pause()
            self._pause_label(paused=True)
            self._show_state()

    def resume(self) -> None:
        if self._control is not None and self._control.pause_requested:
            self._control.resume()
            self._pause_label(paused=False)
            if self.state.phase == "paused":
                self.state.phase = "running"
            self._show_state()

    def toggle_pause(self) -> None:
        if self._control is not None and self._control.pause_requested:
            self.resume()
        else:
            self.pause()

    def shutdown(self, timeout_s: float = SHUTDOWN_TIMEOUT_S) -> bool:
        """Stop a run and wait for its thread (and the checks' thread); True if both ended.

        Safe to call more than once; the window calls it when closing, and the panel also
        calls it itself when the application quits."""
        if not self._closed:
            self._closed = True
            self._check_timer.stop()
            self._link.detach()
        ended = True
        if self._run is not None:
            self._run.stop()
            ended = self._run.join(timeout_s)
        return self.checker.close(timeout_s if ended else 0.5) and ended

    def current_weights(self) -> dict[str, Any] | None:
        """A state_dict (CPU tensors) of the last run or the loaded checkpoint, if they belong
        to the network as it is now; None otherwise (the export then uses fresh weights)."""
        w = self._weights
        if w is None or w.fingerprint != fingerprint(self.document.graph):
            return None
        return dict(w.state_dict)

    trained_weights = current_weights

    @property
    def held_weights(self) -> weight_files.TrainedWeights | None:
        """The weights held (with their history and file), whichever network they fit."""
        return self._weights

    def insight_context(self, live: bool = False) -> Any:
        """What the insight views need (``runtime.insight.data.RunContext``), or None.

        By default: the held weights with the graph, dataset and settings they were trained
        with. ``live``: the run in progress (its weights come as WeightsSnapshot events after
        ``request_snapshot``).
        """
        from netbuilder.runtime.insight.data import RunContext

        if live:
            plan = self._run_plan if self._run is not None else None
            if plan is None or plan.dataset is None or plan.config is None:
                return None
            return RunContext(plan.graph, plan.dataset, plan.config, None, 0,
                              fingerprint(plan.graph))
        w = self._weights
        if w is None:
            return None
        plan = self._run_plan if w.origin == "run" and self._run_plan is not None else self.plan
        if plan is None or plan.dataset is None or plan.config is None:
            return None
        graph = plan.graph if fingerprint(plan.graph) == w.fingerprint else self.document.graph
        return RunContext(graph, plan.dataset, plan.config, dict(w.state_dict), w.epoch,
                          w.fingerprint)

    def held_state(self) -> tuple[dict[str, Any], str] | None:
        """The weights the panel holds (last run or loaded checkpoint) and a description,
        whether or not they fit the network as it is now (a fine-tune matches them)."""
        w = self._weights
        if w is None:
            return None
        where = "the last run" if w.origin == "run" else w.origin
        return dict(w.state_dict), f"{where}, epoch {w.epoch}"

    def set_start_weights(self, state: dict[str, Any] | None, description: str = "") -> None:
        """Start the next fresh runs from ``state`` (tensors by the module's keys; the
        others as initialised), or from fresh weights again with None."""
        self.start_from = (dict(state), description) if state is not None else None
        self._show_state()

    def request_snapshot(self) -> None:
        """Ask the run in progress for a copy of its weights (a WeightsSnapshot event)."""
        if self._control is not None:
            self._control.request_snapshot()

    def set_presentation(self, on: bool) -> None:
        """Follows ``Theme`` (the window sets it); kept for the host's explicit call."""
        self._apply_theme()

    # -- settings and checks ------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The project's training settings with the form's values (what a run would use)."""
        return {**(self.document.project.training or {}), **self.form.values()}

    def _on_form_edited(self) -> None:
        values = self.form.values()
        if not isinstance(values["lr"], float):
            values.pop("lr")          # not a number yet: keep the file's value
        training = self.document.project.training
        new = stored_settings(training, self._file_keys, values)
        if new != training:
            self._writing = True
            try:
                self.document.set_training(new)
            finally:
                self._writing = False
        self._schedule_check()

    def _on_document_change(self, change: Change) -> None:
        if change.reset:
            self._file_keys = set(self.document.project.training or {})
            self.form.load(self.document.project.training)
            if not self.running:
                self.state = RunState()
                self.plots.reset(True, None)
                self.outcome.clear_messages()
                self._show_state()
            self._set_weights(None)
            self.start_from = None
        elif change.meta and not self._writing:
            self.form.load(self.document.project.training)
        if change.reset or change.structure or change.nodes or change.meta:
            self._schedule_check()

    def _schedule_check(self, delay_ms: int = CHECK_DELAY_MS) -> None:
        self._check_token += 1        # answers to older requests are now stale
        self._check_pending = True
        if not self._closed:
            self._check_timer.start(delay_ms)
        self._update_buttons()

    def _send_check(self) -> None:
        if self.running:
            return                    # checked again when the run ends
        if self.plan is None:
            self.problems.set_messages([("info", "", "Checking the network and the data…")])
        self.checker.request(self._check_token, snapshot(self.document.graph), self._run_settings())

    @Slot(object)
    def _on_checked(self, answer: tuple[int, Any, str | None]) -> None:
        token, plan, error = answer
        if token != self._check_token or self._closed:
            return
        self._check_pending = False
        self.plan, self.check_error = plan, error
        self._show_problems()
        self._show_state()
        requested, self._requested = self._requested, None
        if requested == "start":
            self._launch()
        elif requested == "continue":
            self.continue_training()

    def _run_settings(self) -> dict[str, Any]:
        settings = self.settings()
        settings.setdefault("cpu_threads", gui_cpu_threads())
        # per-node statistics for the canvas overlay: cheap at this interval (benchmarks/)
        settings.setdefault("node_stats_every", NODE_STATS_EVERY)
        return settings

    def _show_problems(self) -> None:
        plan = self.plan
        if plan is None:
            self.problems.set_messages([("error", "The check itself failed", str(self.check_error))])
            offer_output_fix(self)
            return
        messages = [("error", e) for e in plan.errors] + [("warning", w) for w in plan.warnings]
        if plan.ok and plan.dataset is not None:
            info = plan.dataset.info
            what = task_words(plan.config.task, info)
            messages.insert(0, ("ok", "Ready", f"the network fits '{info.name}' ({len(plan.dataset):,} "
                                f"samples of {format_shape(tuple(info.sample_shape))}, {what})."))
        self.problems.set_messages(messages)
        offer_output_fix(self)
        show_left(self)

    # -- a run ----------------------------------------------------------------------------
    def _launch(self, resume: weight_files.TrainedWeights | None = None) -> None:
        """Start a run from fresh weights, or continue ``resume`` for the form's epochs more."""
        plan = self.plan
        if plan is None or not plan.ok:
            self._show_problems()
            self._show_state()        # "Cannot start: <the first problem>"
            return
        graph = snapshot(self.document.graph)     # frozen: edits cannot race the run
        settings = self._run_settings()
        if resume is not None:
            settings["epochs"] = resume.epoch + int(settings["epochs"])
        run_plan = plan_training(graph, settings, dataset=plan.dataset)
        if resume is None and self.start_from is not None:
            run_plan.start_weights = self.start_from[0]
        if not run_plan.ok:
            self.plan = run_plan
            self._show_problems()
            self._show_state()
            return
        run_plan.recorder = self._recorder()
        self._runs += 1
        checkpoint_dir = self._run_root() / f"run-{self._runs}"
        self.run_checkpoint = checkpoint_dir / "last.pt"
        self._control = TrainingControl()
        self._run_plan = run_plan
        self._last_run = None
        info, epochs = run_plan.dataset.info, run_plan.config.epochs
        accuracy = reports_accuracy(run_task(run_plan.config.task, info))
        self.state = RunState(phase="starting", classification=accuracy,
                              epochs=epochs, start_epoch=resume.epoch + 1 if resume else 1)
        if resume is None:
            self.plots.reset(accuracy, epochs)
        else:
            self._continue_plots(resume, accuracy, epochs)
        self.outcome.clear_messages()
        self._resumed_from = resume
        self._set_weights(None)
        run = self._run = TrainingRun(run_plan, self._control, str(checkpoint_dir),
                                      resume=resume.resume_file if resume else None)
        run.events.connect(self._on_events)
        run.finished.connect(self._on_run_finished)
        self.destroyed.connect(self._control.stop)
        run.start()
        self._refresh_timer.start()
        self._pause_label(paused=False)
        self.form.setEnabled(False)
        self._show_state()
        self.running_changed.emit(True)

    def _recorder(self) -> Any:
        """A saved project keeps each run in its history (runtime/runs); an unsaved one not."""
        path = getattr(self.document, "path", None)
        if path is None:
            return None
        from netbuilder.runtime.runs.recorder import RunRecorder
        from netbuilder.runtime.runs.store import RunStore

        return RunRecorder(RunStore(path), self.document.snapshot())

    def set_run_folder(self, folder: str | Path) -> None:
        """Keep runs' checkpoints in ``folder`` (the window's recovery folder), so a crash
        loses no finished epoch; without one they go to a temporary folder."""
        self.run_folder = Path(folder)

    def _run_root(self) -> Path:
        if self.run_folder is not None:
            return self.run_folder
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="netbuilder-train-")
        return Path(self._tmp.name)

    @Slot(object)
    def _on_events(self, batch: list[Any]) -> None:
        if self._run is None:
            return                    # a late batch of a run that shutdown() already ended
        state, plots = self.state, self.plots
        for ev in batch:
            state.apply(ev)
            if isinstance(ev, Step):
                plots.add_step(ev.step / state.steps_per_epoch, ev.train_loss, ev.train_acc,
                               ev.train_mse)
            elif isinstance(ev, Epoch):
                plots.add_epoch(float(ev.epoch), ev.val_loss, ev.val_acc, ev.val_mse,
                                train_loss=ev.train_loss)
            elif isinstance(ev, Started):
                if ev.warnings:
                    self.outcome.set_messages([("warning", w) for w in ev.warnings])
        self._status_dirty = True
        self.run_events.emit(batch)

    def _tick(self, force: bool = False) -> None:
        self.plots.refresh()
        # words and the bar change every tick (ETA, speed) but are read, not watched: a few
        # times a second is enough, and a progress bar with text repaints at once on setValue
        now = time.monotonic()
        due = (now - self._status_shown >= STATUS_INTERVAL_S
               or (self.state.phase, self.state.epochs_run) != self._phase_shown)
        if self._status_dirty and (due or force):
            self._status_dirty = False
            self._show_state()

    @Slot()
    def _on_run_finished(self) -> None:
        run, self._run = self._run, None
        self._last_run = run
        self._refresh_timer.stop()
        self._tick(force=True)
        state = self.state
        if state.active:              # the thread ended without a final event
            state.phase, state.message = "failed", "Training ended without a result."
        weights = self._weights_after_run(self._run_plan, state)
        self._set_weights(weights)
        if state.phase == "failed":
            messages = [("error", "Training failed", state.message)]
            if weights is not None:
                messages.append(("info", "", f"The weights of epoch {weights.epoch} you went on "
                                 "from are kept: press Continue to try again."))
        else:
            messages = ([("ok", *state.outcome_text())]
                        + [("warning", w) for w in state.warnings])
        recorder = getattr(self._run_plan, "recorder", None)
        if recorder is not None and recorder.problem:
            messages.append(("warning", "Not kept in the run history", recorder.problem))
        self.outcome.set_messages(messages)
        self._resumed_from = None
        self._control = None
        self.form.setEnabled(True)
        self._pause_label(paused=False)
        self._show_state()
        self.running_changed.emit(False)
        self.run_ended.emit(state.phase)
        if self._check_pending and not self._closed:
            self._check_timer.start(0)

    def _set_weights(self, weights: weight_files.TrainedWeights | None) -> None:
        if weights is None and self._weights is None:
            return
        self._weights = weights
        self._update_buttons()
        self.weights_changed.emit()

    # -- showing the state --------------------------------------------------------------------
    def _status_text(self) -> str:
        if self.running:
            control = self._control
            if control is not None and control.pause_requested and self.state.phase == "running":
                return "Pausing after the current batch…"
            return self.state.status_line()
        if self.plan is None:
            if self._check_pending:
                return "Checking the network and the data…"
            return "Cannot start: the check failed (see the message on the left)"
        if not self.plan.ok and not self._check_pending:
            errors = self.plan.errors
            more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" \
                if len(errors) > 1 else ""
            return f"Cannot start: {errors[0] if errors else 'see the problems'}{more}"
        if self.state.phase == "idle" and self.start_from is not None:
            return f"Ready: Start (F5) begins from {self.start_from[1]}"
        if self.state.phase == "idle" and self.continue_blocker() is None:
            return "Ready: Start afresh (F5), or Continue from the loaded weights"
        return self.state.status_line()

    def _show_state(self) -> None:
        s = self.state
        self._status_shown, self._phase_shown = time.monotonic(), (s.phase, s.epochs_run)
        self.status.setText(self._status_text())
        if Theme.presentation:
            self.summary.setText(self.form.summary())
        self.progress.setValue(round(s.progress * 1000))
        self.progress.setFormat(s.progress_text())
        self._update_buttons()

    def _pause_label(self, paused: bool) -> None:
        set_pause_label(self, paused)

    def _update_buttons(self) -> None:
        if hasattr(self, "start_button"):
            update_buttons(self)

    def _apply_theme(self) -> None:
        apply_look(self)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_theme()
