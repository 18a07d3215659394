"""Crash recovery of a training run, between the Training panel and the recovery file.

The window's runs write their checkpoints into the recovery folder (``autosave-<id>.runs``)
instead of the system's temp folder; after every finished epoch the recovery file names that
run's ``last.pt``. When a restart restores the work, the run's checkpoint is loaded into the
Training panel: its weights (Export, Save checkpoint, Continue) and its curves come back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject


class RunRecovery(QObject):
    """Connects ``window.training`` (a TrainingHost) to ``window.files`` (a FileController)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.files = window.files
        self.training = window.training
        self.panel: Any = None
        if self.files.recovery is None:
            return                       # no recovery folder: runs stay in a temp folder
        self.training.panel_created.connect(self._on_panel)
        if self.training.panel is not None:
            self._on_panel(self.training.panel)
        self.files.run_restored.connect(self._on_run_restored)

    def _on_panel(self, panel: Any) -> None:
        if not hasattr(panel, "set_run_folder"):
            return
        try:
            panel.set_run_folder(self.files.recovery.prepare_runs_folder())
        except OSError:
            return                       # an unwritable recovery folder: training still works
        self.panel = panel
        panel.run_events.connect(self._on_events)

    def _on_events(self, batch: list[Any]) -> None:
        from netbuilder.runtime.events import Epoch

        epochs = [ev.epoch for ev in batch if isinstance(ev, Epoch)]
        checkpoint = getattr(self.panel, "run_checkpoint", None)
        if epochs and checkpoint is not None and Path(checkpoint).is_file():
            self.files.keep_run(Path(checkpoint), epochs[-1])

    def _on_run_restored(self, checkpoint: Path, epoch: int) -> None:
        panel = self.training.ensure_panel()
        if panel is None or not panel.load_checkpoint_from(checkpoint):
            return
        panel.outcome.set_messages([("ok", "Restored", f"the training run netbuilder was doing "
                                     f"when it stopped: its weights after epoch {epoch}, the "
                                     "last whole epoch, and its curves. Continue trains it "
                                     "further; Save checkpoint… keeps it.")])
        self.files.keep_run(checkpoint, epoch)
