"""Upsample, PixelShuffle and ChannelShuffle: layers that resize or rearrange feature maps."""

from __future__ import annotations

import math

from ..errors import ShapeError
from ..params import BOOL, CHOICE, FLOAT, INT, SHAPE, ParamSpec
from ..spec import LayerResult, LayerSpec
from ..tensor import Tensor, fmt_shape
from ._common import need_ndim

# Sample dimensions (batch excluded) each interpolation mode works on.
_MODE_RANKS = {"nearest": (2, 3, 4), "linear": (2,), "bilinear": (3,), "bicubic": (3,),
               "trilinear": (4,)}
_LAYOUT = {2: "CxL", 3: "CxHxW", 4: "CxDxHxW"}


def _upsample(p, ins):
    (x,) = ins
    mode = p["mode"]
    ranks = _MODE_RANKS[mode]
    need_ndim("Upsample", x, ranks, " or ".join(_LAYOUT[r] for r in ranks),
              f"mode={mode!r} resizes {'/'.join(str(r - 1) for r in ranks)} spatial dimension(s)")
    size, scale = p["size"], p["scale_factor"]
    if (size is None) == (scale is None):
        raise ShapeError("Upsample needs exactly one of size or scale_factor; received "
                         + ("neither" if size is None else f"size={list(size)} and "
                                                              f"scale_factor={scale:g}"))
    if p["align_corners"] is not None and mode == "nearest":
        raise ShapeError("Upsample align_corners applies to linear, bilinear, bicubic and "
                         "trilinear modes only; set it to null for mode='nearest'")
    spatial = x.shape[1:]
    if size is not None:
        if len(size) not in (len(spatial),):
            raise ShapeError(f"Upsample size {fmt_shape(size)} must give one size per spatial "
                             f"dimension of the input {x} ({len(spatial)})")
        out = tuple(size)
        formula = [f"resized to {fmt_shape(out)}"]
    else:
        out = tuple(math.floor(d * scale) for d in spatial)
        formula = [f"floor({d} * {scale:g}) = {o}" for d, o in zip(spatial, out, strict=True)]
        if min(out) < 1:
            raise ShapeError(f"Upsample scale_factor={scale:g} makes the input {x} "
                             f"{fmt_shape(out)}: every size must stay at least 1")
    return LayerResult([Tensor((x.shape[0], *out), x.dtype)], 0, 0, formula=formula)


UPSAMPLE = LayerSpec(
    type="Upsample", category="Reshape",
    help="Enlarges (or shrinks) feature maps by a scale factor or to a size, by repeating "
         "(nearest) or interpolating pixels; no weights.",
    params=(
        ParamSpec("size", SHAPE, None, "Output size of the spatial dimensions", min=1,
                  optional=True, none_means="use scale_factor"),
        ParamSpec("scale_factor", FLOAT, 2.0, "Multiplier of each spatial size", min=0.01,
                  optional=True, none_means="use size", emit_always=True),
        ParamSpec("mode", CHOICE, "nearest", "How new pixels are computed",
                  choices=tuple(_MODE_RANKS)),
        ParamSpec("align_corners", BOOL, None, "Interpolating modes: align the corner pixels "
                  "of input and output", optional=True, none_means="False"),
    ),
    rule=_upsample, module="Upsample",
    summary=lambda p: (f"x{p['scale_factor']:g}" if p["scale_factor"] is not None
                       else f"to {fmt_shape(p['size'] or ())}") + f", {p['mode']}",
)


def _pixel_shuffle(p, ins):
    (x,) = ins
    need_ndim("PixelShuffle", x, (3, 4, 5), "CxHxW")
    r = p["upscale_factor"]
    c, h, w = x.shape[-3:]
    if c % (r * r):
        raise ShapeError(f"PixelShuffle upscale_factor={r} needs the channels divisible by "
                         f"{r}*{r} = {r * r}; received {x}")
    out = Tensor((*x.shape[:-3], c // (r * r), h * r, w * r), x.dtype)
    return LayerResult([out], 0, 0, formula=[
        f"C_out = {c} / {r}^2 = {c // (r * r)}", f"H_out = {h} * {r} = {h * r}",
        f"W_out = {w} * {r} = {w * r}"])


def _channel_shuffle(p, ins):
    (x,) = ins
    need_ndim("ChannelShuffle", x, (2, 3, 4, 5), "CxL, CxHxW or CxDxHxW (channels first)")
    g, c = p["groups"], x.shape[0]
    if c % g:
        raise ShapeError(f"ChannelShuffle needs the channel count divisible by groups; received "
                         f"{c} channels and groups={g}")
    return LayerResult([x], 0, 0, formula=[f"{c} channels: {g} groups of {c // g} interleaved"])


SPECS = (
    UPSAMPLE,
    LayerSpec(type="PixelShuffle", category="Reshape",
              help="Moves channels into space: C*r*r x H x W becomes C x H*r x W*r (sub-pixel "
                   "upsampling, used in super-resolution).",
              params=(ParamSpec("upscale_factor", INT, 2, "r: how much H and W grow", min=1,
                                positional=True),),
              rule=_pixel_shuffle, module="PixelShuffle",
              summary=lambda p: f"x{p['upscale_factor']}"),
    LayerSpec(type="ChannelShuffle", category="Reshape",
              help="Interleaves the channels of its groups so grouped convolutions that follow "
                   "see every group (ShuffleNet).",
              params=(ParamSpec("groups", INT, 2, "Number of channel groups", min=1,
                                positional=True),),
              rule=_channel_shuffle, module="ChannelShuffle",
              summary=lambda p: f"{p['groups']} groups"),
)
