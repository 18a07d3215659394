"""Writes the example project files in assets/examples/ from readable Python.

Run ``python tools/make_examples.py`` after changing an example; the files are committed and
tests check each one (parameter counts against the reference figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.layout import apply_layout, best_wrap
from netbuilder.graph.project import Project, save_project

OUT = Path(__file__).resolve().parent.parent / "assets" / "examples"


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
        "upscaled to 28x28.",
        training={"dataset": "digits28", "loss": "cross_entropy", "optimizer": "adam",
                  "lr": 0.001, "batch_size": 64, "epochs": 10, "seed": 0},
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




def _basic(ib, ins):
    y = ib.layer("Conv2d", ins[0], id="conv1", out_channels=64, kernel_size=3, padding=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn1")
    y = ib.layer("ReLU", y, id="relu1")
    y = ib.layer("Conv2d", y, id="conv2", out_channels=64, kernel_size=3, padding=1, bias=False)
    y = ib.layer("BatchNorm2d", y, id="bn2")
    s = ib.layer("Add", [y, ins[0]], id="add")
    return ib.layer("ReLU", s, id="relu2")


def _down(ib, ins):
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


def resnet18() -> Project:
    b = GraphBuilder("ResNet-18")
    b.define_block("BasicBlock", _basic,
                   params={"channels": [("conv1", "out_channels"), ("conv2", "out_channels")]},
                   description="Two 3x3 convolutions with a skip connection around them.")
    b.define_block("DownBlock", _down,
                   params={"channels": [("conv1", "out_channels"), ("conv2", "out_channels"),
                                        ("downsample", "out_channels")]},
                   description="A residual block that halves the size and changes the channels; "
                               "a 1x1 convolution reshapes the shortcut.")
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


EXAMPLES = {"lenet5": lenet5, "alexnet": alexnet, "vgg16": vgg16, "resnet18": resnet18,
            "resnet18_flat": resnet18_flat}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in EXAMPLES.items():
        project = make()
        # Spacing as the canvas's auto layout; bands sized for a laptop-sized canvas.
        wrap = best_wrap(project.graph, 1100, 700, dx=260, dy=140)
        apply_layout(project.graph, dx=260, dy=140, wrap=wrap)
        save_project(project, OUT / f"{name}.json")
        print("wrote", OUT / f"{name}.json")


if __name__ == "__main__":
    sys.exit(main())
