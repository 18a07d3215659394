"""The record of a run so far: per-epoch history, the best validation loss, patience count."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunRecord:
    """What early stopping, the best checkpoint and the final event need to know."""

    history: list[dict[str, Any]] = field(default_factory=list)
    best_val_loss: float | None = None
    best_epoch: int | None = None
    bad_epochs: int = 0  # epochs since the validation loss last reached a new low

    def track(self, val_loss: float | None, epoch: int) -> bool:
        """Count an epoch's validation loss; True when it is the best so far."""
        if val_loss is None or not math.isfinite(val_loss):
            return False
        if self.best_val_loss is None or val_loss < self.best_val_loss:
            self.best_val_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            return True
        self.bad_epochs += 1
        return False

    def metrics(self) -> dict[str, Any]:
        """The last epoch's figures plus the best validation loss and its epoch."""
        metrics = dict(self.history[-1]) if self.history else {}
        metrics["best_val_loss"] = self.best_val_loss
        metrics["best_epoch"] = self.best_epoch
        return metrics

    def to_state(self) -> dict[str, Any]:
        return {
            "history": [dict(h) for h in self.history],
            "best_val_loss": self.best_val_loss,
            "best_epoch": self.best_epoch,
            "bad_epochs": self.bad_epochs,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> RunRecord:
        return cls(
            history=list(state.get("history") or []),
            best_val_loss=state.get("best_val_loss"),
            best_epoch=state.get("best_epoch"),
            bad_epochs=int(state.get("bad_epochs") or 0),
        )
