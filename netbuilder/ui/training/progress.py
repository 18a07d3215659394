"""What a run has said so far, and the sentences the panel shows for it.

``RunState.apply`` folds the runtime's plain events into a few numbers (epoch, progress,
speed, the latest validation figures, the outcome); ``status_line`` and ``outcome_text`` turn
them into the words under the plots: "Epoch 3/10 · val acc 91.2% · 1,240 samples/s · ETA 12 s".
A continued run (``start_epoch`` > 1) counts epochs from the first run on and says how many
were added. No Qt here, so the wording is tested without widgets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from netbuilder.runtime.events import (
    Epoch,
    Failed,
    Finished,
    Paused,
    Resumed,
    Started,
    Step,
    Stopped,
)

# idle -> starting -> running <-> paused -> stopping -> finished | stopped | failed
ACTIVE = ("starting", "running", "paused", "stopping")


def format_eta(seconds: float | None) -> str:
    """12 -> '12 s'; 125 -> '2 min 05 s'; 3900 -> '1 h 05 min'; unknown -> '…'."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "…"
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def format_number(value: float | None) -> str:
    """A loss or MSE with three significant digits; 'n/a' when missing, 'NaN' when not finite."""
    if value is None:
        return "n/a"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else "∞"
    return f"{value:.3g}"


def format_percent(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value * 100:.1f}%"


