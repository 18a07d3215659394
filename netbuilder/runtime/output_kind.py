"""Guessing from one forward pass what a model outputs: logits, probabilities or
log-probabilities (for the loss warnings of the compatibility check)."""

from __future__ import annotations

import torch

from netbuilder.runtime.compat import OutputKind


def guess_output_kind(output: torch.Tensor, loss: str) -> OutputKind | None:
    """None when it cannot be told (one output per sample, BCE, non-finite values).

    Scores per pixel (N x C x H x W, segmentation) are judged per pixel, over dim 1.
    """
    if (loss == "bce_with_logits" or output.dim() not in (2, 4) or output.shape[1] < 2
            or not output.is_floating_point()):
        return None
    o = output.detach().float()
    if o.dim() > 2:
        o = o.movedim(1, -1).reshape(-1, o.shape[1])
    if not torch.isfinite(o).all():
        return None
    ones = torch.ones(len(o), device=o.device)
    # a bf16/fp16 output (autocast) rounds each value to 8 or 11 bits: its sums stray further
    atol = min(max(1e-3, torch.finfo(output.dtype).eps * output.shape[1]), 0.05)
    if (o >= 0).all() and (o <= 1).all() and torch.allclose(o.sum(1), ones, atol=atol):
        return "probabilities"
    if (o <= 0).all() and torch.allclose(o.exp().sum(1), ones, atol=atol):
        return "log_probabilities"
    return "logits"
