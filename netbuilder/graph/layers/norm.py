"""BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm and LocalResponseNorm."""

from __future__ import annotations

from math import prod

from ..errors import ShapeError
from ..params import BOOL, FLOAT, INT, SHAPE, ParamSpec
from ..spec import LayerResult, LayerSpec
from ..tensor import fmt_shape
from ._common import need_ndim

_EPS = ParamSpec("eps", FLOAT, 1e-5, "Added to the variance to avoid dividing by zero", min=0)


def _bn_rule(name: str, ndims: tuple[int, ...], layout: str):
    def rule(p, ins):
        (x,) = ins
        need_ndim(name, x, ndims, layout)
        if p["eps"] <= 0:
            # torch checks this only when batch statistics are used (always, in training).
            raise ShapeError(f"{name} eps must be greater than 0: during training PyTorch "
                             f"divides by sqrt(variance + eps); received eps={p['eps']:g}")
        c = x.shape[0]
        params = 2 * c if p["affine"] else 0
        formula = [f"normalises each of the {c} channels over the batch"
                   + (" and positions" if x.ndim > 1 else "")
                   + (f"; learns a scale and shift per channel ({params} params)" if p["affine"] else "")]
        return LayerResult([x], params, 0, {"num_features": c}, formula)
    return rule


def _bn_params():
    return (
        _EPS,
        ParamSpec("momentum", FLOAT, 0.1, "How fast the running mean/variance follow the batches",
                  min=0, max=1, optional=True, none_means="a cumulative average"),
        ParamSpec("affine", BOOL, True, "Learn a scale (gamma) and shift (beta) per channel"),
        ParamSpec("track_running_stats", BOOL, True, "Keep running statistics for evaluation"),
    )


BATCHNORM1D = LayerSpec(
    type="BatchNorm1d",
    category="Normalisation",
    help="Normalises each feature to zero mean and unit variance over the batch; speeds up training.",
    params=_bn_params(),
    rule=_bn_rule("BatchNorm1d", (1, 2), "C (features) or CxL (channels, length)"),
    inferred_args=("num_features",),
    module="BatchNorm1d",
)

BATCHNORM2D = LayerSpec(
    type="BatchNorm2d",
    category="Normalisation",
    help="Normalises each channel of an image batch to zero mean and unit variance; speeds up training.",
    params=_bn_params(),
    rule=_bn_rule("BatchNorm2d", (3,), "CxHxW (channels, height, width)"),
    inferred_args=("num_features",),
    module="BatchNorm2d",
)


def _layernorm(p, ins):
    (x,) = ins
    ns = p["normalized_shape"]
    if ns is None:
        ns = x.shape[-1:]
    ns = tuple(ns)
    if len(ns) > x.ndim:
        raise ShapeError(f"LayerNorm normalized_shape {fmt_shape(ns)} has {len(ns)} dimensions "
                         f"but the input {x} has {x.ndim}: it may not reach into the batch "
                         "dimension")
    if x.shape[x.ndim - len(ns):] != ns:
        raise ShapeError(f"LayerNorm normalized_shape {fmt_shape(ns)} must match the last "
                         f"dimensions of the input; received {x}")
    n = prod(ns)
    params = (n if p["elementwise_affine"] else 0) + (n if p["elementwise_affine"] and p["bias"] else 0)
    formula = [f"normalises each sample over its last {len(ns)} dimension(s) ({fmt_shape(ns)} = {n} values)"]
    return LayerResult([x], params, 0, {"normalized_shape": list(ns) if len(ns) > 1 else ns[0]}, formula)


LAYERNORM = LayerSpec(
    type="LayerNorm",
    category="Normalisation",
    help="Normalises each sample over its last dimension(s), independently of the batch (used in transformers).",
    params=(
        ParamSpec("normalized_shape", SHAPE, None, "Trailing dimensions to normalise", min=1,
                  optional=True, none_means="the last dimension of the input", torch=False),
        _EPS,
        ParamSpec("elementwise_affine", BOOL, True, "Learn a scale per element"),
        ParamSpec("bias", BOOL, True, "Learn a shift per element (with elementwise_affine)"),
    ),
    rule=_layernorm,
    inferred_args=("normalized_shape",),
    module="LayerNorm",
)


def _groupnorm(p, ins):
    (x,) = ins
    need_ndim("GroupNorm", x, tuple(range(1, 6)), "with channels first (C, CxL or CxHxW)")
    c, g = x.shape[0], p["num_groups"]
    if c % g:
        raise ShapeError(f"GroupNorm needs the channel count divisible by num_groups; received "
                         f"{c} channels and num_groups={g}")
    params = 2 * c if p["affine"] else 0
    return LayerResult([x], params, 0, {"num_channels": c},
                       [f"{c} channels in {g} groups of {c // g}, each normalised per sample"])


GROUPNORM = LayerSpec(
    type="GroupNorm",
    category="Normalisation",
    help="Splits channels into groups and normalises each group per sample; works with tiny batches.",
    params=(
        ParamSpec("num_groups", INT, 2, "Number of channel groups", min=1, positional=True),
        _EPS,
        ParamSpec("affine", BOOL, True, "Learn a scale and shift per channel"),
    ),
    rule=_groupnorm,
    inferred_args=("num_channels",),
    arg_order=("num_groups", "num_channels"),
    module="GroupNorm",
    summary=lambda p: f"{p['num_groups']} groups",
)



def _lrn(p, ins):
    (x,) = ins
    need_ndim("LocalResponseNorm", x, (2, 3, 4, 5), "with channels first (CxL, CxHxW, ...)")
    return LayerResult([x], 0, 0, formula=[
        f"each value divided by (k + alpha/n * sum of squares over {p['size']} neighbouring "
        f"channels)^beta"])


LOCALRESPONSENORM = LayerSpec(
    type="LocalResponseNorm",
    category="Normalisation",
    help="Divides each value by the activity of its neighbouring channels (AlexNet, GoogLeNet); "
         "no weights.",
    params=(
        ParamSpec("size", INT, 5, "Number of neighbouring channels summed over", min=1,
                  positional=True),
        ParamSpec("alpha", FLOAT, 1e-4, "Multiplier of the sum of squares"),
        ParamSpec("beta", FLOAT, 0.75, "Exponent"),
        ParamSpec("k", FLOAT, 1.0, "Added constant"),
    ),
    rule=_lrn,
    module="LocalResponseNorm",
    summary=lambda p: f"size {p['size']}",
)

SPECS = (BATCHNORM1D, BATCHNORM2D, LAYERNORM, GROUPNORM, LOCALRESPONSENORM)
