"""PositionalEncoding: the layer that tells a transformer where each token is.

Self-attention treats its tokens as a set: shuffle them and each output is shuffled the same
way. Adding a vector that depends only on the position breaks that symmetry. torch.nn has no
class for it; the generated source holds netbuilder's own (codegen/own_classes.py).
"""

from __future__ import annotations

from ..params import CHOICE, ParamSpec
from ..spec import LayerResult, LayerSpec
from ._common import need_ndim


def _positional(p, ins):
    (x,) = ins
    need_ndim("PositionalEncoding", x, (2,), "LxE (tokens, features per token)")
    steps, e = x.shape
    if p["encoding"] == "learned":
        params = steps * e
        formula = [f"y = x + P: P is a learned {steps}x{e} table, one vector per position"]
    else:
        params = 0
        formula = ["y = x + PE (fixed: nothing learned)",
                   f"PE[pos, 2i] = sin(pos / 10000^(2i/{e}))",
                   f"PE[pos, 2i+1] = cos(pos / 10000^(2i/{e}))",
                   f"pos = 0..{steps - 1}, i = 0..{(e - 1) // 2}"]
    return LayerResult([x], params, 0, {"d_model": e, "max_len": steps}, formula)


POSITIONAL_ENCODING = LayerSpec(
    type="PositionalEncoding",
    category="Attention",
    help="Adds to each token a vector that depends on its position, so attention can tell "
         "the first token from the last (sinusoidal, or learned).",
    params=(
        ParamSpec("encoding", CHOICE, "sinusoidal", "sinusoidal: fixed sines and cosines "
                  "(Vaswani et al., 2017); learned: one trained vector per position",
                  choices=("sinusoidal", "learned")),
    ),
    rule=_positional,
    inferred_args=("d_model", "max_len"),
    module="PositionalEncoding",
    own_class=True,
    summary=lambda p: p["encoding"],
)

SPECS = (POSITIONAL_ENCODING,)
