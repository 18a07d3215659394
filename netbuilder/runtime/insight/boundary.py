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
from netbuilder.runtime.losses import predicted_classes


@dataclass(frozen=True, eq=False)
class DecisionGrid:
    extent: tuple[float, float, float, float]     # x0, x1, y0, y1 in the data's units
    predicted: np.ndarray                         # (res, res) class ids; row 0 is y0
    confidence: np.ndarray                        # (res, res) probability of that class
    units: dict[NodePath, np.ndarray] = field(default_factory=dict)  # (units, res, res)


def is_two_feature(sample_shape: tuple[int, ...]) -> bool:
    return tuple(sample_shape) == (2,)


def extent_of(points: torch.Tensor, margin: float = 0.15) -> tuple[float, float, float, float]:
    """A window around the points with a margin on every side (never empty)."""
    points = points.double()                 # float32 cannot widen a window around 1e4 by 1e-6
    low, high = points.min(dim=0).values, points.max(dim=0).values
    scale = torch.maximum(low.abs(), high.abs()).clamp_min(1.0)
    span = high - low
    # one point, or all on a line: a window one unit (or a tenth of the value) wide
    span = torch.where(span > 1e-6 * scale, span, 0.1 * scale)
    low, high = low - margin * span, high + margin * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def classes_and_confidence(out: torch.Tensor, loss: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The predicted class of each row of ``out`` (N, outputs) and the probability given to it.

    The trainer's rule (``predicted_classes``) wherever it has one, so the plane agrees with
    the accuracy the run reported: a single logit with ``bce_with_logits`` is class 1 above
    zero, with confidence sigmoid(logit) or 1 - sigmoid(logit); several outputs take the
    argmax. A single output trained with another loss (a Sigmoid output fitted by ``mse``
    to 0/1 labels) is class 1 above 0.5, as sure as it is far from 0.5.
    """
    if loss == "bce_with_logits" or out.shape[1] > 1:
        pred = predicted_classes(loss, out)
        probs = probabilities_of(out, loss)
        conf = probs.gather(1, pred.reshape(-1, 1)).reshape(-1)
        return pred, conf
    value = out.reshape(-1)
    pred = (value > 0.5).long()
    conf = torch.where(pred.bool(), value, 1 - value).clamp(0.5, 1.0)
    return pred, conf


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
    out = out.float().cpu().reshape(points.shape[0], -1)
    pred, conf = classes_and_confidence(out, loss)
    units = {}
    for path in wanted:
        v = seen[path].float().cpu().reshape(points.shape[0], -1).T
        units[path] = v.reshape(-1, resolution, resolution).numpy()
    return DecisionGrid(extent, pred.reshape(resolution, resolution).numpy(),
                        conf.reshape(resolution, resolution).numpy(), units)


ACTIVATIONS = {"ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh"}
MLP_PARTS = ACTIVATIONS | {"Input", "Linear", "Dropout", "Identity"}


@dataclass(frozen=True)
class HiddenLayer:
    """A hidden layer whose units Playground draws: the node shown (the activation after a
    Linear, or the Linear itself), the Linear's id and how many units it has."""

    node: str
    linear: str
    units: int


def playground_layers(graph, max_units: int = 16, max_layers: int = 4) -> list[HiddenLayer]:
    """The hidden layers of a small MLP, in order, or [] when the network is not one.

    Small: a single chain of Input, Linear, activations and Dropout, at most ``max_layers``
    hidden Linear layers (every Linear but the last) of at most ``max_units`` units each.
    Each layer is shown after its activation (what the next layer receives).
    """
    from netbuilder.runtime.insight.probe import probe_targets

    targets = probe_targets(graph)
    if any(t.depth or t.type not in MLP_PARTS for t in targets):
        return []
    if any(len(graph.out_edges(t.path[0])) > 1 or len(graph.in_edges(t.path[0])) > 1
           for t in targets):
        return []
    layers: list[HiddenLayer] = []
    for i, t in enumerate(targets):
        if t.type != "Linear":
            continue
        shape = t.tensor.shape if t.tensor is not None else ()
        units = int(shape[-1]) if len(shape) == 1 and isinstance(shape[-1], int) else 0
        shown = t.path[0]
        for after in targets[i + 1:]:
            if after.type in ACTIVATIONS:
                shown = after.path[0]
                break
            if after.type == "Linear":
                break
        layers.append(HiddenLayer(shown, t.path[0], units))
    hidden = layers[:-1]                     # the last Linear is the output layer
    if not hidden or len(hidden) > max_layers or any(not 0 < h.units <= max_units for h in hidden):
        return []
    return hidden
