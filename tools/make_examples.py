"""Writes the example project files in assets/examples/ from readable Python.

Run ``python tools/make_examples.py`` after changing an example; the files are committed and
tests/test_examples.py checks each one (parameter counts against the reference figures,
output shapes, code, ONNX export, and the accuracy the trainable ones reach).

The examples, simplest first:

* perceptron, mlp_moons, mlp_iris, mlp_digits: one neuron, then hidden layers;
* lenet5, alexnet, vgg16: the classic convolutional networks, layer by layer;
* googlenet, resnet18 (and resnet18_flat), resnet_small, mobilenetv2: networks built from
  blocks (Inception, residual and inverted-residual blocks), shown collapsed;
* rnn_waveforms, lstm_waveforms, gru_waveforms, transformer_waveforms: sequence classifiers;
* maxout_mlp: mlp_digits with Maxout units.
* autoencoder_digits, unet_shapes: beyond one label per sample: a reconstruction task (the
  target is the input) and a segmentation (a class for every pixel).
* vanishing_gradients (and _fixed), init_demo (and _small, _xavier): what goes wrong in deep
  stacks and what fixes it, each pair or trio differing in one thing only.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.layout import best_wrap, layered_layout
from netbuilder.graph.model import Graph
from netbuilder.graph.project import Project, save_project

OUT = Path(__file__).resolve().parent.parent / "assets" / "examples"

# -- layout --------------------------------------------------------------------------------
# The window opens at 1400x900 with a canvas of about 850x540 pixels. It shows the whole
# network when the cards stay readable (zoom 65% or more, READABLE_ZOOM in ui/main_window.py)
# and otherwise the start of it at 65%: about 1300x830 canvas units, five cards across. So a
# short network is one row, one that fits is laid out as the window's own Auto Layout would
# lay it out, and a bigger one in bands of at most five cards, read top to bottom like lines
# of text (the opening view shows the first bands whole; scrolling down shows the rest).
DX, DY = 260.0, 140.0             # the canvas's spacing (ui/canvas/scene.py LAYOUT_DX, _DY)
CARD_W, CARD_H, MARGIN = 180.0, 74.0, 40.0
VIEW_W, VIEW_H = 850.0, 540.0
READABLE_ZOOM = 0.65
MAX_COLUMNS = int((VIEW_W / READABLE_ZOOM - 2 * MARGIN - CARD_W) // DX) + 1   # 5


def fit_zoom(pos: dict[str, tuple[float, float]]) -> float:
    """The zoom at which the window's Fit shows these positions whole (at most 100%)."""
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    w = max(xs) - min(xs) + CARD_W + 2 * MARGIN
    h = max(ys) - min(ys) + CARD_H + 2 * MARGIN
    return min(1.0, VIEW_W / w, VIEW_H / h)


def lay_out(graph: Graph, bands: list[list[str]] | None = None) -> None:
    """Positions for every node; ``bands`` (a chain's ids, one list per band) overrides."""
    if bands is not None:
        placed = [nid for band in bands for nid in band]
        assert sorted(placed) == sorted(graph.nodes), "bands must hold every node once"
        assert max(len(b) for b in bands) <= MAX_COLUMNS, "a band wider than the view"
        pos = {nid: (j * DX, i * 2 * DY) for i, band in enumerate(bands)
               for j, nid in enumerate(band)}
    else:
        pos = layered_layout(graph, dx=DX, dy=DY)            # one row, when it is readable
        if fit_zoom(pos) < READABLE_ZOOM:
            pos = layered_layout(graph, dx=DX, dy=DY,
                                 wrap=best_wrap(graph, VIEW_W, VIEW_H, DX, DY))
        if fit_zoom(pos) < READABLE_ZOOM:
            columns = int(max(p[0] for p in layered_layout(graph, dx=1, dy=1).values())) + 1
            wrap = math.ceil(columns / math.ceil(columns / MAX_COLUMNS))  # even bands
            pos = layered_layout(graph, dx=DX, dy=DY, wrap=wrap if wrap < columns else None)
    for nid, p in pos.items():
        graph.nodes[nid].position = p


# The inside of the blocks with a skip connection, on a grid of (column, row): the input's two
# paths part at the top left; the shortcut runs straight along the top to the Add while the
# main path reads down in bands below it, so the shortcut crosses no card.
_R2 = 2.5   # the second band: room for the wire that returns to its start
_INVERTED = {"expand": (1, 1), "expand_bn": (2, 1), "expand_relu6": (3, 1),       # widen
             "depthwise": (1, _R2), "depthwise_bn": (2, _R2), "depthwise_relu6": (3, _R2),
             "project": (2, 2 * _R2 - 1), "project_bn": (3, 2 * _R2 - 1)}         # narrow
INSIDE: dict[str, dict[str, tuple[float, float]]] = {
    "BasicBlock": {"input": (0, 0), "add": (3, 0), "relu2": (4, 0),
                   "conv1": (1, 1), "bn1": (2, 1), "relu1": (3, 1),
                   "conv2": (1, _R2), "bn2": (2, _R2)},
    "DownBlock": {"input": (0, 0), "downsample": (1, 0), "downsample_bn": (2, 0), "add": (3, 0),
                  "relu2": (4, 0), "conv1": (1, 1), "bn1": (2, 1), "relu1": (3, 1),
                  "conv2": (1, _R2), "bn2": (2, _R2)},
    "InvertedResidual": {"input": (0, 0), "add": (4, 0), **_INVERTED},
    "InvertedNoSkip": {"input": (0, 0), **_INVERTED},
    # Four branches side by side, each ending in the column before the Concat.
    "Inception": {"input": (0, 0), "branch1": (2, 0),
                  "branch2_reduce": (1, 1), "branch2": (2, 1),
                  "branch3_reduce": (1, 2), "branch3": (2, 2),
                  "branch4_pool": (1, 3), "branch4": (2, 3), "concat": (3, 1.5)},
}


