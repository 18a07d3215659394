"""Histograms of every node's output and of the loss's gradient with respect to it, for a batch.

``node_histograms`` runs one batch through a Prober (the tap module with given weights: a
checkpoint, the window's last run, or a live snapshot of the run still training), takes the
loss and its gradient with respect to each node's output with ``torch.autograd.grad``, and
bins both with ``torch.bincount``. The bins are *shared* across the nodes so the layers compare
on one axis: activations on a linear axis from the smallest to the largest value seen in
any node; gradients on a log axis, log10 |g|, because in a deep stack they differ by orders
of magnitude from layer to layer (exact zeros, which have no logarithm, are counted apart).
This is the issue's "histogram of activations and of gradients per node, on request": the
classic initialisation demonstration (tanh outputs saturating at +-1, collapsing to 0, or
staying spread) and the vanishing gradient (the log-magnitudes sliding left layer by layer).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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


def _finite(values: torch.Tensor) -> torch.Tensor:
    """The finite values, flat; without copying when all are (the usual case: masks are slow)."""
    f = values.detach().reshape(-1)
    if not f.numel():
        return f
    low, high = torch.aminmax(f)                       # NaN and inf show in the extremes
    return f if bool(torch.isfinite(low) & torch.isfinite(high)) else f[torch.isfinite(f)]


def shared_edges(values: Sequence[torch.Tensor], bins: int = BINS) -> torch.Tensor:
    """``bins + 1`` equal-width edges covering every finite value of every tensor."""
    lows, highs = [], []
    for v in values:
        f = _finite(v)
        if f.numel():
            low, high = torch.aminmax(f)
            lows.append(low)
            highs.append(high)
    if not lows:
        return torch.linspace(-1.0, 1.0, bins + 1)
    lo, hi = float(torch.stack(lows).min()), float(torch.stack(highs).max())
    if hi - lo < 1e-12 * max(1.0, abs(lo)):          # all one value: a bin around it
        pad = max(abs(lo) * 1e-3, 1e-6)
        lo, hi = lo - pad, hi + pad
    return torch.linspace(lo, hi, bins + 1, dtype=torch.float64)


def histogram(values: torch.Tensor, edges: torch.Tensor) -> list[int]:
    """Counts of ``values`` in the bins of ``edges`` (equal width; the last bin holds its
    right edge); values outside them, NaN and inf are left out, as ``torch.histc`` does.

    A bin index per value and ``torch.bincount``: the same counts as ``torch.histc``, which
    (on the CPU) took several times longer on a LeNet-5 layer's million values.
    """
    bins = len(edges) - 1
    lo, hi = float(edges[0]), float(edges[-1])
    f = values.detach().reshape(-1)
    if f.numel():
        low, high = torch.aminmax(f)
        if not bool((low >= lo) & (high <= hi)):       # some outside (or NaN): leave them out
            f = f[(f >= lo) & (f <= hi)]
    index = ((f.double() - lo) * (bins / (hi - lo))).long().clamp_(0, bins - 1)
    return torch.bincount(index, minlength=bins).tolist()


def node_histograms(prober: Prober, x: torch.Tensor, y: torch.Tensor | None,
                    nodes: Sequence[str | NodePath], loss: str = "cross_entropy",
                    bins: int = BINS) -> Histograms:
    """Both histograms of each of ``nodes`` for the batch ``x`` (targets ``y``).

    Without targets (``y`` None) only the activations are binned. The network runs as the
    Prober holds it (eval mode: BatchNorm uses its running statistics, Dropout is off).
    Nodes whose output is not a tensor of real numbers (token ids, an LSTM's tuple) are left
    out of the result.
    """
    return grouped_histograms(prober, x, y, {"": nodes}, loss, bins)[""]


def grouped_histograms(prober: Prober, x: torch.Tensor, y: torch.Tensor | None,
                       groups: Mapping[str, Sequence[str | NodePath]],
                       loss: str = "cross_entropy", bins: int = BINS) -> dict[str, Histograms]:
    """``node_histograms`` for several groups of nodes, each on bins of its own range, from
    one forward and backward pass (the Histograms tab: the activation layers, all layers)."""
    asked = list(dict.fromkeys(as_path(n) for nodes in groups.values() for n in nodes))
    out, seen = prober.forward(x, asked, grad=y is not None)
    paths = [p for p in asked if isinstance(seen[p], torch.Tensor) and seen[p].is_floating_point()]
    grads: dict[NodePath, torch.Tensor | None] = dict.fromkeys(paths)
    loss_value = math.nan
    if y is not None:
        value = compute_loss(loss, out, y.to(out.device))
        loss_value = float(value.detach())
        differentiable = [p for p in paths if seen[p].requires_grad]
        found = torch.autograd.grad(value, [seen[p] for p in differentiable],
                                    allow_unused=True) if differentiable else ()
        for p, g in zip(differentiable, found, strict=True):
            grads[p] = None if g is None else g.detach().float().cpu()
    acts = {p: seen[p].detach().float().cpu() for p in paths}
    logs = {p: None if g is None else (g.abs()[g != 0] if bool((g == 0).any()) else g.abs()).log10()
            for p, g in grads.items()}
    wanted = set(paths)
    return {name: _binned([p for p in (as_path(n) for n in nodes) if p in wanted], acts, grads,
                          logs, bins, loss_value, int(x.shape[0]))
            for name, nodes in groups.items()}


def _binned(paths: list[NodePath], all_acts: dict, all_grads: dict, all_logs: dict, bins: int,
            loss_value: float, samples: int) -> Histograms:
    acts = [all_acts[p] for p in paths]
    grads = [all_grads[p] for p in paths]
    logs = [all_logs[p] for p in paths]
    edges = shared_edges(acts, bins)
    grad_edges = shared_edges([v for v in logs if v is not None], bins) \
        if any(v is not None for v in logs) else None
    result = []
    for path, a, g, lg in zip(paths, acts, grads, logs, strict=True):
        finite = _finite(a)
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
                      result, loss_value, samples)
