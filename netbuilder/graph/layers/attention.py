"""Self-attention (MultiheadAttention) and TransformerEncoderLayer, batch-first."""

from __future__ import annotations

from ..errors import ShapeError
from ..params import BOOL, CHOICE, FLOAT, INT, ParamSpec
from ..spec import FWD_ATTENTION, LayerResult, LayerSpec
from ._common import need_ndim


def _heads_check(name: str, e: int, h: int, arg: str) -> None:
    if e % h:
        raise ShapeError(f"{name} needs the feature size divisible by {arg}; received {e} "
                         f"features (from the input) and {arg}={h}")


def _attn_cost(steps: int, e: int) -> int:
    # Q, K, V and output projections, Q.K^T, and the weighted sum of V.
    return 4 * steps * e * e + 2 * steps * steps * e


def _mha(p, ins):
    (x,) = ins
    need_ndim("MultiheadAttention", x, (2,), "LxE (tokens, features per token)")
    steps, e = x.shape
    h = p["num_heads"]
    _heads_check("MultiheadAttention", e, h, "num_heads")
    params = 4 * e * e + (4 * e if p["bias"] else 0)
    formula = [f"{h} heads of {e // h} features each; every token attends to all {steps} tokens",
               f"scores per head: {steps}x{steps}"]
    return LayerResult([x], params, _attn_cost(steps, e), {"embed_dim": e}, formula)


MHA = LayerSpec(
    type="MultiheadAttention",
    category="Attention",
    help="Self-attention: each token's output is a weighted mix of all tokens, the weights "
         "computed from their similarity.",
    params=(
        ParamSpec("num_heads", INT, 4, "Parallel attention heads; must divide the features",
                  min=1, positional=True),
        ParamSpec("dropout", FLOAT, 0.0, "Dropout on the attention weights", min=0, max=1),
        ParamSpec("bias", BOOL, True, "Learn biases in the projections"),
    ),
    rule=_mha,
    inferred_args=("embed_dim",),
    module="MultiheadAttention",
    fixed_kwargs=(("batch_first", True),),
    forward=FWD_ATTENTION,
    summary=lambda p: f"{p['num_heads']} heads",
)


def _encoder(p, ins):
    (x,) = ins
    need_ndim("TransformerEncoderLayer", x, (2,), "LxE (tokens, features per token)")
    steps, e = x.shape
    _heads_check("TransformerEncoderLayer", e, p["nhead"], "nhead")
    ff = p["dim_feedforward"]
    b = p["bias"]
    params = 4 * e * e + (4 * e if b else 0)         # self-attention
    params += e * ff + (ff if b else 0) + ff * e + (e if b else 0)  # feed-forward
    params += 2 * (e + (e if b else 0))              # two LayerNorms
    macs = _attn_cost(steps, e) + 2 * steps * e * ff
    formula = [f"self-attention ({p['nhead']} heads) then a {e} -> {ff} -> {e} feed-forward "
               "network, each with a residual connection and LayerNorm"]
    return LayerResult([x], params, macs, {"d_model": e}, formula)


ENCODER = LayerSpec(
    type="TransformerEncoderLayer",
    category="Attention",
    help="One transformer block: self-attention and a feed-forward network, each with a skip "
         "connection and layer normalisation.",
    params=(
        ParamSpec("nhead", INT, 4, "Attention heads; must divide the features", min=1,
                  positional=True),
        ParamSpec("dim_feedforward", INT, 2048, "Width of the feed-forward network", min=1),
        ParamSpec("dropout", FLOAT, 0.1, "Dropout probability", min=0, max=1),
        ParamSpec("activation", CHOICE, "relu", "Activation of the feed-forward network",
                  choices=("relu", "gelu")),
        ParamSpec("layer_norm_eps", FLOAT, 1e-5, "LayerNorm epsilon", min=0),
        ParamSpec("norm_first", BOOL, False, "Normalise before (pre-LN) instead of after"),
        ParamSpec("bias", BOOL, True, "Learn biases"),
    ),
    rule=_encoder,
    inferred_args=("d_model",),
    module="TransformerEncoderLayer",
    fixed_kwargs=(("batch_first", True),),
    summary=lambda p: f"{p['nhead']} heads, ff {p['dim_feedforward']}",
)

SPECS = (MHA, ENCODER)
