"""Conv1d, Conv2d (groups, so depthwise works) and ConvTranspose2d."""

from __future__ import annotations

from math import prod

from ..convpool import axes, conv_size, same_size, transpose_size
from ..errors import ShapeError
from ..params import BOOL, CHOICE, INT, INTS, PADDING, ParamSpec, as_tuple
from ..spec import LayerResult, LayerSpec
from ..tensor import Tensor
from ._common import need_ndim, plural, size_words
from .init import INIT_PARAMS

_LAYOUT = {1: "CxL (channels, length)", 2: "CxHxW (channels, height, width)"}
_HINT = {1: "", 2: "For a flat vector use Linear, or add Unflatten to make it an image"}


def _groups_check(layer: str, cin: int, cout: int, g: int) -> None:
    if cin % g:
        raise ShapeError(f"{layer} needs in_channels divisible by groups; received "
                         f"in_channels={cin} (from the input) and groups={g}")
    if cout % g:
        raise ShapeError(f"{layer} needs out_channels divisible by groups; received "
                         f"out_channels={cout} and groups={g}")


def _padding_mode_check(layer: str, mode: str, ax: str, pad: int, size: int,
                        why: str = "") -> None:
    """reflect mirrors the input without its edge, circular wraps it once: both need room."""
    if mode == "reflect" and pad >= size:
        raise ShapeError(f"{layer} padding_mode='reflect' needs padding smaller than the "
                         f"input along {ax}; received padding {pad}{why} for size {size}")
    if mode == "circular" and pad > size:
        raise ShapeError(f"{layer} padding_mode='circular' needs padding at most the "
                         f"input size along {ax}; received padding {pad}{why} for size {size}")


def _conv_rule(n: int):
    name = f"Conv{n}d"

    def rule(p, ins):
        (x,) = ins
        need_ndim(name, x, (n + 1,), _LAYOUT[n], _HINT[n])
        cin, spatial = x.shape[0], x.shape[1:]
        cout, g = p["out_channels"], p["groups"]
        _groups_check(name, cin, cout, g)
        k, s, d = (as_tuple(p[a], n) for a in ("kernel_size", "stride", "dilation"))
        pad = p["padding"]
        if pad == "same" and any(v != 1 for v in s):
            raise ShapeError(f"{name} padding='same' is not supported with stride {size_words(p['stride'], n)}: "
                             "use a number for padding")
        formula, warnings, out = [], [], []
        for i, ax in enumerate(axes(n)):
            if pad == "same":
                # torch pads d*(k-1) in all, the extra one (if odd) on the right.
                total = d[i] * (k[i] - 1)
                _padding_mode_check(name, p["padding_mode"], ax, total - total // 2,
                                    spatial[i], f" ('same' with kernel_size {k[i]})")
                r = same_size(ax, spatial[i])
            else:
                pi = 0 if pad == "valid" else as_tuple(pad, n)[i]
                _padding_mode_check(name, p["padding_mode"], ax, pi, spatial[i])
                r = conv_size(ax, spatial[i], k[i], s[i], pi, d[i])
            out.append(r.size)
            formula += r.formula
            if r.warning:
                warnings.append(r.warning)
        out_shape = (cout, *out)
        per_out = (cin // g) * prod(k)
        params = cout * per_out + (cout if p["bias"] else 0)
        macs = prod(out_shape) * per_out
        return LayerResult([Tensor(out_shape)], params, macs, {"in_channels": cin}, formula, warnings)

    return rule


def _conv_summary(n: int):
    def summary(p):
        parts = [plural(p["out_channels"], "filter"), size_words(p["kernel_size"], n)]
        if p["stride"] not in (1, (1,) * n):
            parts.append(f"stride {size_words(p['stride'])}")
        pad = p["padding"]
        if pad not in (0, (0,) * n, "valid"):
            parts.append(f"pad {pad if isinstance(pad, str) else size_words(pad)}")
        if p.get("dilation") not in (None, 1, (1,) * n):
            parts.append(f"dilation {size_words(p['dilation'])}")
        if p["groups"] != 1:
            parts.append(f"groups {p['groups']}")
        return ", ".join(parts)
    return summary


def _conv_params(n: int) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("out_channels", INT, 8, "Number of filters, i.e. output channels", min=1,
                  positional=True),
        ParamSpec("kernel_size", INTS, 3, "Size of each filter (F)", min=1, n=n, positional=True),
        ParamSpec("stride", INTS, 1, "Step between filter positions (S)", min=1, n=n),
        ParamSpec("padding", PADDING, 0, "Zeros added on each side (P); 'same' keeps the size",
                  min=0, n=n, choices=("same", "valid")),
        ParamSpec("dilation", INTS, 1, "Spacing between filter taps", min=1, n=n),
        ParamSpec("groups", INT, 1, "Split channels into groups; groups = in_channels makes a "
                  "depthwise convolution", min=1),
        ParamSpec("bias", BOOL, True, "Add a learnable bias per filter"),
        ParamSpec("padding_mode", CHOICE, "zeros", "What the padding is filled with",
                  choices=("zeros", "reflect", "replicate", "circular")),
        *INIT_PARAMS,
    )