def finish(project: Project, bands: list[list[str]] | None = None) -> Project:
    """Lay out the network and the inside of each of its blocks (what opening one shows)."""
    lay_out(project.graph, bands)
    for name, defn in project.graph.blocks.items():
        grid = INSIDE.get(name)
        if grid is None:
            lay_out(defn.graph)
            continue
        assert sorted(grid) == sorted(defn.graph.nodes), f"INSIDE[{name!r}] must place every node"
        for nid, (col, row) in grid.items():
            defn.graph.nodes[nid].position = (col * DX, row * DY)
    return project


def _training(dataset: str, *, loss: str = "cross_entropy", lr: float = 0.001,
              batch_size: int = 64, epochs: int = 10, **more) -> dict:
    return {"dataset": dataset, "loss": loss, "optimizer": "adam", "lr": lr,
            "batch_size": batch_size, "epochs": epochs, "seed": 0, **more}


# -- one neuron, then hidden layers ------------------------------------------------------------

def perceptron() -> Project:
    b = GraphBuilder("Perceptron")
    x = b.input((2,))
    b.layer("Linear", x, id="neuron", out_features=1)
    return Project(
        b.graph,
        "The perceptron (Rosenblatt, 1958) is one artificial neuron: it weighs its inputs, adds "
        "a bias and says yes when the sum is above zero. Its decision boundary is a straight "
        "line, so on the two interleaving moons it gets about 86% right and no amount of "
        "training does better: a line cannot bend around the moons. (The neuron gives a "
        "score, not a probability: the loss 'bce_with_logits' applies the sigmoid itself.) "
        "Compare with mlp_moons.",
        training=_training("moons", loss="bce_with_logits", lr=0.05, batch_size=32, epochs=20),
    )


def mlp_moons() -> Project:
    b = GraphBuilder("MLP on moons")
    x = b.input((2,))
    x = b.layer("Linear", x, id="hidden1", out_features=16)
    x = b.layer("ReLU", x, id="relu1")
    x = b.layer("Linear", x, id="hidden2", out_features=16)
    x = b.layer("ReLU", x, id="relu2")
    b.layer("Linear", x, id="out", out_features=1)
    return Project(
        b.graph,
        "A multi-layer perceptron: the perceptron's single neuron with two hidden layers of 16 "
        "neurons in front of it. Each ReLU bends the space a little, and together they let the "
        "boundary curve around the moons: about 96% instead of the perceptron's 86%. Hidden "
        "layers trained by backpropagation (Rumelhart, Hinton and Williams, 1986) are what "
        "made neural networks useful.",
        training=_training("moons", loss="bce_with_logits", lr=0.01, batch_size=32, epochs=30),
    )


def mlp_iris() -> Project:
    b = GraphBuilder("MLP on iris")
    x = b.input((4,))
    x = b.layer("Linear", x, id="hidden", out_features=16)
    x = b.layer("ReLU", x, id="relu")
    b.layer("Linear", x, id="out", out_features=3)
    return Project(
        b.graph,
        "Fisher's iris flowers (1936): four measurements of a flower (sepal and petal length "
        "and width), three species. One hidden layer of 16 neurons is plenty; the last layer "
        "gives one score per species and 'cross_entropy' turns the scores into probabilities. "
        "With only 150 flowers, training takes a second and reaches about 95%.",
        training=_training("iris", lr=0.01, batch_size=16, epochs=50),
    )


def mlp_digits() -> Project:
    b = GraphBuilder("MLP on digits")
    x = b.input((1, 8, 8))
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Linear", x, id="hidden1", out_features=64)
    x = b.layer("ReLU", x, id="relu1")
    x = b.layer("Linear", x, id="hidden2", out_features=32)
    x = b.layer("ReLU", x, id="relu2")
    b.layer("Linear", x, id="out", out_features=10)
    return Project(
        b.graph,
        "Handwritten digits (8x8 pixels) read by a multi-layer perceptron: Flatten lays the 64 "
        "pixels in a row, two hidden layers learn combinations of them, and the last layer "
        "gives one score per digit. It reaches about 97%, but it does not know which pixels "
        "are neighbours: shift a digit by one pixel and it sees a new image. Convolutions "
        "(lenet5, resnet_small) fix that.",
        training=_training("digits", epochs=20),
    )


def maxout_mlp() -> Project:
    b = GraphBuilder("Maxout MLP on digits")
    x = b.input((1, 8, 8))
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Linear", x, id="hidden1", out_features=128)
    x = b.layer("Maxout", x, id="maxout1", pieces=2)
    x = b.layer("Linear", x, id="hidden2", out_features=64)
    x = b.layer("Maxout", x, id="maxout2", pieces=2)
    b.layer("Linear", x, id="out", out_features=10)
    return Project(
        b.graph,
        "mlp_digits with Maxout units (Goodfellow et al., 2013) instead of ReLU. Each hidden "
        "Linear layer gives two values per unit and Maxout keeps the larger: every unit is the "
        "maximum of two linear functions, so it learns its own bent activation (ReLU is the "
        "special case max(x, 0)). The same 64 and 32 units as mlp_digits, twice the weights "
        "in front of them; it reaches about 97%, as the ReLU network does.",
        training=_training("digits", epochs=20),
    )


# -- classic convolutional networks ------------------------------------------------------------

