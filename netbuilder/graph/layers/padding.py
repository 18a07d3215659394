"""ZeroPad2d and ConstantPad2d: explicit padding of the last two dimensions (an image's H, W).

Padding is (left, right, top, bottom), as torch and ``F.pad`` order it; one number pads all
four sides. Negative values (torch crops with them) are refused: cropping is a slip here.
"""

from __future__ import annotations

from ..params import FLOAT, INTS, ParamSpec
from ..spec import LayerResult, LayerSpec
from ..tensor import Tensor
from ._common import need_ndim


def _pad_rule(name: str):
    def rule(p, ins):
        (x,) = ins
        need_ndim(name, x, tuple(range(2, 6)), "with at least 2 dimensions (CxHxW: it pads H and W)")
        pad = p["padding"]
        left, right, top, bottom = pad if isinstance(pad, tuple) else (pad,) * 4
        h, w = x.shape[-2:]
        ho, wo = h + top + bottom, w + left + right
        out = Tensor((*x.shape[:-2], ho, wo), x.dtype)
        formula = [f"H_out = {h} + {top} + {bottom} = {ho}",
                   f"W_out = {w} + {left} + {right} = {wo}"]
        return LayerResult([out], 0, 0, formula=formula)
    return rule


_PADDING = ParamSpec("padding", INTS, 1, "Rows/columns added: one number for all sides, or "
                     "(left, right, top, bottom)", min=0, n=4, positional=True)


def _words(p):
    pad = p["padding"]
    return f"pad {pad}" if not isinstance(pad, tuple) else "pad " + ",".join(map(str, pad))


SPECS = (
    LayerSpec(type="ZeroPad2d", category="Reshape",
              help="Adds rows and columns of zeros around each image (left, right, top, bottom).",
              params=(_PADDING,), rule=_pad_rule("ZeroPad2d"), module="ZeroPad2d",
              summary=_words),
    LayerSpec(type="ConstantPad2d", category="Reshape",
              help="Adds rows and columns filled with a constant value around each image.",
              params=(_PADDING,
                      ParamSpec("value", FLOAT, 0.0, "The value of the added pixels",
                                positional=True)),
              rule=_pad_rule("ConstantPad2d"), module="ConstantPad2d",
              summary=lambda p: f"{_words(p)}, value {p['value']:g}"),
)
