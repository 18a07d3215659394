"""Running training metrics kept on the device, read back only a few times a second.

Each batch only appends its (detached) loss and predictions to Python lists: no extra
device work and no synchronisation. :meth:`EpochMeter.flush` turns the pending batches into
sums with a handful of ops and one ``.tolist()`` when an event is due.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from netbuilder.runtime.losses import compute_loss, predicted_classes, squared_errors
from netbuilder.runtime.placement import Placement
from netbuilder.runtime.tasks import confusion_of, mean_iou


@dataclass(frozen=True)
class Reading:
    """Means over some batches; ``bad_batch`` is the first (0-based, in the epoch) whose loss
    is not finite, with ``bad_value`` its loss. ``accuracy`` of a segmentation is the share
    of pixels right; ``miou`` its mean intersection over union (validation only)."""

    loss: float
    accuracy: float | None
    mse: float | None
    samples: int
    bad_batch: int | None = None
    bad_value: float | None = None
    miou: float | None = None


def hits_per_sample(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The share of a sample's class ids that are right: 0 or 1 for one id per sample, the
    pixel accuracy for a mask; shape (N,)."""
    right = (predicted == target).float()
    return right.reshape(right.shape[0], -1).mean(dim=1)


class EpochMeter:
    """Losses and hits of one epoch's batches, summed lazily.

    Sums are taken per batch on the device and added with :func:`math.fsum`, so an epoch's
    figures do not depend on when the Step events happened to flush (same seed, same curve).
    """

    def __init__(self, loss_name: str, classification: bool) -> None:
        self.loss_name = loss_name
        self.classification = classification
        self.batches = 0  # batches flushed so far
        self._loss_sums: list[float] = []
        self._hit_sums: list[float] = []
        self._sizes: list[int] = []
        self._losses: list[torch.Tensor] = []
        self._outputs: list[torch.Tensor] = []
        self._targets: list[torch.Tensor] = []

    @property
    def pending(self) -> int:
        return len(self._losses)

    def record(self, loss: torch.Tensor, output: torch.Tensor, target: torch.Tensor) -> None:
        """Remember one batch's mean loss and what is needed for its accuracy or MSE."""
        self._losses.append(loss.detach())
        output = output.detach()
        if self.classification:
            output = predicted_classes(self.loss_name, output)
        self._outputs.append(output)
        self._targets.append(target)

    def flush(self) -> Reading:
        """Means over the batches recorded since the last flush (one synchronisation)."""
        sizes = [t.shape[0] for t in self._targets]
        losses = torch.stack(self._losses).float()
        weights = torch.tensor(sizes, dtype=torch.float32, device=losses.device)
        outputs, targets = torch.cat(self._outputs), torch.cat(self._targets)
        if self.classification:
            per_sample = hits_per_sample(outputs, targets)
        else:
            per_sample = squared_errors(outputs, targets)
        hits = torch.stack([part.sum() for part in per_sample.split(sizes)])
        finite = torch.isfinite(losses)
        values = torch.cat([losses * weights, hits, finite.all().float().reshape(1)]).tolist()
        k = len(sizes)
        first = self.batches
        self.batches += k
        self._losses, self._outputs, self._targets = [], [], []
        if not values[-1]:
            bad = int(torch.nonzero(~finite)[0, 0])
            return Reading(float("nan"), None, None, sum(sizes), first + bad, float(losses[bad]))
        loss_sums, hit_sums = values[:k], values[k:2 * k]
        self._loss_sums += loss_sums
        self._hit_sums += hit_sums
        self._sizes += sizes
        return self._reading(loss_sums, hit_sums, sizes)

    def total(self) -> Reading:
        """Means over every batch flushed in this epoch."""
        return self._reading(self._loss_sums, self._hit_sums, self._sizes)

    def _reading(self, loss_sums: list[float], hit_sums: list[float], sizes: list[int]) -> Reading:
        samples = sum(sizes)
        hits = math.fsum(hit_sums) / samples
        return Reading(
            loss=math.fsum(loss_sums) / samples,
            accuracy=hits if self.classification else None,
            mse=None if self.classification else hits,
            samples=samples,
        )


def evaluate(
    forward: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_name: str,
    classification: bool,
    batch_size: int,
    placement: Placement,
    *,
    num_classes: int = 0,
) -> Reading | None:
    """Mean loss and accuracy/MSE of ``forward`` on (x, y) without gradients; None if empty.

    For class ids per pixel (``y`` N x H x W) with ``num_classes`` given, also the mean IoU.
    """
    n = x.shape[0]
    if n == 0:
        return None
    loss_sum = torch.zeros((), device=x.device)
    hit_sum = torch.zeros((), device=x.device)
    per_pixel = classification and y.dim() > 1 and num_classes > 0
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=x.device) \
        if per_pixel else None
    with torch.no_grad():
        for start in range(0, n, batch_size):
            xb = placement.batch(x[start:start + batch_size])
            yb = y[start:start + batch_size]
            with placement.autocast():
                out = forward(xb)
                loss = compute_loss(loss_name, out, yb)
            loss_sum += loss.float() * xb.shape[0]
            if classification:
                predicted = predicted_classes(loss_name, out)
                hit_sum += hits_per_sample(predicted, yb).sum()
                if confusion is not None:
                    confusion += confusion_of(predicted, yb, num_classes)
            else:
                hit_sum += squared_errors(out, yb).sum()
    loss_value, hits = torch.stack([loss_sum, hit_sum]).tolist()
    return Reading(
        loss=loss_value / n,
        accuracy=hits / n if classification else None,
        mse=None if classification else hits / n,
        samples=n,
        miou=mean_iou(confusion) if confusion is not None else None,
    )
