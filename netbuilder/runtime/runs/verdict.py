"""Reading over- and under-fitting from a run's per-epoch curves, in plain words.

``fit_verdict(history)`` takes the per-epoch metrics (``train_loss``, ``val_loss`` and,
for classification, ``train_acc``/``val_acc``) and returns the epoch of the lowest
validation loss, the gap between validation and training loss, and one sentence a student
can act on. The rules, in order:

- **over-fits**: the validation loss ended at least ``RISE`` (relative) above its lowest,
  at least two epochs after it, while the training loss kept falling;
- **over-fits** too when the validation loss ends ``GAP_RATIO`` times the training loss or
  more (the network fits its training samples far better than new ones);
- **under-fits**: both losses still fell by at least ``STILL_FALLING`` over the last two
  epochs with validation close to training (more epochs would help), or the training loss stays high (classification: training
  accuracy under ``LOW_ACCURACY``; otherwise it fell by less than half from epoch 1) with
  validation close to it;
- **fits**: otherwise.

Pure Python (numbers in, words out): the Runs panel, the Training plots and the CLI share it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RISE = 0.05              # the validation loss ended 5 % above its lowest: over-fitting
STILL_FALLING = 0.03     # both losses fell 3 % over the last two epochs: not done yet
LOW_ACCURACY = 0.8
MIN_EPOCHS = 3
GAP_RATIO = 3.0          # validation loss 3x the training loss: memorising, not learning
CLOSE = 0.3              # |gap| within 30 % of the validation loss: the two curves agree


@dataclass(frozen=True)
class Verdict:
    kind: str                       # "overfits", "underfits", "fits" or "unknown"
    text: str
    best_epoch: int | None = None   # the epoch of the lowest validation loss
    best_val_loss: float | None = None
    gap: float | None = None        # validation minus training loss at the last epoch

    @property
    def label(self) -> str:
        return {"overfits": "over-fits", "underfits": "under-fits", "fits": "fits well",
                "unknown": "-"}[self.kind]


def fit_verdict(history: Sequence[Mapping[str, Any]]) -> Verdict:
    rows = [(int(h.get("epoch") or i + 1), float(h["train_loss"]), float(h["val_loss"]),
             h.get("train_acc"))
            for i, h in enumerate(history)
            if _number(h.get("train_loss")) and _number(h.get("val_loss"))]
    if not rows:
        return Verdict("unknown", "no validation losses recorded: the verdict needs a "
                       "validation split (val_fraction above 0)")
    epochs = [r[0] for r in rows]
    train = [r[1] for r in rows]
    val = [r[2] for r in rows]
    best_i = min(range(len(val)), key=val.__getitem__)
    best_epoch, best = epochs[best_i], val[best_i]
    gap = val[-1] - train[-1]
    common = {"best_epoch": best_epoch, "best_val_loss": best, "gap": gap}
    if len(rows) < MIN_EPOCHS:
        return Verdict("unknown", f"{len(rows)} epoch(s) are too few to judge: train for "
                       f"{MIN_EPOCHS} or more", **common)
    rise = (val[-1] - best) / max(abs(best), 1e-12)
    if (rise >= RISE and len(rows) - 1 - best_i >= 2 and train[-1] < train[best_i]):
        return Verdict("overfits", f"validation loss rose after epoch {best_epoch} while "
                       "training loss kept falling: the network over-fits; try dropout, weight "
                       "decay, augmentation or fewer epochs", **common)
    if train[-1] > 0 and val[-1] >= GAP_RATIO * train[-1]:
        return Verdict("overfits", f"validation loss ({val[-1]:.3g}) is {val[-1] / train[-1]:.0f} "
                       f"times the training loss ({train[-1]:.3g}): the network fits its "
                       "training samples far better than new ones (over-fits); try dropout, "
                       "weight decay, augmentation or a smaller network", **common)
    close = abs(gap) <= CLOSE * max(abs(val[-1]), 1e-12)
    if (close and val[-1] <= val[-3] * (1 - STILL_FALLING)
            and train[-1] <= train[-3] * (1 - STILL_FALLING)):
        return Verdict("underfits", f"both losses were still falling at epoch {epochs[-1]}: "
                       "the network under-fits so far; train for more epochs or raise the "
                       "learning rate", **common)
    acc = rows[-1][3]
    high = (acc < LOW_ACCURACY) if _number(acc) else train[-1] > 0.5 * train[0]
    if high and abs(gap) <= 0.25 * max(abs(train[-1]), 1e-12):
        what = (f"training accuracy {acc:.0%}" if _number(acc)
                else f"training loss {train[-1]:.3g}, from {train[0]:.3g}")
        return Verdict("underfits", f"training loss stays high ({what}) and validation "
                       "follows it: the network under-fits; try a bigger network, more "
                       "epochs or a higher learning rate", **common)
    return Verdict("fits", f"validation loss was lowest at epoch {best_epoch} and stayed "
                   "close to it, and training and validation agree: the network fits well",
                   **common)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v