def lenet5() -> Project:
    b = GraphBuilder("LeNet-5")
    x = b.input((1, 28, 28))
    x = b.layer("Conv2d", x, id="conv1", out_channels=6, kernel_size=5, padding=2)
    x = b.layer("ReLU", x, id="relu1")
    x = b.layer("MaxPool2d", x, id="pool1", kernel_size=2)
    x = b.layer("Conv2d", x, id="conv2", out_channels=16, kernel_size=5)
    x = b.layer("ReLU", x, id="relu2")
    x = b.layer("MaxPool2d", x, id="pool2", kernel_size=2)
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Linear", x, id="fc1", out_features=120)
    x = b.layer("ReLU", x, id="relu3")
    x = b.layer("Linear", x, id="fc2", out_features=84)
    x = b.layer("ReLU", x, id="relu4")
    b.layer("Linear", x, id="fc3", out_features=10)
    return Project(
        b.graph,
        "LeNet-5 (LeCun et al., 1998) read handwritten digits for bank cheques: two "
        "convolution + pooling stages learn strokes and shapes, then three fully connected "
        "layers classify. This is the PyTorch form (ReLU, max pooling, padding 2 on conv1 so a "
        "28x28 image keeps its size). Here it trains on the digits that ship with the app, "
        "upscaled to 28x28, and reaches about 97% in 10 epochs.",
        training={"dataset": "digits28", "loss": "cross_entropy", "optimizer": "adam",
                  "lr": 0.001, "batch_size": 32, "epochs": 10, "seed": 0},
    )


def alexnet() -> Project:
    b = GraphBuilder("AlexNet")
    x = b.input((3, 224, 224))
    cfg = [(64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False),
           (256, 3, 1, 1, False), (256, 3, 1, 1, True)]
    for i, (c, k, s, p, pool) in enumerate(cfg, 1):
        x = b.layer("Conv2d", x, id=f"conv{i}", out_channels=c, kernel_size=k, stride=s, padding=p)
        x = b.layer("ReLU", x, id=f"relu{i}")
        if pool:
            x = b.layer("MaxPool2d", x, id=f"pool{i}", kernel_size=3, stride=2)
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=[6, 6])
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Dropout", x, id="drop1", p=0.5)
    x = b.layer("Linear", x, id="fc1", out_features=4096)
    x = b.layer("ReLU", x, id="relu6")
    x = b.layer("Dropout", x, id="drop2", p=0.5)
    x = b.layer("Linear", x, id="fc2", out_features=4096)
    x = b.layer("ReLU", x, id="relu7")
    b.layer("Linear", x, id="fc3", out_features=1000)
    return Project(
        b.graph,
        "AlexNet (Krizhevsky, Sutskever and Hinton, 2012) won ImageNet by a wide margin and "
        "started the deep-learning era: ReLU instead of tanh, dropout in the classifier, "
        "and training on GPUs. Large first filters (11x11, stride 4) shrink the image fast. "
        "61 million parameters, most of them in the first Linear layer: too big to train "
        "here, but inspect the shapes and export it.",
    )


def vgg16() -> Project:
    b = GraphBuilder("VGG-16")
    x = b.input((3, 224, 224))
    stages = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    for si, stage in enumerate(stages, 1):
        for ci, c in enumerate(stage, 1):
            x = b.layer("Conv2d", x, id=f"conv{si}_{ci}", out_channels=c, kernel_size=3, padding=1)
            x = b.layer("ReLU", x, id=f"relu{si}_{ci}")
        x = b.layer("MaxPool2d", x, id=f"pool{si}", kernel_size=2, stride=2)
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=[7, 7])
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Linear", x, id="fc1", out_features=4096)
    x = b.layer("ReLU", x, id="relu_fc1")
    x = b.layer("Dropout", x, id="drop1")
    x = b.layer("Linear", x, id="fc2", out_features=4096)
    x = b.layer("ReLU", x, id="relu_fc2")
    x = b.layer("Dropout", x, id="drop2")
    b.layer("Linear", x, id="fc3", out_features=1000)
    return Project(
        b.graph,
        "VGG-16 (Simonyan and Zisserman, 2014) showed that depth matters: only 3x3 "
        "convolutions (padding 1 keeps the size) and 2x2 pooling (halves it), stacked 13 deep. "
        "Two 3x3 layers see as far as one 5x5 with fewer weights. 138 million parameters.",
    )


# -- networks built from blocks ----------------------------------------------------------------

