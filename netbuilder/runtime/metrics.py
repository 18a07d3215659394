"""Running training metrics kept on the device, read back only a few times a second.

Each batch writes its loss and its correct count (or squared error) into a preallocated
device tensor, which costs no synchronisation; :meth:`EpochMeter.read` sums a range of
batches with one ``.tolist()`` when an event is due.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from netbuilder.runtime.placement import Placement
from netbuilder.runtime.losses import compute_loss, predicted_classes, squared_error_sum


@dataclass(frozen=True)
class Reading:
    """Means over a range of batches; ``bad_batch`` is the first batch whose loss is not finite."""

    loss: float
    accuracy: float | None
    mse: float | None
    samples: int
    bad_batch: int | None = None
    bad_value: float | None = None


class EpochMeter:
    """Per-batch losses and hits of one epoch, stored on the device."""

    def __init__(self, batch_sizes: list[int], classification: bool, device: torch.device) -> None:
        n = len(batch_sizes)
        self.classification = classification
        self.sizes_list = batch_sizes
        self.sizes = torch.tensor(batch_sizes, dtype=torch.float32, device=device)
        self.losses = torch.zeros(n, dtype=torch.float32, device=device)
        self.hits = torch.zeros(n, dtype=torch.float32, device=device)

    def record(self, batch: int, loss_name: str, loss: torch.Tensor, output: torch.Tensor, target: torch.Tensor) -> None:
        """Store batch ``batch``'s mean loss and its correct count / squared-error sum."""
        self.losses[batch] = loss.detach()
        output = output.detach()
        if self.classification:
            self.hits[batch] = (predicted_classes(loss_name, output) == target).sum()
        else:
            self.hits[batch] = squared_error_sum(output, target)

    def read(self, start: int, stop: int) -> Reading:
        """Means over batches ``start`` .. ``stop - 1`` (one device synchronisation)."""
        losses = self.losses[start:stop]
        sizes = self.sizes[start:stop]
        finite = torch.isfinite(losses)
        loss_sum, hit_sum, all_finite = torch.stack(
            [(losses * sizes).sum(), self.hits[start:stop].sum(), finite.all().float()]
        ).tolist()
        samples = sum(self.sizes_list[start:stop])
        if not all_finite:
            first = int(torch.nonzero(~finite)[0, 0])
            return Reading(float("nan"), None, None, samples, start + first, float(losses[first]))
        mean_hits = hit_sum / samples
        return Reading(
            loss=loss_sum / samples,
            accuracy=mean_hits if self.classification else None,
            mse=None if self.classification else mean_hits,
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
) -> Reading | None:
    """Mean loss and accuracy/MSE of ``forward`` on (x, y) without gradients; None if empty."""
    n = x.shape[0]
    if n == 0:
        return None
    loss_sum = torch.zeros((), device=x.device)
    hit_sum = torch.zeros((), device=x.device)
    with torch.no_grad():
        for start in range(0, n, batch_size):
            xb = placement.batch(x[start:start + batch_size])
            yb = y[start:start + batch_size]
            with placement.autocast():
                out = forward(xb)
                loss = compute_loss(loss_name, out, yb)
            loss_sum += loss.float() * xb.shape[0]
            if classification:
                hit_sum += (predicted_classes(loss_name, out) == yb).sum()
            else:
                hit_sum += squared_error_sum(out, yb)
    loss_value, hits = torch.stack([loss_sum, hit_sum]).tolist()
    return Reading(
        loss=loss_value / n,
        accuracy=hits / n if classification else None,
        mse=None if classification else hits / n,
        samples=n,
    )
