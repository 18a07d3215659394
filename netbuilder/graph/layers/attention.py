"""Self-attention (MultiheadAttention), TransformerEncoderLayer and TransformerDecoderLayer,
batch-first."""

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

def _decoder(p, ins):
    tgt, memory = ins
    need_ndim("TransformerDecoderLayer", tgt, (2,), "LxE (tokens, features per token) on "
              "input 0, the target sequence")
    need_ndim("TransformerDecoderLayer", memory, (2,), "SxE (tokens, features per token) on "
              "input 1, the memory (what the encoder made of the source)")
    steps, e = tgt.shape
    source, e_mem = memory.shape
    if e_mem != e:
        raise ShapeError(f"TransformerDecoderLayer needs the memory (input 1) to have {e} "
                         f"features per token, as the target (input 0) has; received {memory}")
    _heads_check("TransformerDecoderLayer", e, p["nhead"], "nhead")
    ff = p["dim_feedforward"]
    b = p["bias"]
    attention = 4 * e * e + (4 * e if b else 0)
    params = 2 * attention                                           # self- and cross-attention
    params += e * ff + (ff if b else 0) + ff * e + (e if b else 0)  # feed-forward
    params += 3 * (e + (e if b else 0))                              # three LayerNorms
    cross = 2 * steps * e * e + 2 * source * e * e + 2 * steps * source * e
    macs = _attn_cost(steps, e) + cross + 2 * steps * e * ff
    sees = "token t sees tokens 0..t only" if p["causal"] else "every token sees all"
    formula = [f"self-attention, {p['nhead']} heads: {sees}",
               f"cross-attention: {steps} target tokens attend to {source} memory tokens",
               f"feed-forward: {e} -> {ff} -> {e}",
               "each of the three with a residual connection and LayerNorm"]
    return LayerResult([tgt], params, macs, {"d_model": e}, formula)


_CAUSAL_MASK = "nn.Transformer.generate_square_subsequent_mask({x}.size(1), device={x}.device)"

DECODER = LayerSpec(
    type="TransformerDecoderLayer",
    category="Attention",
    help="One transformer decoder block: masked self-attention over the target (input 0), "
         "attention to the memory (input 1), and a feed-forward network.",
    params=(
        ParamSpec("nhead", INT, 4, "Attention heads; must divide the features", min=1,
                  positional=True),
        ParamSpec("causal", BOOL, True, "Causal mask: a token cannot see the tokens after "
                  "it (as when generating one token at a time)", torch=False),
        *ENCODER.params[1:],
    ),
    rule=_decoder,
    inputs=2,
    inferred_args=("d_model",),
    module="TransformerDecoderLayer",
    fixed_kwargs=(("batch_first", True),),
    call_keywords=lambda p: ((("tgt_mask", _CAUSAL_MASK), ("tgt_is_causal", "True"))
                             if p["causal"] else ()),
    summary=lambda p: f"{p['nhead']} heads, ff {p['dim_feedforward']}"
                      + (", causal" if p["causal"] else ""),
)

SPECS = (MHA, ENCODER, DECODER)
