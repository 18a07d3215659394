"""Decision boundaries of networks on two input features (TensorFlow Playground's picture).

``decision_grid`` evaluates the network over a grid spanning the data (with a margin):
the predicted class and its probability at each cell, and, for small MLPs, the output of
each hidden unit (Playground's small squares), all from one batched forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from netbuilder.runtime.insight.evaluation import probabilities_of
from netbuilder.runtime.insight.probe import NodePath, Prober, as_path


@dataclass(frozen=True, eq=False)
class DecisionGrid:
    extent: tuple[float, float, float, float]     # x0, x1, y0, y1 in the data's units
    predicted: np.ndarray                         # (res, res) class ids; row 0 is y0
    confidence: np.ndarray                        # (res, res) probability of that class
    units: dict[NodePath, np.ndarray] = field(default_factory=dict)  # (units, res, res)


def is_two_feature(sample_shape: tuple[int, ...]) -> bool:
    return tuple(sample_shape) == (2,)


def extent_of(points: torch.Tensor, margin: float = 0.15) -> tuple[float, float, float, float]:
    """A square-ish window around the points with a margin on every side."""
    low, high = points.min(dim=0).values, points.max(dim=0).values
    span = (high - low).clamp_min(1e-6)
    low, high = low - margin * span, high + margin * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def decision_grid(prober: Prober, extent: tuple[float, float, float, float], resolution: int = 80,
                  loss: str = "cross_entropy", units_of: list[str | NodePath] = (),
                  feed=None) -> DecisionGrid:
    """The network over a ``resolution``² grid in ``extent`` (raw data units).

    ``feed`` maps raw points to the network's input (the run's normalisation); identity when
    None. ``units_of`` names hidden nodes whose units to return as well.
    """
    x0, x1, y0, y1 = extent
    xs = torch.linspace(x0, x1, resolution)
    ys = torch.linspace(y0, y1, resolution)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    fed = feed(points) if feed is not None else points
    wanted = [as_path(n) for n in units_of]
    with torch.no_grad():
        out, seen = prober.forward(fed.to(prober.device), wanted)
    out = out.float().cpu()
    if out.dim() == 1 or out.shape[1] == 1 and loss != "bce_with_logits":
        pred = (out.reshape(-1) > 0.5).long() if loss != "bce_with_logits" else (out.reshape(-1) > 0).long()
        conf = torch.ones_like(out.reshape(-1))
    else:
        probs = probabilities_of(out, loss)
        conf, pred = probs.max(dim=1)
    units = {}
    for path in wanted:
        v = seen[path].float().cpu().reshape(points.shape[0], -1).T
        units[path] = v.reshape(-1, resolution, resolution).numpy()
    return DecisionGrid(extent, pred.reshape(resolution, resolution).numpy(),
                        conf.reshape(resolution, resolution).numpy(), units)
