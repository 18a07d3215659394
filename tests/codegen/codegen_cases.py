"""Layer cases shared by the codegen tests: one or more per catalogue entry.

``LAYER_CASES`` maps every catalogue type to inputs and parameters it accepts;
``test_catalogue_is_covered`` fails when a layer is added to the catalogue without a case
here. ``alone(case)`` wires Input -> layer; ``in_small_net(case)`` puts the layer between a
layer before it and a Linear head after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.model import Graph


@dataclass(frozen=True)
class Case:
    type: str
    shape: tuple[int, ...]
    params: dict[str, Any] = field(default_factory=dict)
    dtype: str = "float32"
    ports: int = 1            # merges: how many wires from the same source

    @property
    def id(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.type}({extra})" if extra else self.type


SEQ = (6, 8)      # 6 time steps x 8 features
IMG = (4, 8, 8)   # 4 channels, 8x8

CASES: list[Case] = [
    Case("Linear", (12,), {"out_features": 5}),
    Case("Linear", (3, 12), {"out_features": 5, "bias": False}),
    Case("Identity", IMG),
    Case("Flatten", IMG),
    Case("Flatten", IMG, {"start_dim": 2}),
    Case("Unflatten", (48,), {"dim": 1, "unflattened_size": (3, 4, 4)}),
    Case("Unflatten", (48,), {"dim": -1, "unflattened_size": (3, -1)}),
    Case("Dropout", (10,), {"p": 0.3}),
    Case("Dropout2d", IMG),
    Case("ReLU", SEQ),
    Case("ReLU6", SEQ),
    Case("LeakyReLU", SEQ, {"negative_slope": 0.2}),
    Case("ELU", SEQ, {"alpha": 0.5}),
    Case("GELU", SEQ, {"approximate": "tanh"}),
    Case("GELU", SEQ),
    Case("SiLU", SEQ),
    Case("Sigmoid", SEQ),
    Case("Tanh", SEQ),
    Case("Softmax", (5,)),
    Case("Softmax", SEQ, {"dim": 1}),
    Case("LogSoftmax", SEQ),
    Case("Maxout", (12,), {"pieces": 3}),
    Case("Maxout", IMG, {"pieces": 2, "dim": 1}),
    Case("Maxout", SEQ, {"pieces": 4, "dim": -1}),
    Case("Conv1d", (3, 20), {"out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 1}),
    Case("Conv2d", IMG, {"out_channels": 6, "kernel_size": [3, 5], "padding": "same",
                         "groups": 2, "padding_mode": "reflect"}),
    Case("Conv2d", IMG, {"out_channels": 8, "kernel_size": 3, "stride": 2, "groups": 4,
                         "dilation": 2, "padding": 2, "bias": False}),
    Case("ConvTranspose2d", IMG, {"out_channels": 3, "kernel_size": 3, "stride": 2,
                                  "padding": 1, "output_padding": 1}),
    Case("MaxPool1d", (3, 17), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    Case("MaxPool2d", (3, 9, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    Case("AvgPool1d", (3, 16), {"kernel_size": 4}),
    Case("AvgPool2d", IMG, {"kernel_size": 2, "padding": 1, "count_include_pad": False}),
    Case("AdaptiveAvgPool1d", (3, 10), {"output_size": 5}),
    Case("AdaptiveAvgPool2d", (3, 8, 9), {"output_size": [2, 3]}),
    Case("AdaptiveAvgPool2d", IMG),
    Case("AdaptiveMaxPool2d", IMG, {"output_size": 2}),
    Case("BatchNorm1d", (6,)),
    Case("BatchNorm1d", (4, 10), {"momentum": None, "eps": 1e-3}),
    Case("BatchNorm2d", IMG, {"affine": False}),
    Case("LayerNorm", SEQ),
    Case("LayerNorm", SEQ, {"normalized_shape": [6, 8], "bias": False}),
    Case("GroupNorm", (6, 4, 4), {"num_groups": 3}),
    Case("Embedding", (7,), {"num_embeddings": 20, "embedding_dim": 8, "padding_idx": 0},
         dtype="int64"),
    Case("RNN", SEQ, {"hidden_size": 5, "nonlinearity": "relu"}),
    Case("LSTM", SEQ, {"hidden_size": 5, "num_layers": 2, "bidirectional": True}),
    Case("LSTM", SEQ, {"hidden_size": 5}),
    Case("GRU", SEQ, {"hidden_size": 5}),
    Case("LastTimeStep", SEQ),
    Case("MultiheadAttention", SEQ, {"num_heads": 2}),
    Case("TransformerEncoderLayer", SEQ, {"nhead": 2, "dim_feedforward": 16}),
    Case("TransformerEncoderLayer", SEQ, {"nhead": 2, "dim_feedforward": 16,
                                          "norm_first": True, "activation": "gelu"}),
    Case("PositionalEncoding", SEQ),
    Case("PositionalEncoding", (6, 7), {"encoding": "learned"}),
    Case("TransformerDecoderLayer", SEQ, {"nhead": 2, "dim_feedforward": 16}, ports=2),
    Case("TransformerDecoderLayer", SEQ, {"nhead": 4, "dim_feedforward": 16, "causal": False,
                                          "norm_first": True}, ports=2),
    Case("Add", IMG, ports=2),
    Case("Multiply", SEQ, ports=3),
    Case("Concat", IMG, ports=2),
    Case("Concat", SEQ, {"dim": -1}, ports=2),
    # Layers ONNX import maps onto (issue 14).
    Case("PReLU", IMG, {"num_parameters": 4}),
    Case("PReLU", SEQ),
    Case("Softplus", SEQ, {"beta": 2.0}),
    Case("SELU", SEQ),
    Case("Hardswish", SEQ),
    Case("Hardsigmoid", SEQ),
    Case("Mish", SEQ),
    Case("LocalResponseNorm", IMG, {"size": 3}),
    Case("ZeroPad2d", IMG, {"padding": [1, 2, 0, 3]}),
    Case("ConstantPad2d", IMG, {"padding": 1, "value": 0.5}),
    Case("Upsample", IMG),
    Case("Upsample", IMG, {"scale_factor": None, "size": [12, 10], "mode": "bilinear",
                           "align_corners": False}),
    Case("PixelShuffle", IMG, {"upscale_factor": 2}),
    Case("ChannelShuffle", IMG, {"groups": 2}),
]

# Every graph starts with an Input, so Input needs no case of its own.
COVERED_BY_EVERY_CASE = {"Input"}


def alone(case: Case) -> Graph:
    """Input -> layer (a merge reads the Input on each of its ports)."""
    b = GraphBuilder(f"{case.type} alone")
    x = b.input(case.shape, dtype=case.dtype)
    b.layer(case.type, [x] * case.ports, id="layer", **case.params)
    return b.graph


def in_small_net(case: Case) -> Graph:
    """A layer before (or an Embedding for token ids), the layer, then Flatten + Linear."""
    b = GraphBuilder(f"{case.type} in a small net")
    x = b.input(case.shape, dtype=case.dtype)
    if case.dtype == "float32":
        before = [b.layer("Tanh", x, id="before")]
        if case.ports > 1:
            before.append(b.layer("Sigmoid", x, id="other"))
            before += [b.layer("ReLU", x, id=f"more{i}") for i in range(case.ports - 2)]
        x = b.layer(case.type, before, id="layer", **case.params)
    else:
        x = b.layer(case.type, x, id="layer", **case.params)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="head", out_features=3)
    return b.graph


def zoo(cases: list[Case], name: str = "Layer zoo") -> Graph:
    """One graph holding every case side by side: one Input per distinct input, one output
    per case. Exports many layers at the price of one export."""
    b = GraphBuilder(name)
    inputs: dict[tuple, str] = {}
    for i, case in enumerate(cases):
        key = (case.shape, case.dtype)
        if key not in inputs:
            dims = "x".join(map(str, case.shape))
            inputs[key] = b.input(case.shape, id=f"in_{dims}_{case.dtype}", dtype=case.dtype)
        b.layer(case.type, [inputs[key]] * case.ports, id=f"{case.type.lower()}_{i}",
                **case.params)
    return b.graph


# -- projects used by the end-to-end export tests (tests/codegen/data/*.json) -------------

def residual_block() -> Graph:
    """A ResNet basic block with an identity shortcut (the golden-file example)."""
    b = GraphBuilder("Residual block")
    x = b.input((16, 8, 8))
    y = b.layer("Conv2d", x, id="conv_a", out_channels=16, kernel_size=3, padding=1,
                bias=False, label="first 3x3 convolution")
    y = b.layer("BatchNorm2d", y, id="bn_a")
    y = b.layer("ReLU", y, id="relu_a")
    y = b.layer("Conv2d", y, id="conv_b", out_channels=16, kernel_size=3, padding=1, bias=False)
    y = b.layer("BatchNorm2d", y, id="bn_b")
    s = b.layer("Add", [y, x], id="add", label="skip connection")
    b.layer("ReLU", s, id="relu_out")
    return b.graph


def inception_block() -> Graph:
    """A GoogLeNet-style Inception module: four branches joined by Concat, then a classifier."""
    b = GraphBuilder("Inception block")
    x = b.input((3, 32, 32), id="image")
    x = b.layer("Conv2d", x, id="stem", out_channels=32, kernel_size=3, padding=1)
    x = b.layer("ReLU", x, id="stem_relu")
    b1 = b.layer("Conv2d", x, id="b1_1x1", out_channels=16, kernel_size=1)
    b2 = b.layer("Conv2d", x, id="b2_reduce", out_channels=16, kernel_size=1)
    b2 = b.layer("ReLU", b2, id="b2_relu")
    b2 = b.layer("Conv2d", b2, id="b2_3x3", out_channels=24, kernel_size=3, padding=1)
    b3 = b.layer("Conv2d", x, id="b3_reduce", out_channels=4, kernel_size=1)
    b3 = b.layer("ReLU", b3, id="b3_relu")
    b3 = b.layer("Conv2d", b3, id="b3_5x5", out_channels=8, kernel_size=5, padding=2)
    b4 = b.layer("MaxPool2d", x, id="b4_pool", kernel_size=3, stride=1, padding=1)
    b4 = b.layer("Conv2d", b4, id="b4_proj", out_channels=8, kernel_size=1)
    x = b.layer("Concat", [b1, b2, b3, b4], id="concat")
    x = b.layer("ReLU", x, id="mixed_relu")
    x = b.layer("AdaptiveAvgPool2d", x, id="pool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="fc", out_features=10)
    return b.graph


def lstm_classifier() -> Graph:
    """Token ids -> Embedding -> 2-layer LSTM -> last step -> Linear: a text classifier."""
    b = GraphBuilder("LSTM classifier")
    x = b.input((20,), id="tokens", dtype="int64")
    x = b.layer("Embedding", x, id="embed", num_embeddings=1000, embedding_dim=32, padding_idx=0)
    x = b.layer("LSTM", x, id="lstm", hidden_size=64, num_layers=2)
    x = b.layer("LastTimeStep", x, id="last")
    x = b.layer("Dropout", x, id="drop", p=0.2)
    b.layer("Linear", x, id="classifier", out_features=5)
    return b.graph


DATA_PROJECTS = {"inception_block": inception_block, "lstm_classifier": lstm_classifier}


# -- blocks ---------------------------------------------------------------------------------

def block_zoo(text: bool = True) -> Graph:
    """Blocks in every way a project can use them: exposed parameters of several kinds that
    differ between uses (ints, tuples, 'same' vs a number, None vs a float, a keyword at its
    default in one use only), repeat, a block inside a block, a two-input block, a recurrent
    block repeated, and one definition whose uses differ in structure (the repeat of an
    inner block is exposed), so it needs two classes. ``text=False`` leaves out the
    recurrent part (slow to export with dynamo)."""
    b = GraphBuilder("Block zoo")

    def conv_unit(g: GraphBuilder, ins: list[str]) -> str:
        x = g.layer("Conv2d", ins[0], id="conv", out_channels=8, kernel_size=3, padding=1)
        x = g.layer("BatchNorm2d", x, id="bn")
        return g.layer("ReLU", x, id="act")

    b.define_block("ConvUnit", conv_unit, params={
        "width": [("conv", "out_channels")], "kernel": [("conv", "kernel_size")],
        "pad": [("conv", "padding")], "stride": [("conv", "stride")],
        "momentum": [("bn", "momentum")]}, description="Conv, batch norm, ReLU.")

    def stage(g: GraphBuilder, ins: list[str]) -> str:
        x = g.layer("ConvUnit", ins[0], id="units", repeat=2)
        y = g.layer("Conv2d", ins[0], id="skip", out_channels=8, kernel_size=1)
        return g.layer("Add", [x, y], id="join")

    b.define_block("Stage", stage, params={"width": [("units", "width"), ("skip", "out_channels")],
                                           "depth": [("units", "repeat")]},
                   description="Repeated conv units\nwith a 1x1 skip.")

    def gate(g: GraphBuilder, ins: list[str]) -> str:
        s = g.layer("Sigmoid", ins[1], id="sig")
        return g.layer("Multiply", [ins[0], s], id="mul")

    b.define_block("Gate", gate, inputs=2)

    def encoder(g: GraphBuilder, ins: list[str]) -> str:
        x = g.layer("GRU", ins[0], id="gru", hidden_size=8)
        return g.layer("LayerNorm", x, id="norm")

    b.define_block("Encoder", encoder, params={"hidden": [("gru", "hidden_size")]})

    img = b.input((3, 16, 16), id="image")
    tok = b.input((5,), id="tokens", dtype="int64") if text else None
    x = b.layer("ConvUnit", img, id="stem", width=8, kernel=[3, 3], pad="same")
    x = b.layer("ConvUnit", x, id="down", width=16, kernel=3, pad=1, stride=2, momentum=None)
    x = b.layer("Stage", x, id="stage_a", width=16)
    x = b.layer("Stage", x, id="stage_b", width=24, depth=3)
    x = b.layer("Stage", x, id="stage_c", width=24, depth=3, repeat=2)
    g = b.layer("Gate", [x, x], id="gate")
    p = b.layer("AdaptiveAvgPool2d", g, id="pool")
    p = b.layer("Flatten", p, id="flat")
    b.layer("Linear", p, id="image_head", out_features=4)
    if not text:
        return b.graph
    t = b.layer("Embedding", tok, id="embed", num_embeddings=20, embedding_dim=8)
    t = b.layer("Encoder", t, id="encoder", hidden=6, repeat=2)
    t = b.layer("LastTimeStep", t, id="last")
    b.layer("Linear", t, id="text_head", out_features=3)
    return b.graph
