"""Histograms of every node's output and of the loss's gradient with respect to it, for a batch.

``node_histograms`` runs one batch through a Prober (the tap module with given weights: a
checkpoint, the window's last run, or a live snapshot of the run still training), takes the
loss and its gradient with respect to each node's output with ``torch.autograd.grad``, and
bins both with ``torch.histc``. The bins are *shared* across the nodes so the layers compare
on one axis: activations on a linear axis from the smallest to the largest value seen in
any node; gradients on a log axis, log10 |g|, because in a deep stack they differ by orders
of magnitude from layer to layer (exact zeros, which have no logarithm, are counted apart).
This is the issue's "histogram of activations and of gradients per node, on request": the
classic initialisation demonstration (tanh outputs saturating at +-1, collapsing to 0, or
staying spread) and the vanishing gradient (the log-magnitudes sliding left layer by layer).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from netbuilder.runtime.insight.probe import NodePath, Prober, as_path, path_text
from netbuilder.runtime.losses import compute_loss

BINS = 40
SATURATED = 0.99           # |x| above this counts as saturated (tanh's and softsign's ±1)


@dataclass(frozen=True)
class NodeHistogram:
    """One node's two histograms over the shared edges, and the figures its label shows."""

    path: NodePath
    counts: list[int]              # activations per bin of ``Histograms.edges``
    count: int                     # finite values binned (the counts sum to it)
    not_finite: int                # NaN or inf values, left out of the bins
    mean: float
    std: float
    saturated: float               # share of values with |x| > SATURATED
    grad_counts: list[int] | None  # log10 |g| per bin of ``Histograms.grad_edges``
    grad_zeros: int                # gradient values exactly zero (no logarithm)
    grad_norm: float | None        # None: the loss does not depend on this node

    @property
    def text(self) -> str:
        return path_text(self.path)


@dataclass(frozen=True)
class Histograms:
    edges: list[float]             # bins + 1 edges shared by every node's activations
    grad_edges: list[float] | None  # bins + 1 edges of log10 |gradient|, shared
    nodes: list[NodeHistogram]     # in the order asked for
    loss: float
    samples: int


def shared_edges(values: Sequence[torch.Tensor], bins: int = BINS) -> torch.Tensor:
    """``bins + 1`` equal-width edges covering every finite value of every tensor."""
    lows, highs = [], []
    for v in values:
        f = v[torch.isfinite(v)]
        if f.numel():
            lows.append(f.min())
            highs.append(f.max())
    if not lows:
        return torch.linspace(-1.0, 1.0, bins + 1)
    lo, hi = float(torch.stack(lows).min()), float(torch.stack(highs).max())
    if hi - lo < 1e-12 * max(1.0, abs(lo)):          # all one value: a bin around it
        pad = max(abs(lo) * 1e-3, 1e-6)
        lo, hi = lo - pad, hi + pad
    return torch.linspace(lo, hi, bins + 1, dtype=torch.float64)


def histogram(values: torch.Tensor, edges: torch.Tensor) -> list[int]:
    """Counts of ``values`` (finite ones) in the bins of ``edges`` (equal width)."""
    f = values[torch.isfinite(values)].double()
    bins = len(edges) - 1
    counts = torch.histc(f, bins=bins, min=float(edges[0]), max=float(edges[-1]))
    return [int(c) for c in counts.round().tolist()]


def node_histograms(prober: Prober, x: torch.Tensor, y: torch.Tensor | None,
                    nodes: Sequence[str | NodePath], loss: str = "cross_entropy",
                    bins: int = BINS) -> Histograms:
    """Both histograms of each of ``nodes`` for the batch ``x`` (targets ``y``).

    Without targets (``y`` None) only the activations are binned. The network runs as the
    Prober holds it (eval mode: BatchNorm uses its running statistics, Dropout is off).
    Nodes whose output is not a tensor of real numbers (token ids, an LSTM's tuple) are left
    out of the result.
    """
    asked = [as_path(n) for n in nodes]
    out, seen = prober.forward(x, asked, grad=y is not None)
    paths = [p for p in asked if isinstance(seen[p], torch.Tensor) and seen[p].is_floating_point()]
    acts = [seen[p].detach().float().cpu() for p in paths]
    grads: list[torch.Tensor | None] = [None] * len(paths)
    loss_value = math.nan
    if y is not None:
        value = compute_loss(loss, out, y.to(out.device))
        loss_value = float(value.detach())
        differentiable = [i for i, p in enumerate(paths) if seen[p].requires_grad]
        found = torch.autograd.grad(value, [seen[paths[i]] for i in differentiable],
                                    allow_unused=True) if differentiable else ()
        for i, g in zip(differentiable, found, strict=True):
            grads[i] = None if g is None else g.detach().float().cpu()
    edges = shared_edges(acts, bins)
    logs = [None if g is None else g.abs()[g != 0].log10() for g in grads]
    grad_edges = shared_edges([v for v in logs if v is not None], bins) \
        if any(v is not None for v in logs) else None
    result = []
    for path, a, g, lg in zip(paths, acts, grads, logs, strict=True):
        finite = a[torch.isfinite(a)]
        result.append(NodeHistogram(
            path=path, counts=histogram(a, edges), count=int(finite.numel()),
            not_finite=int(a.numel() - finite.numel()),
            mean=float(finite.mean()) if finite.numel() else math.nan,
            std=float(finite.std()) if finite.numel() > 1 else 0.0,
            saturated=float((finite.abs() > SATURATED).float().mean()) if finite.numel() else 0.0,
            grad_counts=None if lg is None or grad_edges is None else histogram(lg, grad_edges),
            grad_zeros=0 if g is None else int((g == 0).sum()),
            grad_norm=None if g is None else float(g.norm()),
        ))
    return Histograms(edges.tolist(), None if grad_edges is None else grad_edges.tolist(),
                      result, loss_value, int(x.shape[0]))
