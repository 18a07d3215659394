"""Maxout (Goodfellow et al., 2013): the largest of k linear pieces, as an activation.

Placed after a Linear (or a Conv) with k times the outputs it needs, it groups k consecutive
features (or channels) and keeps the largest: each unit learns its own piecewise-linear,
convex activation. torch.nn has no class for it; the generated source holds netbuilder's own
(codegen/own_classes.py).
"""

from __future__ import annotations

from ..errors import ShapeError
from ..params import INT, ParamSpec
from ..spec import LayerResult, LayerSpec
from ..tensor import Tensor
from ._common import torch_dim


def _maxout(p, ins):
    (x,) = ins
    k = p["pieces"]
    d = torch_dim("Maxout", "dim", p["dim"], x)
    n = x.shape[d]
    if n % k:
        lower, upper = (n // k) * k, (n // k + 1) * k
        raise ShapeError(
            f"Maxout needs the size of dim {p['dim']} to be a multiple of pieces={k}; received "
            f"{n} (input {x}). Make the layer before it give {lower or upper} or {upper} "
            f"values, or change pieces")
    out = x.shape[:d] + (n // k,) + x.shape[d + 1:]
    formula = [f"{n} values in {n // k} groups of {k}",
               f"y[j] = max(x[{k}j], ..., x[{k}j+{k - 1}])"]
    warnings = []
    if k == 1:
        warnings.append("Maxout with pieces=1 keeps every value as it is: it does nothing")
    return LayerResult([Tensor(out, x.dtype)], 0, 0, {}, formula, warnings)


MAXOUT = LayerSpec(
    type="Maxout",
    category="Activation",
    help="Keeps the largest of each group of k consecutive features (or channels): after a "
         "Linear with k times the outputs, each unit is the max of k linear pieces.",
    params=(
        ParamSpec("pieces", INT, 2, "k: how many values compete for each output", min=1,
                  positional=True),
        ParamSpec("dim", INT, 1, "Dimension whose values are grouped: 1 for features or "
                  "channels (0 is the batch), -1 for the features of a sequence"),
    ),
    rule=_maxout,
    module="Maxout",
    own_class=True,
    summary=lambda p: f"{p['pieces']} pieces" + ("" if p["dim"] == 1 else f", dim={p['dim']}"),
)

SPECS = (MAXOUT,)
