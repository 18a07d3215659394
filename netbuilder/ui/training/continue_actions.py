"""Continue: train the weights the panel holds for more epochs (a mixin of ``TrainingPanel``).

Weights go on only when they belong to the network as it is now (the fingerprint test of
``current_weights``) and came with the trainer's state (``TrainedWeights.resume_file``: the
last run's ``last.pt``, or a loaded checkpoint written that way). A press trains the form's
epochs *more*: the run asks the runtime for already-done + form epochs and resumes from the
file, which restores weights, optimiser, schedule, history and random state. The plots keep
the earlier curves (or draw a loaded checkpoint's history) and go on from them.
``continue_blocker`` says in the student's words why the button is off.
"""

from __future__ import annotations

from typing import Any

from netbuilder.graph.project import fingerprint

from ...graph.words import plural
from . import weights as weight_files
from .progress import RunState


def _epochs(count: int) -> str:
    return f"{plural(count, 'epoch')}"


class ContinueActions:
    """Needs ``document``, ``form``, ``plots``, ``state``, ``status``, ``plan``, ``running``,
    ``_closed``, ``_check_pending``, ``_weights``, ``_resumed_from``, ``_launch`` and
    ``_show_state``."""

    def continue_training(self) -> None:
        """Train the form's number of epochs more, from the weights held now."""
        if self.running or self._closed:
            return
        reason = self.continue_blocker()
        if reason is not None:
            self.status.setText(f"Cannot continue: {reason}")
            return
        if self._check_pending:
            self._requested = "continue"
            self.status.setText("Checking the network and the data before continuing…")
            return
        self._launch(resume=self._weights)

    def continue_blocker(self) -> str | None:
        """Why Continue is not possible now, or None when it is."""
        if self.running:
            return "training is running; Continue is possible once it has ended."
        w = self._weights
        if w is None:
            if self.state.phase == "failed":
                return "the last run failed, so there are no weights to continue from."
            return "nothing has been trained yet: press Start (or load a checkpoint) first."
        if w.fingerprint != fingerprint(self.document.graph):
            return ("the network changed since these weights were trained, so they no longer "
                    "fit it. Undo the change to continue, or press Start to train afresh.")
        if w.resume_file is None:
            if w.origin == "run":
                return ("the run was stopped before its first epoch ended, so there is no "
                        "whole epoch to go on from. Press Start to train afresh.")
            return (f"{w.origin} holds only weights, without the optimiser state and history "
                    "needed to continue. Press Start to train afresh.")
        if not self._check_pending and (self.plan is None or not self.plan.ok):
            return "fix the problems shown on the left first."
        return None

    def continue_tip(self) -> str:
        """The enabled button's tooltip: what a press will do, in epochs."""
        w = self._weights
        more = self.form.epochs.value()
        done = w.epoch if w is not None else 0
        start = (f"from the end of epoch {done} (the part of epoch {done + 1} trained before "
                 "Stop is trained again)" if w is not None and w.part_way else "from these weights")
        return (f"Train {_epochs(more)} more {start} (epochs {done + 1}–{done + more}),"
                " with the optimiser's state; the curves go on. The Epochs setting says how "
                "many more.")

    # -- used by the panel's _launch and _on_run_finished, and by Load ---------------------
    def _show_history(self, weights: weight_files.TrainedWeights) -> None:
        """Draw a loaded checkpoint's per-epoch curves (those Continue goes on from); the
        status line forgets the panel's own last run, whose curves these replace."""
        history = weights.history
        if not history:
            return
        classification = any(h.get("train_acc") is not None or h.get("val_acc") is not None
                              for h in history)
        self.plots.reset(classification, weights.epoch)
        self.plots.add_history(history)
        self.plots.refresh()
        self.state = RunState(classification=classification)
        self._show_state()

    def _continue_plots(self, weights: weight_files.TrainedWeights, classification: bool,
                        epochs: int) -> None:
        """Keep the curves the held weights came from, or draw a loaded file's history."""
        if weights.origin == "run" and self.plots.classification == classification:
            self.plots.continue_to(weights.epoch, epochs)
        else:
            self.plots.reset(classification, epochs)
            self.plots.add_history(weights.history)

    def _weights_after_run(self, plan: Any, state: RunState) -> weight_files.TrainedWeights | None:
        """The weights to hold when a run has ended; a continued run that failed, or that
        was stopped before its first batch, keeps the weights it went on from."""
        resumed = self._resumed_from
        if state.phase == "failed" or plan is None or plan.model is None:
            return resumed
        done = state.epochs_done
        # the trainer's last.pt holds exactly these weights when the run ended on an epoch's end
        whole = state.phase == "finished" or state.step == done * state.steps_per_epoch
        if whole and resumed is not None and done == resumed.epoch:
            return resumed
        last = state.checkpoints.get("last")
        if whole:
            return weight_files.from_run(plan.model, fingerprint(plan.graph), done,
                                         state.metrics, last)
        # stopped part-way through an epoch: these weights are kept (export, save), and
        # Continue goes on from the end of the last whole epoch: this run's, or the one it
        # went on from when it finished none
        restart = last if last is not None else (
            resumed.resume_file if resumed is not None and resumed.epoch == done else None)
        return weight_files.from_run(plan.model, fingerprint(plan.graph), done, state.metrics,
                                     None, restart_file=restart)
