"""Max/average pooling (1-D and 2-D, ceil_mode too) and adaptive pooling."""

from __future__ import annotations

from ..convpool import adaptive_formula, axes, conv_size
from ..errors import ShapeError
from ..params import BOOL, INTS, ParamSpec, as_tuple
from ..spec import LayerResult, LayerSpec
from ..tensor import Tensor
from ._common import need_ndim, size_words

_LAYOUT = {1: "CxL (channels, length)", 2: "CxHxW (channels, height, width)"}


def _pool_rule(name: str, n: int, has_dilation: bool):
    def rule(p, ins):
        (x,) = ins
        need_ndim(name, x, (n + 1,), _LAYOUT[n])
        k = as_tuple(p["kernel_size"], n)
        s = as_tuple(p["stride"] if p["stride"] is not None else p["kernel_size"], n)
        pad = as_tuple(p["padding"], n)
        d = as_tuple(p["dilation"], n) if has_dilation else (1,) * n
        for i, ax in enumerate(axes(n)):
            if pad[i] > k[i] // 2:
                raise ShapeError(f"{name} padding must be at most half the kernel size; received "
                                 f"padding {pad[i]} with kernel_size {k[i]} along {ax}")
        out, formula, warnings = [], [], []
        for i, ax in enumerate(axes(n)):
            r = conv_size(ax, x.shape[1 + i], k[i], s[i], pad[i], d[i], ceil=p["ceil_mode"],
                          what="window")
            out.append(r.size)
            formula += r.formula
            if r.warning:
                warnings.append(r.warning)
        if p["stride"] is None:
            formula.insert(0, f"stride = kernel_size = {size_words(p['kernel_size'], n)} (not set)")
        return LayerResult([Tensor((x.shape[0], *out))], formula=formula, warnings=warnings)

    return rule


def _pool_summary(n: int):
    def summary(p):
        parts = [size_words(p["kernel_size"], n)]
        if p["stride"] is not None and p["stride"] != p["kernel_size"]:
            parts.append(f"stride {size_words(p['stride'])}")
        if p["padding"] not in (0, (0,) * n):
            parts.append(f"pad {size_words(p['padding'])}")
        if p["ceil_mode"]:
            parts.append("ceil")
        return ", ".join(parts)
    return summary


def _pool(kind: str, n: int) -> LayerSpec:
    name = f"{kind}Pool{n}d"
    params = [
        ParamSpec("kernel_size", INTS, 2, "Size of the pooling window", min=1, n=n, positional=True),
        ParamSpec("stride", INTS, None, "Step between windows", min=1, n=n, optional=True,
                  none_means="same as kernel_size"),
        ParamSpec("padding", INTS, 0, "Implicit padding on each side (at most half the window)",
                  min=0, n=n),
    ]
    if kind == "Max":
        params.append(ParamSpec("dilation", INTS, 1, "Spacing between window elements", min=1, n=n))
    params.append(ParamSpec("ceil_mode", BOOL, False, "Round the output size up instead of down, "
                            "so a partial window at the edge counts"))
    if kind == "Avg":
        params.append(ParamSpec("count_include_pad", BOOL, True, "Count padding zeros in the average"))
    what = "largest value" if kind == "Max" else "average"
    return LayerSpec(
        type=name,
        category="Pooling",
        help=f"Keeps the {what} of each window, shrinking the {'sequence' if n == 1 else 'image'}"
             " without learnable parameters.",
        params=tuple(params),
        rule=_pool_rule(name, n, kind == "Max"),
        module=name,
        summary=_pool_summary(n),
    )


def _adaptive_rule(name: str, n: int):
    def rule(p, ins):
        (x,) = ins
        need_ndim(name, x, (n + 1,), _LAYOUT[n])
        o = as_tuple(p["output_size"], n)
        for i, ax in enumerate(axes(n)):
            if x.shape[1 + i] < 1:
                raise ShapeError(f"{name} needs a non-empty input along {ax}")
        formula = [adaptive_formula(ax, x.shape[1 + i], o[i]) for i, ax in enumerate(axes(n))]
        return LayerResult([Tensor((x.shape[0], *o))], formula=formula)

    return rule


def _adaptive(kind: str, n: int) -> LayerSpec:
    name = f"Adaptive{kind}Pool{n}d"
    what = "average" if kind == "Avg" else "maximum"
    return LayerSpec(
        type=name,
        category="Pooling",
        help=f"Takes the {what} over windows sized so the output is exactly output_size, whatever "
             "the input size (output_size 1 = global pooling).",
        params=(ParamSpec("output_size", INTS, 1, "Size of the output", min=1, n=n,
                          positional=True),),
        rule=_adaptive_rule(name, n),
        module=name,
        summary=lambda p: "-> " + size_words(p["output_size"], n),
    )


SPECS = (
    _pool("Max", 1), _pool("Max", 2), _pool("Avg", 1), _pool("Avg", 2),
    _adaptive("Avg", 1), _adaptive("Avg", 2), _adaptive("Max", 2),
)