def _basic_conv(ib: GraphBuilder, ins: list[str]) -> str:
    y = ib.layer("Conv2d", ins[0], id="conv", out_channels=64, kernel_size=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn", eps=0.001)
    return ib.layer("ReLU", y, id="relu")


def _inception(ib: GraphBuilder, ins: list[str]) -> str:
    x = ins[0]
    b1 = ib.layer("BasicConv2d", x, id="branch1", channels=64)
    b2 = ib.layer("BasicConv2d", x, id="branch2_reduce", channels=96)
    b2 = ib.layer("BasicConv2d", b2, id="branch2", channels=128, kernel_size=3, padding=1)
    b3 = ib.layer("BasicConv2d", x, id="branch3_reduce", channels=16)
    b3 = ib.layer("BasicConv2d", b3, id="branch3", channels=32, kernel_size=3, padding=1)
    b4 = ib.layer("MaxPool2d", x, id="branch4_pool", kernel_size=3, stride=1, padding=1,
                  ceil_mode=True)
    b4 = ib.layer("BasicConv2d", b4, id="branch4", channels=32)
    return ib.layer("Concat", [b1, b2, b3, b4], id="concat")


# GoogLeNet's Inception modules: (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj), with
# a max pooling (kernel, stride 2) between the stages, as in torchvision.
_INCEPTIONS: list[tuple[str, tuple[int, ...] | int]] = [
    ("inception3a", (64, 96, 128, 16, 32, 32)), ("inception3b", (128, 128, 192, 32, 96, 64)),
    ("maxpool3", 3),
    ("inception4a", (192, 96, 208, 16, 48, 64)), ("inception4b", (160, 112, 224, 24, 64, 64)),
    ("inception4c", (128, 128, 256, 24, 64, 64)), ("inception4d", (112, 144, 288, 32, 64, 64)),
    ("inception4e", (256, 160, 320, 32, 128, 128)),
    ("maxpool4", 2),
    ("inception5a", (256, 160, 320, 32, 128, 128)), ("inception5b", (384, 192, 384, 48, 128, 128)),
]
_INCEPTION_PARAMS = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


def googlenet() -> Project:
    b = GraphBuilder("GoogLeNet")
    b.define_block("BasicConv2d", _basic_conv,
                   params={"channels": [("conv", "out_channels")],
                           "kernel_size": [("conv", "kernel_size")],
                           "stride": [("conv", "stride")],
                           "padding": [("conv", "padding")]},
                   description="Convolution (no bias: the BatchNorm after it has one), "
                               "BatchNorm and ReLU: GoogLeNet's basic layer.")
    b.define_block("Inception", _inception,
                   params={"ch1x1": [("branch1", "channels")],
                           "ch3x3red": [("branch2_reduce", "channels")],
                           "ch3x3": [("branch2", "channels")],
                           "ch5x5red": [("branch3_reduce", "channels")],
                           "ch5x5": [("branch3", "channels")],
                           "pool_proj": [("branch4", "channels")]},
                   description="Four branches side by side (1x1; 1x1 then 3x3; 1x1 then 3x3; "
                               "3x3 max pooling then 1x1), joined along the channels by Concat.")
    x = b.input((3, 224, 224))
    x = b.layer("BasicConv2d", x, id="conv1", channels=64, kernel_size=7, stride=2, padding=3)
    x = b.layer("MaxPool2d", x, id="maxpool1", kernel_size=3, stride=2, ceil_mode=True)
    x = b.layer("BasicConv2d", x, id="conv2", channels=64, kernel_size=1)
    x = b.layer("BasicConv2d", x, id="conv3", channels=192, kernel_size=3, padding=1)
    x = b.layer("MaxPool2d", x, id="maxpool2", kernel_size=3, stride=2, ceil_mode=True)
    for name, cfg in _INCEPTIONS:
        if isinstance(cfg, int):
            x = b.layer("MaxPool2d", x, id=name, kernel_size=cfg, stride=2, ceil_mode=True)
        else:
            x = b.layer("Inception", x, id=name, **dict(zip(_INCEPTION_PARAMS, cfg, strict=True)))
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Dropout", x, id="dropout", p=0.2)
    b.layer("Linear", x, id="fc", out_features=1000)
    return Project(
        b.graph,
        "GoogLeNet (Szegedy et al., 2014) won ImageNet with the Inception module: instead of "
        "choosing one filter size, each module runs 1x1, 3x3 and pooled branches side by side "
        "and stacks their outputs (Concat). Cheap 1x1 convolutions first shrink the channels, "
        "so the network is 22 layers deep yet has only 6.6 million parameters, a tenth of "
        "AlexNet. This is torchvision's version (BatchNorm after every convolution, the "
        "'5x5' branch is a 3x3) without the two auxiliary classifiers used only in training. "
        "Open an Inception block to see its branches.",
    )


def _basic(ib: GraphBuilder, ins: list[str]) -> str:
    y = ib.layer("Conv2d", ins[0], id="conv1", out_channels=64, kernel_size=3, padding=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn1")
    y = ib.layer("ReLU", y, id="relu1")
    y = ib.layer("Conv2d", y, id="conv2", out_channels=64, kernel_size=3, padding=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn2")
    s = ib.layer("Add", [y, ins[0]], id="add")
    return ib.layer("ReLU", s, id="relu2")


def _down(ib: GraphBuilder, ins: list[str]) -> str:
    y = ib.layer("Conv2d", ins[0], id="conv1", out_channels=128, kernel_size=3, stride=2,
                 padding=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn1")
    y = ib.layer("ReLU", y, id="relu1")
    y = ib.layer("Conv2d", y, id="conv2", out_channels=128, kernel_size=3, padding=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn2")
    d = ib.layer("Conv2d", ins[0], id="downsample", out_channels=128, kernel_size=1, stride=2,
                 bias=False)
    d = ib.layer("BatchNorm2d", d, id="downsample_bn")
    s = ib.layer("Add", [y, d], id="add")
    return ib.layer("ReLU", s, id="relu2")


def _residual_blocks(b: GraphBuilder) -> None:
    b.define_block("BasicBlock", _basic,
                   params={"channels": [("conv1", "out_channels"), ("conv2", "out_channels")]},
                   description="Two 3x3 convolutions with a skip connection around them.")
    b.define_block("DownBlock", _down,
                   params={"channels": [("conv1", "out_channels"), ("conv2", "out_channels"),
                                        ("downsample", "out_channels")]},
                   description="A residual block that halves the size and changes the channels; "
                               "a 1x1 convolution reshapes the shortcut.")


def resnet18() -> Project:
    b = GraphBuilder("ResNet-18")
    _residual_blocks(b)
    x = b.input((3, 224, 224))
    x = b.layer("Conv2d", x, id="conv1", out_channels=64, kernel_size=7, stride=2, padding=3,
                bias=False)
    x = b.layer("BatchNorm2d", x, id="bn1")
    x = b.layer("ReLU", x, id="relu")
    x = b.layer("MaxPool2d", x, id="maxpool", kernel_size=3, stride=2, padding=1)
    x = b.layer("BasicBlock", x, id="layer1", channels=64, repeat=2)
    for i, c in ((2, 128), (3, 256), (4, 512)):
        x = b.layer("DownBlock", x, id=f"layer{i}_0", channels=c)
        x = b.layer("BasicBlock", x, id=f"layer{i}_1", channels=c)
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="fc", out_features=1000)
    return Project(
        b.graph,
        "ResNet-18 (He et al., 2015) added skip connections: each block learns a correction "
        "F(x) that is added to its input x, so gradients flow straight through the Add and "
        "networks can be very deep. Built from two blocks: BasicBlock keeps the size, "
        "DownBlock halves it and changes the channels (a 1x1 convolution reshapes the "
        "shortcut). Open a block to see its inside; 11.7 million parameters.",
    )


def resnet18_flat() -> Project:
    b = GraphBuilder("ResNet-18 (every layer)")
    x = b.input((3, 224, 224))
    x = b.layer("Conv2d", x, id="conv1", out_channels=64, kernel_size=7, stride=2, padding=3, bias=False)
    x = b.layer("BatchNorm2d", x, id="bn1")
    x = b.layer("ReLU", x, id="relu")
    x = b.layer("MaxPool2d", x, id="maxpool", kernel_size=3, stride=2, padding=1)
    cin = 64
    for stage, cout in enumerate([64, 128, 256, 512], 1):
        for blk in range(2):
            stride = 2 if (stage > 1 and blk == 0) else 1
            p = f"layer{stage}_{blk}"
            y = b.layer("Conv2d", x, id=f"{p}_conv1", out_channels=cout, kernel_size=3,
                        stride=stride, padding=1, bias=False)
            y = b.layer("BatchNorm2d", y, id=f"{p}_bn1")
            y = b.layer("ReLU", y, id=f"{p}_relu1")
            y = b.layer("Conv2d", y, id=f"{p}_conv2", out_channels=cout, kernel_size=3,
                        padding=1, bias=False)
            y = b.layer("BatchNorm2d", y, id=f"{p}_bn2")
            short = x
            if stride != 1 or cin != cout:
                short = b.layer("Conv2d", x, id=f"{p}_downsample", out_channels=cout,
                                kernel_size=1, stride=stride, bias=False)
                short = b.layer("BatchNorm2d", short, id=f"{p}_downsample_bn")
            s = b.layer("Add", [y, short], id=f"{p}_add")
            x = b.layer("ReLU", s, id=f"{p}_relu2")
            cin = cout
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="fc", out_features=1000)
    return Project(
        b.graph,
        "ResNet-18 (He et al., 2015) added skip connections: each block learns a correction "
        "F(x) that is added to its input x, so gradients flow straight through the Add and "
        "networks can be very deep. Where a block halves the size and doubles the channels, a "
        "1x1 convolution with stride 2 reshapes the shortcut. 11.7 million parameters.",
    )


def resnet_small() -> Project:
    b = GraphBuilder("Small ResNet")
    _residual_blocks(b)
    x = b.input((1, 8, 8))
    x = b.layer("Conv2d", x, id="conv1", out_channels=16, kernel_size=3, padding=1, bias=False)
    x = b.layer("BatchNorm2d", x, id="bn1")
    x = b.layer("ReLU", x, id="relu")
    x = b.layer("BasicBlock", x, id="layer1", channels=16)
    x = b.layer("DownBlock", x, id="layer2_0", channels=32)
    x = b.layer("BasicBlock", x, id="layer2_1", channels=32)
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="fc", out_features=10)
    return Project(
        b.graph,
        "ResNet-18's two blocks (BasicBlock and DownBlock, the same definitions) in a network "
        "small enough to train here: a 3x3 stem for the 8x8 digits, one BasicBlock at 16 "
        "channels, a DownBlock to 4x4 and 32 channels, another BasicBlock, then global average "
        "pooling and one Linear layer. It reaches about 98% on the digits in a few epochs: "
        "the skip connections and BatchNorm make even a fresh network easy to train. With "
        "View > Training Statistics on the Cards, the gradient reaches conv1 as strong as it "
        "left fc: the skip connections carry it past each block (compare vanishing_gradients).",
        training=_training("digits", epochs=10),
    )


def _conv_bn_relu6(ib: GraphBuilder, ins: list[str]) -> str:
    y = ib.layer("Conv2d", ins[0], id="conv", out_channels=32, kernel_size=3, padding=1,
                 bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn")
    return ib.layer("ReLU6", y, id="relu6")


def _separable(ib: GraphBuilder, ins: list[str]) -> str:
    y = ib.layer("Conv2d", ins[0], id="depthwise", out_channels=32, kernel_size=3, padding=1,
                 groups=32, bias=False)
    y = ib.layer("BatchNorm2d", y, id="depthwise_bn")
    y = ib.layer("ReLU6", y, id="depthwise_relu6")
    y = ib.layer("Conv2d", y, id="project", out_channels=16, kernel_size=1, bias=False)
    return ib.layer("BatchNorm2d", y, id="project_bn")


def _inverted(ib: GraphBuilder, ins: list[str], skip: bool) -> str:
    x = ins[0]
    y = ib.layer("Conv2d", x, id="expand", out_channels=96, kernel_size=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="expand_bn")
    y = ib.layer("ReLU6", y, id="expand_relu6")
    y = ib.layer("Conv2d", y, id="depthwise", out_channels=96, kernel_size=3, padding=1,
                 groups=96, bias=False)
    y = ib.layer("BatchNorm2d", y, id="depthwise_bn")
    y = ib.layer("ReLU6", y, id="depthwise_relu6")
    y = ib.layer("Conv2d", y, id="project", out_channels=24, kernel_size=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="project_bn")
    if skip:
        y = ib.layer("Add", [x, y], id="add")   # x + F(x), as torchvision writes it
    return y


# MobileNetV2's bottlenecks after the first: expansion t, channels c, repeats n, stride s.
_MOBILENET = [(6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
              (6, 320, 1, 1)]


def mobilenetv2() -> Project:
    b = GraphBuilder("MobileNetV2")
    b.define_block("ConvBNReLU6", _conv_bn_relu6,
                   params={"channels": [("conv", "out_channels")],
                           "kernel_size": [("conv", "kernel_size")],
                           "stride": [("conv", "stride")],
                           "padding": [("conv", "padding")]},
                   description="Convolution (no bias), BatchNorm and ReLU6 (a ReLU capped at "
                               "6, which keeps numbers small for phones).")
    b.define_block("SeparableConv", _separable,
                   description="The first bottleneck (expansion 1): a 3x3 depthwise "
                               "convolution, one filter per channel (groups = 32), then a 1x1 "
                               "convolution that mixes the channels: MobileNetV1's depthwise "
                               "separable convolution.")
    expanded = [("expand", "out_channels"), ("depthwise", "out_channels"), ("depthwise", "groups")]
    b.define_block("InvertedResidual", lambda ib, ins: _inverted(ib, ins, skip=True),
                   params={"channels": [("project", "out_channels")], "expanded": expanded},
                   description="Expand the channels with a 1x1 convolution, filter each channel "
                               "on its own (3x3 depthwise: groups = channels), project back "
                               "down with a 1x1 convolution and add the input.")
    b.define_block("InvertedNoSkip", lambda ib, ins: _inverted(ib, ins, skip=False),
                   params={"channels": [("project", "out_channels")], "expanded": expanded,
                           "stride": [("depthwise", "stride")]},
                   description="The inverted residual block without the skip connection: used "
                               "where the size or the channels change, so the input cannot "
                               "be added.")
    x = b.input((3, 224, 224))
    x = b.layer("ConvBNReLU6", x, id="stem", channels=32, kernel_size=3, stride=2, padding=1)
    x = b.layer("SeparableConv", x, id="block16")
    cin = 16
    for t, c, n, s in _MOBILENET:
        x = b.layer("InvertedNoSkip", x, id=f"block{c}", channels=c, expanded=cin * t, stride=s)
        if n > 1:
            x = b.layer("InvertedResidual", x, id=f"block{c}_res", channels=c, expanded=c * t,
                        repeat=n - 1)
        cin = c
    x = b.layer("ConvBNReLU6", x, id="head", channels=1280, kernel_size=1, padding=0)
    x = b.layer("AdaptiveAvgPool2d", x, id="avgpool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Dropout", x, id="dropout", p=0.2)
    b.layer("Linear", x, id="fc", out_features=1000)
    return Project(
        b.graph,
        "MobileNetV2 (Sandler et al., 2018) is built to run on phones. Its inverted residual "
        "block widens the channels six times with a cheap 1x1 convolution, filters each "
        "channel on its own with a 3x3 depthwise convolution (groups = channels: 9 weights "
        "per channel instead of 9 per pair of channels), then narrows them again; the skip "
        "connection joins the narrow ends. 3.5 million parameters and 0.3 billion "
        "multiply-adds per image, against VGG-16's 138 million and 15 billion, for better "
        "ImageNet accuracy. Open the blocks to see the depthwise convolutions.",
    )


# -- sequence classifiers ----------------------------------------------------------------------

def _recurrent(kind: str, title: str, about: str, result: str, *, lr: float,
               epochs: int) -> Project:
    b = GraphBuilder(f"{title} on waveforms")
    x = b.input((32, 1))
    x = b.layer(kind, x, id=kind.lower(), hidden_size=32)
    x = b.layer("LastTimeStep", x, id="last")
    b.layer("Linear", x, id="out", out_features=4)
    return Project(
        b.graph,
        f"{about} The task: tell a sine, square, sawtooth or triangle wave from 32 noisy "
        f"samples. The {kind} reads them one step at a time, LastTimeStep keeps its state "
        f"after the last step, and a Linear layer gives a score per class. {result}",
        training=_training("waveforms", lr=lr, batch_size=32, epochs=epochs,
                           grad_clip_norm=1.0),
    )


def rnn_waveforms() -> Project:
    return _recurrent(
        "RNN", "RNN",
        "A recurrent neural network (Elman, 1990) reads a sequence step by step and carries a "
        "hidden state from one step to the next, so it can remember what came before. Its "
        "weakness: the gradient passes through every step and fades over long sequences, so "
        "a plain RNN learns slowly and remembers only recent steps.",
        "It stays at chance (25%) for several epochs before it reaches about 85%; at the "
        "LSTM's learning rate (0.01) it does not learn at all.",
        lr=0.002, epochs=30)


def lstm_waveforms() -> Project:
    return _recurrent(
        "LSTM", "LSTM",
        "The LSTM (Hochreiter and Schmidhuber, 1997) fixes the plain RNN's fading memory: a "
        "cell state runs along the sequence with only small, gated changes (forget, input and "
        "output gates), so information and gradients survive many steps. It was the standard "
        "for speech and text until transformers.",
        "It trains at a five times higher learning rate than the plain RNN and reaches about "
        "90%.",
        lr=0.01, epochs=20)


def gru_waveforms() -> Project:
    return _recurrent(
        "GRU", "GRU",
        "The GRU (Cho et al., 2014) is a lighter LSTM: two gates instead of three and no "
        "separate cell state, so a quarter fewer weights, and it usually learns as well.",
        "It reaches about 90%, like the LSTM.",
        lr=0.01, epochs=20)


def transformer_waveforms() -> Project:
    b = GraphBuilder("Transformer on waveforms")
    x = b.input((32, 1))
    x = b.layer("Linear", x, id="embed", out_features=32)
    # Attention alone sees its tokens as a set: the positional encoding tells it which
    # sample came when (without it, one sample per token stops near 65%).
    x = b.layer("PositionalEncoding", x, id="position")
    x = b.layer("TransformerEncoderLayer", x, id="encoder1", nhead=4, dim_feedforward=64,
                dropout=0.1)
    x = b.layer("TransformerEncoderLayer", x, id="encoder2", nhead=4, dim_feedforward=64,
                dropout=0.1)
    x = b.layer("LastTimeStep", x, id="last")
    b.layer("Linear", x, id="out", out_features=4)
    return Project(
        b.graph,
        "The transformer (Vaswani et al., 2017) drops recurrence: in self-attention every "
        "token looks at every other token at once, weighted by how relevant it is, so long "
        "sequences train fast and in parallel. The task: tell a sine, square, sawtooth or "
        "triangle wave from 32 noisy samples. A Linear layer turns each sample into a "
        "32-value token, the positional encoding adds sines and cosines of the token's "
        "position (attention alone ignores order, and order is what tells a sawtooth from a "
        "triangle), two encoder layers (4 heads each) mix the tokens, and the last token is "
        "classified: about 90%. Without the positional encoding it stops near 65%.",
        training=_training("waveforms", lr=0.003, batch_size=32, epochs=20,
                           grad_clip_norm=1.0),
    )


# -- beyond one label per sample: reconstruction and segmentation -------------------------------
AUTOENCODER_CODE = 6    # the bottleneck: numbers per digit

def autoencoder_digits() -> Project:
    b = GraphBuilder("Autoencoder on digits")
    x = b.input((1, 8, 8))
    x = b.layer("Flatten", x, id="flatten")
    x = b.layer("Linear", x, id="encode1", out_features=32)
    x = b.layer("ReLU", x, id="relu1")
    x = b.layer("Linear", x, id="bottleneck", out_features=AUTOENCODER_CODE)
    x = b.layer("Linear", x, id="decode1", out_features=32)
    x = b.layer("ReLU", x, id="relu2")
    x = b.layer("Linear", x, id="decode2", out_features=64)
    x = b.layer("Sigmoid", x, id="pixels")
    b.layer("Unflatten", x, id="image", dim=1, unflattened_size=(1, 8, 8))
    return Project(
        b.graph,
        "An autoencoder learns without labels: the target is the input itself (task "
        f"'reconstruction'). The encoder squeezes the 64 pixels of a digit into a code of "
        f"{AUTOENCODER_CODE} numbers, the bottleneck, and the decoder draws the digit again "
        "from those numbers alone, so the code must keep what matters (the stroke) and drop "
        "the rest. It reaches a validation MSE of about 0.02 per pixel; the sample view shows "
        "each digit beside its reconstruction. Set denoise_std to 0.3 and it also learns to "
        "remove noise (a denoising autoencoder).",
        training=_training("digits", task="reconstruction", loss="mse", lr=0.003,
                           batch_size=32, epochs=30),
    )


def unet_shapes() -> Project:
    b = GraphBuilder("U-Net on shapes")
    x = b.input((1, 32, 32))
    x = b.layer("Conv2d", x, id="enc1", out_channels=8, kernel_size=3, padding=1)
    skip1 = b.layer("ReLU", x, id="enc1_relu")
    x = b.layer("MaxPool2d", skip1, id="pool1", kernel_size=2)
    x = b.layer("Conv2d", x, id="enc2", out_channels=16, kernel_size=3, padding=1)
    skip2 = b.layer("ReLU", x, id="enc2_relu")
    x = b.layer("MaxPool2d", skip2, id="pool2", kernel_size=2)
    x = b.layer("Conv2d", x, id="bottom", out_channels=32, kernel_size=3, padding=1)
    x = b.layer("ReLU", x, id="bottom_relu")
    x = b.layer("ConvTranspose2d", x, id="up2", out_channels=16, kernel_size=2, stride=2)
    x = b.layer("Concat", [x, skip2], id="skip2", dim=1)
    x = b.layer("Conv2d", x, id="dec2", out_channels=16, kernel_size=3, padding=1)
    x = b.layer("ReLU", x, id="dec2_relu")
    x = b.layer("ConvTranspose2d", x, id="up1", out_channels=8, kernel_size=2, stride=2)
    x = b.layer("Concat", [x, skip1], id="skip1", dim=1)
    x = b.layer("Conv2d", x, id="dec1", out_channels=8, kernel_size=3, padding=1)
    x = b.layer("ReLU", x, id="dec1_relu")
    b.layer("Conv2d", x, id="classes", out_channels=4, kernel_size=1)
    return Project(
        b.graph,
        "Segmentation gives a class to every pixel: here background, square, disc or "
        "triangle, on generated 32x32 images. A U-Net (Ronneberger et al., 2015): the "
        "encoder halves the image twice to see whole shapes, the decoder doubles it back "
        "with ConvTranspose2d, and each Concat skip hands the decoder the sharp early maps "
        "of the same size, so edges land on the right pixel. The last 1x1 convolution gives "
        "4 scores per pixel. About 96% of the pixels right (mean IoU about 0.75); the sample "
        "view shows the predicted mask beside the true one.",
        training=_training("shapes", lr=0.01, batch_size=32, epochs=20),
    )


# -- what goes wrong in deep stacks: vanishing gradients, weight initialisation ---------------
# Each pair (or trio) differs in one thing only, so switching between them is the lesson.
DEEP = 8           # hidden layers of the vanishing-gradient pair
INIT_DEPTH = 10    # tanh layers of the initialisation trio


def _deep_mlp(title: str, hidden, n: int, width: int, **init) -> GraphBuilder:
    """Digits (8x8, flattened) through ``n`` hidden layers of ``width`` units, ``hidden`` after each."""
    b = GraphBuilder(title)
    x = b.layer("Flatten", b.input((1, 8, 8)), id="flatten")
    for i in range(1, n + 1):
        x = b.layer("Linear", x, id=f"fc{i}", out_features=width, **init)
        x = hidden(b, x, i)
    b.layer("Linear", x, id="out", out_features=10)
    return b


def vanishing_gradients() -> Project:
    b = _deep_mlp("Deep MLP: sigmoid",
                  lambda b, x, i: b.layer("Sigmoid", x, id=f"sigmoid{i}"), DEEP, 32)
    return Project(
        b.graph,
        f"{DEEP} hidden layers with sigmoid, trained by plain SGD on the digits. What to look "
        "at: View > Training Statistics on the Cards, then Train. The gauges fade from "
        "the output back to fc1: a sigmoid passes back at most a quarter of the gradient, so "
        f"after {DEEP} of them the first layers get about a millionth of what the last one "
        "gets, and the problems list says so (Inside > Histograms > Gradients shows it per "
        "layer). The first layers hardly learn: it stays at chance (10%). Then open vanishing_gradients_fixed: the same depth with ReLU and "
        "BatchNorm, where the gradient holds all the way back.",
        training=_training("digits", optimizer="sgd", lr=0.1, epochs=20),
    )


def vanishing_gradients_fixed() -> Project:
    def relu_bn(b: GraphBuilder, x: str, i: int) -> str:
        x = b.layer("BatchNorm1d", x, id=f"bn{i}")
        return b.layer("ReLU", x, id=f"relu{i}")
    b = _deep_mlp("Deep MLP: ReLU + BN", relu_bn, DEEP, 32)
    return Project(
        b.graph,
        f"The network of vanishing_gradients ({DEEP} hidden layers, the same SGD) with two "
        "changes: ReLU instead of sigmoid (its slope is 1 wherever it fires, not at most "
        "0.25) and BatchNorm before each ReLU (it keeps every layer's output at a healthy "
        "scale). Train with View > Training Statistics on the Cards: the gauges stay as strong "
        "at fc1 as at the output, every layer learns, and it reaches about 98% where the "
        "sigmoid network stays at chance.",
        training=_training("digits", optimizer="sgd", lr=0.1, epochs=20),
    )


def _init_demo(title: str, init: dict, about: str) -> Project:
    b = _deep_mlp(title, lambda b, x, i: b.layer("Tanh", x, id=f"tanh{i}"), INIT_DEPTH, 64,
                  **init)
    return Project(
        b.graph,
        f"{INIT_DEPTH} layers of tanh with weights drawn {about} Look at Inside > Histograms: "
        "each tanh layer's outputs, side by side on the same axis, from the first layer to "
        "the last. The three files init_demo (normal, std 1), init_demo_small (std 0.01) and "
        "init_demo_xavier differ only in how the weights start: open them in turn and train.",
        training=_training("digits", optimizer="sgd", lr=0.01, epochs=10),
    )


def init_demo() -> Project:
    return _init_demo(
        "tanh MLP: std 1.0", {"init": "normal", "init_gain": 1.0},
        "from a normal distribution with std 1.0. Each unit sums 64 inputs with weights this "
        "big, so its input is about 8 times too large and tanh saturates: almost every output "
        "is -1 or +1, where tanh is flat, and the network stays near chance.")


def init_demo_small() -> Project:
    return _init_demo(
        "tanh MLP: std 0.01", {"init": "normal", "init_gain": 0.01},
        "with std 0.01, far too small: each layer shrinks the signal about twelve times, so "
        "the outputs collapse to zero layer by layer (the histograms become a spike at 0) and "
        "the gradients shrink with them.")


def init_demo_xavier() -> Project:
    return _init_demo(
        "tanh MLP: Xavier", {"init": "xavier_normal", "init_gain": 5 / 3},
        "by Xavier (Glorot) initialisation, std = gain x sqrt(2 / (fan_in + fan_out)), with "
        "tanh's gain 5/3: each layer keeps the signal's scale, so the histograms stay wide and "
        "alike from the first layer to the last, and it learns: about 97%, where the other "
        "two stay near chance.")


EXAMPLES: dict[str, Callable[[], Project]] = {
    "perceptron": perceptron, "mlp_moons": mlp_moons, "mlp_iris": mlp_iris,
    "mlp_digits": mlp_digits, "lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16,
    "googlenet": googlenet, "resnet18": resnet18, "resnet18_flat": resnet18_flat,
    "resnet_small": resnet_small, "mobilenetv2": mobilenetv2,
    "rnn_waveforms": rnn_waveforms, "lstm_waveforms": lstm_waveforms,
    "gru_waveforms": gru_waveforms, "transformer_waveforms": transformer_waveforms,
    "maxout_mlp": maxout_mlp,
    "autoencoder_digits": autoencoder_digits, "unet_shapes": unet_shapes,
    "vanishing_gradients": vanishing_gradients,
    "vanishing_gradients_fixed": vanishing_gradients_fixed,
    "init_demo": init_demo, "init_demo_small": init_demo_small,
    "init_demo_xavier": init_demo_xavier,
}


# Hand-made bands where they read better than even ones: one stage (image size) per band.
BANDS: dict[str, Callable[[Graph], list[list[str]]]] = {
    "googlenet": lambda g: [
        ["input", "conv1", "maxpool1", "conv2", "conv3"],                      # 224 -> 56
        ["maxpool2", "inception3a", "inception3b"],                            # 28x28
        ["maxpool3", "inception4a", "inception4b", "inception4c", "inception4d"],  # 14x14
        ["inception4e", "maxpool4", "inception5a", "inception5b"],             # 14 -> 7
        ["avgpool", "flatten", "dropout", "fc"],                               # classifier
    ],
    # down the U, the bottom, and back up, one band per decoder stage: each Concat starts
    # its band, left of the encoder map it joins, so its skip wire runs in the gaps between
    # bands instead of across a card
    "unet_shapes": lambda g: [
        ["input", "enc1", "enc1_relu", "pool1", "enc2"],                       # 32 -> 16
        ["enc2_relu", "pool2", "bottom", "bottom_relu", "up2"],                # 16 -> 8 -> 16
        ["skip2", "dec2", "dec2_relu", "up1"],                                 # 16 -> 32
        ["skip1", "dec1", "dec1_relu", "classes"],                             # 4 per pixel
    ],
}


def build(name: str) -> Project:
    """The example ``name``, laid out, as it is written to its file."""
    project = EXAMPLES[name]()
    return finish(project, BANDS.get(name)(project.graph) if name in BANDS else None)


def write_all(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in EXAMPLES:
        save_project(build(name), out / f"{name}.json")
        written.append(out / f"{name}.json")
    return written


def main() -> None:
    for path in write_all():
        print("wrote", path)


if __name__ == "__main__":
    sys.exit(main())
