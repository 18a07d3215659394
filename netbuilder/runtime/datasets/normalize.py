"""Per-feature / per-channel normalisation, fitted on the training part only.

Which axis counts as "feature" follows the sample shape: (F,) tabular -> per feature;
(L, F) sequences -> per feature (last axis); (C, H, W) images -> per channel; any other
shape -> one mean and deviation for everything. Token ids (int64) are never normalised.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Normalization:
    """``(x - mean) / std`` with ``mean`` and ``std`` shaped to broadcast over a batch."""

    mean: torch.Tensor
    std: torch.Tensor

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean.to(x.device)) / self.std.to(x.device)

    def apply_(self, x: torch.Tensor) -> torch.Tensor:
        """In place, on whatever device ``x`` lives (saves a copy of large image sets)."""
        return x.sub_(self.mean.to(x.device)).div_(self.std.to(x.device))

    def to_dict(self) -> dict[str, list[float] | list[int]]:
        """Plain lists (for project files and exported code)."""
        return {
            "mean": self.mean.flatten().tolist(),
            "std": self.std.flatten().tolist(),
            "shape": list(self.mean.shape),
        }


def _reduce_dims(sample_ndim: int) -> tuple[int, ...]:
    if sample_ndim == 1:
        return (0,)
    if sample_ndim == 2:
        return (0, 1)
    if sample_ndim == 3:
        return (0, 2, 3)
    return tuple(range(sample_ndim + 1))


def fit_normalization(x: torch.Tensor) -> Normalization | None:
    """Statistics of the batch ``x`` (N, ...), or None for integer token ids."""
    if x.dtype != torch.float32 or x.shape[0] == 0:
        return None
    dims = _reduce_dims(x.dim() - 1)
    var, mean = torch.var_mean(x, dim=dims, keepdim=True, correction=0)  # no full-size temporary
    std = var.sqrt()
    std = torch.where(std < 1e-6, torch.ones_like(std), std)
    return Normalization(mean[0].cpu(), std[0].cpu())
