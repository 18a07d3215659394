"""Input, Linear, Identity, Flatten, Unflatten, Dropout, Dropout2d."""

from __future__ import annotations

from math import prod

from ..errors import ShapeError
from ..params import BOOL, CHOICE, FLOAT, INT, SHAPE, ParamSpec
from ..spec import FWD_INPUT, LayerResult, LayerSpec
from ..tensor import FLOAT as F32
from ..tensor import INT as I64
from ..tensor import Tensor, fmt_shape
from ._common import need_ndim, plural, torch_dim
from .init import INIT_PARAMS


def _input(p, ins):
    shape = p["shape"]
    if any(d == -1 for d in shape):
        raise ShapeError("Input shape entries must be at least 1")
    return LayerResult([Tensor(tuple(shape), p["dtype"])])


INPUT = LayerSpec(
    type="Input",
    category="Input/Output",
    help="Where data enters the network: the shape of one sample, without the batch dimension.",
    params=(
        ParamSpec("shape", SHAPE, (1, 28, 28), "Size of one sample, e.g. 1x28x28 for a grey image",
                  min=1, torch=False),
        ParamSpec("dtype", CHOICE, F32, "float32 for measurements and pixels; int64 for token ids",
                  choices=(F32, I64), torch=False),
    ),
    rule=_input,
    inputs=0,
    forward=FWD_INPUT,
    summary=lambda p: fmt_shape(p["shape"]) + ("" if p["dtype"] == F32 else ", token ids"),
)


def _linear(p, ins):
    (x,) = ins
    need_ndim("Linear", x, tuple(range(1, 9)), "with features in the last dimension")
    fin, fout = x.shape[-1], p["out_features"]
    rows = prod(x.shape[:-1])
    params = fin * fout + (fout if p["bias"] else 0)
    formula = [f"y = x W^T + b: {fin} inputs -> {fout} outputs; W is {fout}x{fin}"
               + (f", b has {fout}" if p["bias"] else "")]
    if x.ndim > 1:
        formula.append(f"applied to each of the {rows} positions in {fmt_shape(x.shape[:-1])}")
    warnings = []
    if x.ndim >= 3:
        warnings.append(f"Linear sees {x} and acts on the last dimension only ({fin}); "
                        "add Flatten before it to use every value")
    return LayerResult([Tensor(x.shape[:-1] + (fout,))], params, rows * fin * fout,
                       {"in_features": fin}, formula, warnings)


LINEAR = LayerSpec(
    type="Linear",
    category="Linear",
    help="Fully connected layer: every output is a weighted sum of all inputs plus a bias.",
    params=(
        ParamSpec("out_features", INT, 10, "Number of outputs (neurons)", min=1, positional=True),
        ParamSpec("bias", BOOL, True, "Add a learnable bias to each output"),
        *INIT_PARAMS,
    ),
    rule=_linear,
    inferred_args=("in_features",),
    module="Linear",
    summary=lambda p: plural(p["out_features"], "unit") + ("" if p["bias"] else ", no bias"),
)


def _identity(p, ins):
    return LayerResult([ins[0]])


IDENTITY = LayerSpec(
    type="Identity",
    category="Linear",
    help="Passes its input through unchanged (a placeholder, or the shortcut of a residual block).",
    params=(),
    rule=_identity,
    module="Identity",
)


def _flatten(p, ins):
    (x,) = ins
    s = torch_dim("Flatten", "start_dim", p["start_dim"], x)
    e = torch_dim("Flatten", "end_dim", p["end_dim"], x)
    if s > e:
        raise ShapeError(f"Flatten start_dim={p['start_dim']} comes after end_dim={p['end_dim']} "
                         f"for input {x}")
    merged = prod(x.shape[s:e + 1])
    out = x.shape[:s] + (merged,) + x.shape[e + 1:]
    formula = [f"{' * '.join(str(d) for d in x.shape[s:e + 1])} = {merged}"] if e > s else []
    return LayerResult([Tensor(out, x.dtype)], formula=formula)


FLATTEN = LayerSpec(
    type="Flatten",
    category="Reshape",
    help="Lays a multi-dimensional sample out as one long vector (e.g. 16x5x5 -> 400) before Linear.",
    params=(
        ParamSpec("start_dim", INT, 1, "First dimension to merge (0 is the batch)"),
        ParamSpec("end_dim", INT, -1, "Last dimension to merge (-1: the last)"),
    ),
    rule=_flatten,
    module="Flatten",
)


def _unflatten(p, ins):
    (x,) = ins
    d = torch_dim("Unflatten", "dim", p["dim"], x)
    sizes = list(p["unflattened_size"])
    n = x.shape[d]
    if sizes.count(-1) == 1:
        known = prod(v for v in sizes if v != -1)
        if known == 0 or n % known:
            raise ShapeError(f"Unflatten cannot split {n} into {fmt_shape(tuple(sizes))}: "
                             f"{n} is not a multiple of {known}")
        sizes[sizes.index(-1)] = n // known
    if prod(sizes) != n:
        raise ShapeError(f"Unflatten needs unflattened_size to multiply to {n} (the size of dim "
                         f"{p['dim']} of {x}); received {fmt_shape(tuple(sizes))} = {prod(sizes)}")
    out = x.shape[:d] + tuple(sizes) + x.shape[d + 1:]
    return LayerResult([Tensor(out, x.dtype)], formula=[f"{n} = {' * '.join(map(str, sizes))}"])


UNFLATTEN = LayerSpec(
    type="Unflatten",
    category="Reshape",
    help="Splits one dimension into several, e.g. 784 -> 1x28x28 to feed a convolution.",
    params=(
        ParamSpec("dim", INT, 1, "Dimension to split (0 is the batch)", positional=True),
        ParamSpec("unflattened_size", SHAPE, (1, 28, 28), "The new sizes; their product must "
                  "equal the size of dim (one may be -1)", min=1, positional=True,
                  allow_minus_one=True),
    ),
    rule=_unflatten,
    module="Unflatten",
    summary=lambda p: "-> " + fmt_shape(p["unflattened_size"]),
)


def _dropout(p, ins):
    return LayerResult([ins[0]])


def _dropout2d(p, ins):
    (x,) = ins
    need_ndim("Dropout2d", x, (3,), "CxHxW (channels, height, width)",
              "Dropout2d drops whole channels of images; use Dropout elsewhere")
    return LayerResult([x])


_P = ParamSpec("p", FLOAT, 0.5, "Probability of zeroing each element during training", min=0, max=1)

DROPOUT = LayerSpec(
    type="Dropout",
    category="Regularisation",
    help="During training, zeroes random elements with probability p (and scales the rest); off at test time.",
    params=(_P,),
    rule=_dropout,
    module="Dropout",
    summary=lambda p: f"p={p['p']:g}",
)

DROPOUT2D = LayerSpec(
    type="Dropout2d",
    category="Regularisation",
    help="During training, zeroes whole feature maps (channels) with probability p.",
    params=(ParamSpec("p", FLOAT, 0.5, "Probability of zeroing each channel during training",
                      min=0, max=1),),
    rule=_dropout2d,
    module="Dropout2d",
    summary=lambda p: f"p={p['p']:g}",
)

SPECS = (INPUT, LINEAR, IDENTITY, FLATTEN, UNFLATTEN, DROPOUT, DROPOUT2D)