@dataclass
class RunState:
    """The latest figures of one run (or of none: phase 'idle')."""

    phase: str = "idle"
    classification: bool = True
    epochs: int = 0
    steps_per_epoch: int = 1
    start_epoch: int = 1
    epoch: int = 0
    step: int = 0
    progress: float = 0.0
    samples_per_s: float | None = None
    eta_s: float | None = None
    train_loss: float | None = None
    val_loss: float | None = None
    val_acc: float | None = None
    val_mse: float | None = None
    best_epoch: int | None = None
    device_name: str = ""
    train_samples: int = 0
    val_samples: int = 0
    parameters: int = 0
    warnings: tuple[str, ...] = ()
    message: str = ""                 # why it failed
    epochs_run: int = 0
    stopped_early: bool = False
    metrics: dict[str, Any] = field(default_factory=dict)
    checkpoints: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE

    @property
    def epochs_done(self) -> int:
        """Whole epochs trained (all of them, for a continued run): the one count the status
        line, the outcome and Continue use. A run stopped part-way through an epoch counts
        the epochs before it; its metrics are those of the last whole one."""
        if self.phase == "finished":
            return self.epochs_run
        if self.phase in ("stopped", "failed"):
            return len_history(self.metrics, self.epoch) if self.metrics else self.epochs_run
        return self.epochs_run

    @property
    def continued(self) -> bool:
        """True for a run that went on from earlier epochs (Continue)."""
        return self.start_epoch > 1

    def apply(self, ev: object) -> None:
        if isinstance(ev, Step):
            if self.phase not in ("paused", "stopping"):
                self.phase = "running"
            self.epoch, self.step, self.progress = ev.epoch, ev.step, ev.progress
            self.samples_per_s, self.eta_s = ev.samples_per_s, ev.eta_s
            self.train_loss = ev.train_loss
        elif isinstance(ev, Epoch):
            self.epoch, self.progress = ev.epoch, ev.progress
            self.epochs_run = ev.epoch
            self.samples_per_s = ev.samples_per_s
            self.train_loss = ev.train_loss
            self.val_loss, self.val_acc, self.val_mse = ev.val_loss, ev.val_acc, ev.val_mse
            if ev.is_best:
                self.best_epoch = ev.epoch
        elif isinstance(ev, Started):
            self.phase = "running" if self.phase != "stopping" else "stopping"
            self.epochs, self.start_epoch = ev.epochs, ev.start_epoch
            self.steps_per_epoch = max(1, ev.steps_per_epoch)
            self.epoch = ev.start_epoch
            self.device_name, self.parameters = ev.device_name, ev.parameters
            self.train_samples, self.val_samples = ev.train_samples, ev.val_samples
            self.warnings = tuple(ev.warnings)
        elif isinstance(ev, Paused):
            self.phase = "paused" if self.phase != "stopping" else "stopping"
            self.step = ev.step
        elif isinstance(ev, Resumed):
            self.phase = "running" if self.phase != "stopping" else "stopping"
        elif isinstance(ev, Finished):
            self.phase = "finished"
            self.metrics, self.checkpoints = dict(ev.metrics), dict(ev.checkpoints)
            self.epochs_run, self.stopped_early = ev.epochs_run, ev.stopped_early
            self.best_epoch = ev.best_epoch if ev.best_epoch is not None else self.best_epoch
            self.progress, self.eta_s = 1.0, 0.0
        elif isinstance(ev, Stopped):
            self.phase = "stopped"
            self.metrics, self.checkpoints = dict(ev.metrics), dict(ev.checkpoints)
            self.epoch, self.step = ev.epoch, ev.step
            best = ev.metrics.get("best_epoch")
            self.best_epoch = best if isinstance(best, int) else self.best_epoch
        elif isinstance(ev, Failed):
            self.phase = "failed"
            self.message = ev.message
            if ev.epoch is not None:
                self.epoch = ev.epoch

    # -- words ----------------------------------------------------------------------------
    def _val_text(self) -> str | None:
        if self.classification and self.val_acc is not None:
            return f"val acc {format_percent(self.val_acc)}"
        if not self.classification and self.val_mse is not None:
            return f"val MSE {format_number(self.val_mse)}"
        if self.val_loss is not None:
            return f"val loss {format_number(self.val_loss)}"
        if self.train_loss is not None:
            return f"train loss {format_number(self.train_loss)}"
        return None

    def _epoch_text(self) -> str:
        return f"Epoch {max(self.epoch, 1)}/{self.epochs}" if self.epochs else "Epoch …"

    def status_line(self) -> str:
        """One line under the plots; it says what is happening now."""
        p = self.phase
        if p == "idle":
            return "Ready: press Start (F5) to train"
        if p == "starting":
            if self.continued:
                return (f"Continuing after epoch {self.start_epoch - 1}: restoring the weights "
                        "and the optimiser…")
            return "Starting: building the model and placing the data…"
        parts: list[str] = []
        val = self._val_text()
        if p in ("running", "paused", "stopping"):
            parts.append(("Paused in " + self._epoch_text().lower()) if p == "paused"
                         else self._epoch_text())
            if val:
                parts.append(val)
            if p == "running":
                if self.samples_per_s:
                    parts.append(f"{self.samples_per_s:,.0f} samples/s")
                parts.append(f"ETA {format_eta(self.eta_s)}")
            elif p == "paused":
                parts.append("press Resume to go on")
            else:
                parts.append("stopping after this batch…")
            return " · ".join(parts)
        if p == "finished":
            added = self.epochs_run - self.start_epoch + 1
            done = (f"{added} more epoch{_s(added)} ({self.epochs_run} in all)" if self.continued
                    else f"{self.epochs_run} epoch{_s(self.epochs_run)}")
            parts.append(f"Finished: {done}" + (" (stopped early)" if self.stopped_early else ""))
        elif p == "stopped":
            done = self.epochs_done
            parts.append(f"Stopped after {done} of {self.epochs} epoch{_s(self.epochs)}" if done
                         else "Stopped before the first epoch ended")
        else:
            where = f" in epoch {self.epoch}" if self.epoch else ""
            return f"Training failed{where}: see the message below"
        if val:
            parts.append(val)
        if self.best_epoch is not None:
            parts.append(f"best epoch {self.best_epoch}")
        return " · ".join(parts)

    def progress_text(self) -> str:
        """The text inside the progress bar."""
        percent = f"{self.progress * 100:.0f}%"
        if self.phase == "running":
            return f"{percent} · ETA {format_eta(self.eta_s)}"
        return percent

    def outcome_text(self) -> tuple[str, str]:
        """The final figures of a finished or stopped run: (headline, figures)."""
        m = self.metrics
        parts = []
        if self.classification and m.get("val_miou") is not None:      # a segmentation
            parts.append(f"validation pixel accuracy {format_percent(m['val_acc'])}, "
                         f"mean IoU {m['val_miou']:.3f}")
        elif self.classification and m.get("val_acc") is not None:
            parts.append(f"validation accuracy {format_percent(m['val_acc'])}")
        if not self.classification and m.get("val_mse") is not None:
            parts.append(f"validation MSE {format_number(m['val_mse'])}")
        if m.get("val_loss") is not None:
            parts.append(f"validation loss {format_number(m['val_loss'])}")
        if m.get("train_loss") is not None:
            parts.append(f"training loss {format_number(m['train_loss'])}")
        done = self.epochs_done
        added = done - self.start_epoch + 1
        if not self.continued:
            parts.append(f"{done} epoch{_s(done)} run")
        elif added > 0:
            parts.append(f"{done} epochs in all ({added} more just now)")
        else:
            parts.append(f"{done} epoch{_s(done)} in all (none more)")
        best = m.get("best_epoch", self.best_epoch)
        if best is not None:
            parts.append(f"best epoch {best}")
        head = "Done" if self.phase == "finished" else "Stopped"
        if self.stopped_early:
            head += " early (the validation loss stopped improving)"
        return head, " · ".join(parts)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def len_history(metrics: dict[str, Any], epoch: int) -> int:
    """Whole epochs a stopped run finished (its metrics are those of the last whole epoch)."""
    last = metrics.get("epoch")
    return int(last) if isinstance(last, int) else max(0, epoch - 1)