def _conv(n: int) -> LayerSpec:
    return LayerSpec(
        type=f"Conv{n}d",
        category="Convolution",
        help=("Slides learnable filters along a sequence; each filter gives one output channel."
              if n == 1 else
              "Slides learnable filters over an image; each filter gives one output channel (feature map)."),
        params=_conv_params(n),
        rule=_conv_rule(n),
        inferred_args=("in_channels",),
        module=f"Conv{n}d",
        summary=_conv_summary(n),
    )


def _convt(p, ins):
    (x,) = ins
    need_ndim("ConvTranspose2d", x, (3,), _LAYOUT[2], _HINT[2])
    cin, spatial = x.shape[0], x.shape[1:]
    cout, g = p["out_channels"], p["groups"]
    _groups_check("ConvTranspose2d", cin, cout, g)
    k, s, pad, op, d = (as_tuple(p[a], 2) for a in
                        ("kernel_size", "stride", "padding", "output_padding", "dilation"))
    for i, ax in enumerate(axes(2)):
        if op[i] >= s[i] and op[i] >= d[i]:
            raise ShapeError(f"ConvTranspose2d output_padding must be smaller than stride or "
                             f"dilation; received output_padding {op[i]}, stride {s[i]}, "
                             f"dilation {d[i]} along {ax}")
    out, formula = [], []
    for i, ax in enumerate(axes(2)):
        r = transpose_size(ax, spatial[i], k[i], s[i], pad[i], op[i], d[i])
        out.append(r.size)
        formula += r.formula
    out_shape = (cout, *out)
    params = cin * (cout // g) * prod(k) + (cout if p["bias"] else 0)
    macs = prod(x.shape) * (cout // g) * prod(k)
    return LayerResult([Tensor(out_shape)], params, macs, {"in_channels": cin}, formula)


CONV_TRANSPOSE2D = LayerSpec(
    type="ConvTranspose2d",
    category="Convolution",
    help="The reverse of a strided convolution: spreads each input value over a filter-sized "
         "patch, making the image larger (used in decoders and GANs).",
    params=(
        ParamSpec("out_channels", INT, 8, "Number of output channels", min=1, positional=True),
        ParamSpec("kernel_size", INTS, 3, "Size of each filter", min=1, n=2, positional=True),
        ParamSpec("stride", INTS, 1, "Upsampling factor", min=1, n=2),
        ParamSpec("padding", INTS, 0, "Removed from each side of the output", min=0, n=2),
        ParamSpec("output_padding", INTS, 0, "Extra rows/columns added on one side to pick "
                  "between possible output sizes", min=0, n=2),
        ParamSpec("groups", INT, 1, "Split channels into groups", min=1),
        ParamSpec("bias", BOOL, True, "Add a learnable bias per filter"),
        ParamSpec("dilation", INTS, 1, "Spacing between filter taps", min=1, n=2),
        *INIT_PARAMS,
    ),
    rule=_convt,
    inferred_args=("in_channels",),
    module="ConvTranspose2d",
    summary=_conv_summary(2),
)

SPECS = (_conv(1), _conv(2), CONV_TRANSPOSE2D)
