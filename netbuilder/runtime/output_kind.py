"""Guessing from one forward pass what a model outputs: logits, probabilities or
log-probabilities (for the loss warnings of the compatibility check)."""

from __future__ import annotations

import torch

from netbuilder.runtime.compat import OutputKind


def guess_output_kind(output: torch.Tensor, loss: str) -> OutputKind | None:
    """None when it cannot be told (one output per sample, BCE, non-finite values)."""
    if loss == "bce_with_logits" or output.dim() != 2 or output.shape[1] < 2:
        return None
    o = output.detach().float()
    if not torch.isfinite(o).all():
        return None
    ones = torch.ones(len(o), device=o.device)
    if (o >= 0).all() and (o <= 1).all() and torch.allclose(o.sum(1), ones, atol=1e-3):
        return "probabilities"
    if (o <= 0).all() and torch.allclose(o.exp().sum(1), ones, atol=1e-3):
        return "log_probabilities"
    return "logits"
