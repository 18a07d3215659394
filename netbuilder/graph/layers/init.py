"""Weight initialisation choices of the layers with weights (issue: see how it learns).

Three parameters that torch's constructors do not take (``torch=False``): ``init`` (the
scheme; ``default`` keeps PyTorch's own), ``init_gain`` (the std of ``normal``, the bound of
``uniform``, the gain of ``xavier_*`` and ``orthogonal``) and ``init_nonlinearity`` (what
``kaiming_*`` corrects for). ``init_lines`` writes the ``torch.nn.init`` calls the generated
``__init__`` makes visibly after building the layer; a scheme other than ``default`` also
sets the biases to zero.
"""

from __future__ import annotations

from typing import Any

from ..params import CHOICE, FLOAT, ParamSpec

SCHEMES = ("default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
           "normal", "uniform", "zeros", "orthogonal")
NONLINEARITIES = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
NAMES = ("init", "init_gain", "init_nonlinearity")

INIT_PARAMS = (
    ParamSpec("init", CHOICE, "default",
              "How the weights start: PyTorch's default, Xavier (Glorot) for tanh/sigmoid, "
              "Kaiming (He) for ReLU, a plain normal or uniform draw, zeros, or orthogonal "
              "(recurrent weights). Other than default, biases start at zero",
              choices=SCHEMES, torch=False),
    ParamSpec("init_gain", FLOAT, 1.0,
              "normal: the standard deviation; uniform: the bound (values in -g..g); xavier "
              "and orthogonal: the gain", min=0, torch=False),
    ParamSpec("init_nonlinearity", CHOICE, "relu",
              "kaiming: the activation that follows, whose gain the draw corrects for",
              choices=NONLINEARITIES, torch=False),
)


def weight_names(layer_type: str, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The weight and bias attribute names of a layer, as torch names them."""
    if layer_type in ("RNN", "LSTM", "GRU"):
        suffixes = ["", "_reverse"] if params.get("bidirectional") else [""]
        weights, biases = [], []
        for k in range(int(params.get("num_layers", 1))):
            for s in suffixes:
                weights += [f"weight_ih_l{k}{s}", f"weight_hh_l{k}{s}"]
                if params.get("bias", True):
                    biases += [f"bias_ih_l{k}{s}", f"bias_hh_l{k}{s}"]
        return weights, biases
    biases = ["bias"] if params.get("bias", True) and layer_type != "Embedding" else []
    return ["weight"], biases


def init_calls(layer_type: str, params: dict[str, Any], owner: str) -> list[str]:
    """``nn.init`` lines for a layer held in ``owner`` (``self.conv1``); [] for default."""
    scheme = params.get("init", "default")
    if scheme == "default":
        return []
    gain = float(params.get("init_gain", 1.0))
    nonlin = params.get("init_nonlinearity", "relu")
    weights, biases = weight_names(layer_type, params)
    out = []
    for w in weights:
        t = f"{owner}.{w}"
        if scheme in ("xavier_uniform", "xavier_normal", "orthogonal"):
            out.append(f"nn.init.{scheme}_({t}, gain={gain!r})")
        elif scheme in ("kaiming_uniform", "kaiming_normal"):
            out.append(f"nn.init.{scheme}_({t}, nonlinearity={nonlin!r})")
        elif scheme == "normal":
            out.append(f"nn.init.normal_({t}, std={gain!r})")
        elif scheme == "uniform":
            out.append(f"nn.init.uniform_({t}, {-gain!r}, {gain!r})")
        else:
            out.append(f"nn.init.zeros_({t})")
    out += [f"nn.init.zeros_({owner}.{b})" for b in biases]
    return out
