"""torchvision's state_dict keys for the shipped classic architectures, written out by hand
from torchvision's model definitions (torchvision is not installed here), in the order
torchvision's modules register them. Tests rename our modules' tensors to these keys to
stand for a downloaded pretrained file."""

from __future__ import annotations

BN = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def _bn(prefix: str) -> list[str]:
    return [f"{prefix}.{k}" for k in BN]


def _wb(prefix: str) -> list[str]:
    return [f"{prefix}.weight", f"{prefix}.bias"]


def alexnet() -> list[str]:
    return [k for i in (0, 3, 6, 8, 10) for k in _wb(f"features.{i}")] + \
           [k for i in (1, 4, 6) for k in _wb(f"classifier.{i}")]


def vgg16() -> list[str]:
    convs = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
    return [k for i in convs for k in _wb(f"features.{i}")] + \
           [k for i in (0, 3, 6) for k in _wb(f"classifier.{i}")]


def resnet18() -> list[str]:
    keys = ["conv1.weight", *_bn("bn1")]
    for layer in range(1, 5):
        for block in range(2):
            p = f"layer{layer}.{block}"
            keys += [f"{p}.conv1.weight", *_bn(f"{p}.bn1"), f"{p}.conv2.weight", *_bn(f"{p}.bn2")]
            if layer > 1 and block == 0:
                keys += [f"{p}.downsample.0.weight", *_bn(f"{p}.downsample.1")]
    return keys + _wb("fc")


def mobilenet_v2() -> list[str]:
    keys = ["features.0.0.weight", *_bn("features.0.1"),
            "features.1.conv.0.0.weight", *_bn("features.1.conv.0.1"),
            "features.1.conv.1.weight", *_bn("features.1.conv.2")]
    for i in range(2, 18):
        p = f"features.{i}.conv"
        keys += [f"{p}.0.0.weight", *_bn(f"{p}.0.1"), f"{p}.1.0.weight", *_bn(f"{p}.1.1"),
                 f"{p}.2.weight", *_bn(f"{p}.3")]
    return keys + ["features.18.0.weight", *_bn("features.18.1"), *_wb("classifier.1")]


def _basic(prefix: str) -> list[str]:
    return [f"{prefix}.conv.weight", *_bn(f"{prefix}.bn")]


def googlenet(aux: bool = False) -> list[str]:
    """Without ``aux`` the model's own keys; with it, the pretrained file's (it keeps the
    auxiliary heads, placed before ``fc``), whose extra shapes are ``aux_shapes``."""
    keys = _basic("conv1") + _basic("conv2") + _basic("conv3")
    for name in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"):
        p = f"inception{name}"
        for branch in ("branch1", "branch2.0", "branch2.1", "branch3.0", "branch3.1", "branch4.1"):
            keys += _basic(f"{p}.{branch}")
    if aux:
        for a in ("aux1", "aux2"):
            keys += _basic(f"{a}.conv") + _wb(f"{a}.fc1") + _wb(f"{a}.fc2")
    return keys + _wb("fc")


def aux_shapes() -> dict[str, tuple[int, ...]]:
    """The shapes of GoogLeNet's auxiliary heads (InceptionAux on 512 and 528 channels)."""
    shapes = {}
    for a, cin in (("aux1", 512), ("aux2", 528)):
        shapes[f"{a}.conv.conv.weight"] = (128, cin, 1, 1)
        for k in BN:
            shapes[f"{a}.conv.bn.{k}"] = () if k == "num_batches_tracked" else (128,)
        shapes[f"{a}.fc1.weight"], shapes[f"{a}.fc1.bias"] = (1024, 2048), (1024,)
        shapes[f"{a}.fc2.weight"], shapes[f"{a}.fc2.bias"] = (1000, 1024), (1000,)
    return shapes


NAMES = {"alexnet": alexnet, "vgg16": vgg16, "resnet18": resnet18, "resnet18_flat": resnet18,
         "mobilenetv2": mobilenet_v2, "googlenet": googlenet}
TORCHVISION = {"alexnet": "alexnet", "vgg16": "vgg16", "resnet18": "resnet18",
               "resnet18_flat": "resnet18", "mobilenetv2": "mobilenet_v2",
               "googlenet": "googlenet"}
