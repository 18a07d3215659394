"""Element-wise activations (PReLU with its learned slopes) and (Log)Softmax."""

from __future__ import annotations

from ..errors import ShapeError
from ..params import CHOICE, FLOAT, INT, ParamSpec
from ..spec import LayerResult, LayerSpec
from ._common import torch_dim


def _same(p, ins):
    return LayerResult([ins[0]])


def _act(type_, help_, params=(), summary=None):
    return LayerSpec(type=type_, category="Activation", help=help_, params=params, rule=_same,
                     module=type_, summary=summary)


def _softmax_rule(name):
    def rule(p, ins):
        (x,) = ins
        torch_dim(name, "dim", p["dim"], x, allow_batch=True)
        return LayerResult([x])
    return rule


def _prelu(p, ins):
    (x,) = ins
    n = p["num_parameters"]
    if n != 1 and x.shape[0] != n:
        raise ShapeError(f"PReLU with num_parameters={n} learns one slope per channel, so the "
                         f"input needs {n} channels first; received {x}. Set num_parameters to "
                         f"{x.shape[0]} or 1 (one slope shared by all)")
    return LayerResult([x], n, 0, formula=[f"learns {n} negative slope{'s' if n > 1 else ''}"])


_DIM = ParamSpec("dim", INT, -1, "Dimension whose values are turned into probabilities "
                 "(-1: the last, i.e. the classes)", emit_always=True)

SPECS = (
    _act("ReLU", "max(0, x): keeps positive values, zeroes negative ones. The default choice."),
    _act("ReLU6", "min(max(0, x), 6): ReLU capped at 6, used by MobileNet."),
    _act("LeakyReLU", "x for x > 0, negative_slope * x otherwise: lets a little gradient through.",
         (ParamSpec("negative_slope", FLOAT, 0.01, "Slope for negative inputs"),),
         lambda p: f"slope {p['negative_slope']:g}"),
    _act("ELU", "x for x > 0, alpha * (exp(x) - 1) otherwise: smooth below zero.",
         (ParamSpec("alpha", FLOAT, 1.0, "Value approached for very negative inputs"),),
         lambda p: f"alpha {p['alpha']:g}"),
    _act("GELU", "x * Phi(x): a smooth ReLU used in transformers.",
         (ParamSpec("approximate", CHOICE, "none", "'tanh' uses a faster approximation",
                    choices=("none", "tanh")),)),
    LayerSpec(type="PReLU", category="Activation",
              help="x for x > 0, a * x otherwise, with the slope a learned (one, or one per "
                   "channel); starts at 0.25.",
              params=(ParamSpec("num_parameters", INT, 1, "Number of slopes learned: 1, or the "
                                "number of channels (dimension 1)", min=1),),
              rule=_prelu, module="PReLU", summary=lambda p: f"{p['num_parameters']} slope(s)"),
    _act("Softplus", "log(1 + exp(beta * x)) / beta: a smooth ReLU that is never exactly zero.",
         (ParamSpec("beta", FLOAT, 1.0, "Sharpness: larger is closer to ReLU"),
          ParamSpec("threshold", FLOAT, 20.0, "Above beta * x > threshold the output is just x "
                    "(for numerical stability)")),
         lambda p: f"beta {p['beta']:g}"),
    _act("SELU", "scale * ELU(x) with fixed constants (1.0507, 1.6733): keeps activations "
                 "normalised in deep MLPs."),
    _act("Hardswish", "x * ReLU6(x + 3) / 6: a cheap SiLU used by MobileNetV3."),
    _act("Hardsigmoid", "ReLU6(x + 3) / 6: a cheap piecewise-linear sigmoid (MobileNetV3)."),
    _act("Mish", "x * tanh(softplus(x)): smooth and non-monotonic, used by YOLOv4."),
    _act("SiLU", "x * sigmoid(x) (also called Swish): smooth and non-monotonic."),
    _act("Sigmoid", "1 / (1 + exp(-x)): squashes to (0, 1); for a probability of one class."),
    _act("Tanh", "Squashes to (-1, 1); zero-centred, used in RNNs."),
    LayerSpec(type="Softmax", category="Activation",
              help="Turns scores into probabilities that sum to 1 along dim. (Not needed before "
                   "CrossEntropyLoss, which applies it itself.)",
              params=(_DIM,), rule=_softmax_rule("Softmax"), module="Softmax",
              output_kind="probabilities",
              summary=lambda p: f"dim={p['dim']}"),
    LayerSpec(type="LogSoftmax", category="Activation",
              help="log(softmax(x)) along dim, computed stably; pair it with NLLLoss.",
              params=(_DIM,), rule=_softmax_rule("LogSoftmax"), module="LogSoftmax",
              output_kind="log_probabilities",
              summary=lambda p: f"dim={p['dim']}"),
)
