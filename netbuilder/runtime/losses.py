"""Loss functions by name, and how each one wants its targets shaped."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from netbuilder.runtime.errors import ConfigError

_ELEMENTWISE = {
    "bce_with_logits": F.binary_cross_entropy_with_logits,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
}


def compute_loss(name: str, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean loss of a batch; targets are class ids (int64) or regression values (float32)."""
    if name == "cross_entropy":
        return F.cross_entropy(output, target)
    if name == "nll":
        return F.nll_loss(output, target)
    if name in _ELEMENTWISE:
        if output.dtype in (torch.bfloat16, torch.float16):
            output = output.float()  # autocast: compare in float32, never round the targets
        return _ELEMENTWISE[name](output, target.to(output.dtype).view_as(output))
    raise ConfigError(f"unknown loss '{name}'")


def predicted_classes(name: str, output: torch.Tensor) -> torch.Tensor:
    """Class ids from the model's output (for accuracy)."""
    if name == "bce_with_logits":
        return (output.reshape(output.shape[0]) > 0).to(torch.int64)
    return output.argmax(dim=1)


def squared_errors(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The mean squared error of each sample (for the MSE metric), shape (N,)."""
    diff = output.float().reshape(output.shape[0], -1) - target.float().reshape(target.shape[0], -1)
    return diff.pow(2).mean(dim=1)
