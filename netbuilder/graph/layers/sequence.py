"""Embedding, RNN, LSTM, GRU (batch-first) and LastTimeStep."""

from __future__ import annotations

from ..errors import ShapeError
from ..params import BOOL, CHOICE, FLOAT, INT, ParamSpec
from ..spec import FWD_LAST, FWD_RNN, LayerResult, LayerSpec
from ..tensor import INT as I64
from ..tensor import Tensor
from ._common import need_ndim
from .init import INIT_PARAMS


def _embedding(p, ins):
    (x,) = ins
    if x.dtype != I64:
        raise ShapeError("Embedding needs integer token ids (set the Input's dtype to int64); "
                         f"received float values of shape {x}")
    n, d = p["num_embeddings"], p["embedding_dim"]
    pi = p["padding_idx"]
    if pi is not None and not -n <= pi < n:
        raise ShapeError(f"Embedding padding_idx must be within num_embeddings ({n}); received {pi}")
    return LayerResult([Tensor(x.shape + (d,))], n * d, 0, {},
                       [f"looks up a {d}-value vector for each of the {x.numel} token ids "
                        f"(a table of {n} x {d})"])


EMBEDDING = LayerSpec(
    type="Embedding",
    category="Recurrent",
    help="Turns token ids (whole numbers) into learnable vectors: the first layer of a text model.",
    params=(
        ParamSpec("num_embeddings", INT, 100, "Vocabulary size: how many different ids", min=1,
                  positional=True),
        ParamSpec("embedding_dim", INT, 16, "Length of each vector", min=1, positional=True),
        ParamSpec("padding_idx", INT, None, "An id whose vector stays zero", optional=True,
                  none_means="none"),
        *INIT_PARAMS,
    ),
    rule=_embedding,
    module="Embedding",
    id_limit_param="num_embeddings",
    summary=lambda p: f"{p['num_embeddings']} ids -> {p['embedding_dim']}",
)

_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def _rnn_rule(name: str):
    gates = _GATES[name]

    def rule(p, ins):
        (x,) = ins
        need_ndim(name, x, (2,), "LxF (time steps, features per step)",
                  "Sequences are batch-first: a sample is time steps x features")
        steps, fin = x.shape
        h, layers = p["hidden_size"], p["num_layers"]
        dirs = 2 if p["bidirectional"] else 1
        params = macs = 0
        for layer in range(layers):
            i = fin if layer == 0 else h * dirs
            per = gates * (i * h + h * h) + (2 * gates * h if p["bias"] else 0)
            params += dirs * per
            macs += dirs * steps * gates * (i * h + h * h)
        warnings = []
        if p["dropout"] > 0 and layers == 1:
            warnings.append(f"{name} dropout only acts between stacked layers; with num_layers=1 "
                            "it does nothing")
        formula = [f"{steps} steps x {fin} features -> {steps} steps x {h * dirs} "
                   f"({'2 directions x ' if dirs == 2 else ''}hidden_size {h}); "
                   "add LastTimeStep to classify the whole sequence"]
        return LayerResult([Tensor((steps, h * dirs))], params, macs, {"input_size": fin},
                           formula, warnings)

    return rule


def _rnn(name: str, help_: str) -> LayerSpec:
    params = [
        ParamSpec("hidden_size", INT, 32, "Size of the hidden state (outputs per step)", min=1,
                  positional=True),
        ParamSpec("num_layers", INT, 1, "Recurrent layers stacked on top of each other", min=1),
    ]
    if name == "RNN":
        params.append(ParamSpec("nonlinearity", CHOICE, "tanh", "Activation of the hidden state",
                                choices=("tanh", "relu")))
    params += [
        ParamSpec("bias", BOOL, True, "Learn biases"),
        ParamSpec("dropout", FLOAT, 0.0, "Dropout between stacked layers", min=0, max=1),
        ParamSpec("bidirectional", BOOL, False, "Also read the sequence backwards; doubles the "
                  "output features"),
        *INIT_PARAMS,
    ]
    return LayerSpec(
        type=name,
        category="Recurrent",
        help=help_,
        params=tuple(params),
        rule=_rnn_rule(name),
        inferred_args=("input_size",),
        module=name,
        fixed_kwargs=(("batch_first", True),),
        forward=FWD_RNN,
        summary=lambda p: f"hidden {p['hidden_size']}"
        + (f", {p['num_layers']} layers" if p["num_layers"] > 1 else "")
        + (", bidirectional" if p["bidirectional"] else ""),
    )


def _last(p, ins):
    (x,) = ins
    need_ndim("LastTimeStep", x, (2,), "LxF (time steps, features)")
    return LayerResult([Tensor(x.shape[1:], x.dtype)],
                       formula=[f"keeps step {x.shape[0]} of {x.shape[0]}: {x} -> {x.shape[1]}"])


LAST_TIME_STEP = LayerSpec(
    type="LastTimeStep",
    category="Recurrent",
    help="Keeps only the output at the last time step (x[:, -1]), summarising a sequence for a classifier.",
    params=(),
    rule=_last,
    forward=FWD_LAST,
)

SPECS = (
    EMBEDDING,
    _rnn("RNN", "A recurrent layer: reads a sequence step by step, carrying a hidden state."),
    _rnn("LSTM", "Long short-term memory: a recurrent layer with gates that remember over long sequences."),
    _rnn("GRU", "Gated recurrent unit: a lighter LSTM with two gates."),
    LAST_TIME_STEP,
)
