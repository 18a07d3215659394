"""Save checkpoint… / Load checkpoint… of the Training panel (a mixin of ``TrainingPanel``).

Outcomes are told in the panel's outcome box: where the file went, or why it could not be
read (a checkpoint of another network gets the runtime's message naming both fingerprints).
A loaded file with the trainer's history shows its curves, which Continue goes on from.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from netbuilder.runtime.errors import NetbuilderRuntimeError

from . import weights as weight_files
from .worker import snapshot


class CheckpointActions:
    """Needs ``document``, ``outcome``, ``running``, ``_weights``, ``_set_weights`` and
    ``_show_history`` (``ContinueActions``)."""

    def save_checkpoint_to(self, path: str | Path) -> bool:
        """Write the current weights as a checkpoint; says what happened under the status."""
        if self._weights is None:
            self.outcome.set_messages([("error", "Nothing to save", "train the network or load a "
                                        "checkpoint first.")])
            return False
        try:
            written = weight_files.save(self._weights, path)
        except NetbuilderRuntimeError as exc:
            self.outcome.set_messages([("error", "Could not save the checkpoint", str(exc))])
            return False
        self.outcome.set_messages([("ok", "Saved", f"{written} ({self._weights.epoch} epochs "
                                    "of training).")])
        return True

    def load_checkpoint_from(self, path: str | Path) -> bool:
        """Load weights for the current network; a checkpoint of another network is refused."""
        if self.running:
            return False
        from netbuilder.codegen.errors import CompileError

        try:
            loaded = weight_files.load(path, snapshot(self.document.graph))
        except (NetbuilderRuntimeError, CompileError) as exc:
            self.outcome.set_messages([("error", "Could not load the checkpoint", str(exc))])
            return False
        self._set_weights(loaded)
        self._show_history(loaded)        # a resumable file's curves, for Continue to go on
        acc = loaded.metrics.get("val_acc")
        extra = f", validation accuracy {acc * 100:.1f}%" if isinstance(acc, float) else ""
        more = (" Continue trains them further." if loaded.resumable
                else " (Weights only: Continue needs a checkpoint with the training state.)")
        self.outcome.set_messages([("ok", "Loaded", f"{Path(path).name}: {loaded.epoch} epochs of "
                                    f"training{extra}. Export ONNX now uses these weights.{more}")])
        return True

    def save_checkpoint_dialog(self) -> None:
        name = (self.document.graph.name or "network").replace(" ", "_")
        path, _ = QFileDialog.getSaveFileName(self, "Save checkpoint", f"{name}.pt",
                                              "Checkpoints (*.pt);;All files (*)")
        if path:
            self.save_checkpoint_to(path)

    def load_checkpoint_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load checkpoint", "",
                                              "Checkpoints (*.pt *.pth);;All files (*)")
        if path:
            self.load_checkpoint_from(path)
