"""PyTorch modules written the way people write them, for the PyTorch import tests.

``ResNetTV`` follows torchvision's ``resnet.py`` (BasicBlock with an optional downsample
``nn.Sequential``, one ``self.relu`` used twice, ``out += identity``, ``torch.flatten``),
scaled down; ``TinyInception`` is an Inception module (four branches joined by
``torch.cat``) written with functional calls. ``build_*`` functions take no arguments, as
``netbuilder import MODULE:CALLABLE`` calls them.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class ResNetTV(nn.Module):
    def __init__(self, layers=(2, 2, 2), num_classes: int = 10, width: int = 8) -> None:
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(width * 4, layers[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 4, num_classes)

    def _make_layer(self, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False),
                                       nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class Inception(nn.Module):
    """Four branches over the same input, joined along the channels."""

    def __init__(self, cin: int, c1: int, c3: int, c5: int, pool: int) -> None:
        super().__init__()
        self.b1 = nn.Conv2d(cin, c1, 1)
        self.b3 = nn.Sequential(nn.Conv2d(cin, c3, 1), nn.ReLU(), nn.Conv2d(c3, c3, 3, padding=1))
        self.b5 = nn.Conv2d(cin, c5, 5, padding=2)
        self.bp = nn.Conv2d(cin, pool, 1)

    def forward(self, x):
        p = F.max_pool2d(x, 3, stride=1, padding=1)
        return torch.cat([F.relu(self.b1(x)), F.relu(self.b3(x)), F.relu(self.b5(x)),
                          F.relu(self.bp(p))], dim=1)


class TinyInception(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.inc1 = Inception(8, 4, 6, 2, 2)
        self.inc2 = Inception(14, 6, 8, 4, 4)
        self.head = nn.Linear(22, 5)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = self.inc2(self.inc1(x))
        x = F.adaptive_avg_pool2d(x, 1)
        x = x.view(x.size(0), -1)
        return F.log_softmax(self.head(x), dim=1)


class Functional(nn.Module):
    """The functional calls people write: view/reshape to flat, mean, *, +, dropout."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3)
        self.gate = nn.Conv2d(2, 4, 3)
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        a = self.conv(x)
        g = torch.sigmoid(self.gate(x))
        y = a * g + a
        y = y.mean((2, 3))
        y = F.dropout(F.gelu(self.fc1(y)), 0.2, self.training)
        y = y.reshape(-1, 16)
        return torch.tanh(self.fc2(y))


class Unsupported(nn.Module):
    """A Hardtanh module and two calls netbuilder has no layer for."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.act = nn.Hardtanh()

    def forward(self, x):
        y = self.act(self.fc(x))
        y = torch.cumsum(y, dim=1)
        return y.clamp(min=0.5)


class DataDependent(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        y = self.fc(x)
        if y.sum() > 0:
            return torch.relu(y)
        return y


# torchvision's MobileNetV2, DenseNet and SqueezeNet, written as torchvision writes them
# (Conv2dNormActivation is an nn.Sequential subclass; a DenseLayer takes a list), scaled down.

class ConvNormAct(nn.Sequential):
    def __init__(self, cin, cout, k=3, stride=1, groups=1):
        super().__init__(
            nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, t):
        super().__init__()
        hidden = inp * t
        self.use_res_connect = stride == 1 and inp == oup
        layers = [ConvNormAct(inp, hidden, k=1)] if t != 1 else []
        layers += [ConvNormAct(hidden, hidden, stride=stride, groups=hidden),
                   nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            ConvNormAct(3, 8, stride=2), InvertedResidual(8, 8, 1, 1),
            InvertedResidual(8, 12, 2, 6), InvertedResidual(12, 12, 1, 6),
            InvertedResidual(12, 16, 2, 6), InvertedResidual(16, 16, 1, 6),
            ConvNormAct(16, 32, k=1))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, 10))

    def forward(self, x):
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


class DenseLayer(nn.Module):
    def __init__(self, cin, growth):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(cin)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(cin, growth, 3, padding=1, bias=False)

    def forward(self, prev):
        x = torch.cat(prev, 1)
        return self.conv1(self.relu1(self.norm1(x)))


class DenseBlock(nn.ModuleDict):
    def __init__(self, n, cin, growth):
        super().__init__()
        for i in range(n):
            self.add_module(f"denselayer{i + 1}", DenseLayer(cin + i * growth, growth))

    def forward(self, init):
        feats = [init]
        for _, layer in self.items():
            feats.append(layer(feats))
        return torch.cat(feats, 1)


class DenseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 8, 3, padding=1)
        self.block1 = DenseBlock(3, 8, 4)
        self.block2 = DenseBlock(2, 20, 4)
        self.fc = nn.Linear(28, 5)

    def forward(self, x):
        x = self.block2(self.block1(self.conv0(x)))
        x = F.relu(x, inplace=True)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        return self.fc(torch.flatten(x, 1))


class Fire(nn.Module):
    def __init__(self, cin, s, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, s, 1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(s, e1, 1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(s, e3, 3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


class Squeeze(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, ceil_mode=True), Fire(16, 4, 8, 8), Fire(16, 4, 8, 8),
            Fire(16, 6, 12, 12))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(24, 10, 1),
                                        nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """torchvision's shufflenetv2.channel_shuffle, line for line."""
    batchsize, num_channels, height, width = x.size()
    channels_per_group = num_channels // groups
    x = x.view(batchsize, groups, channels_per_group, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    x = x.view(batchsize, -1, height, width)
    return x


class ShuffleUnit(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 1, groups=3)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, groups=channels)

    def forward(self, x):
        return x + self.conv2(channel_shuffle(F.relu(self.conv1(x)), 3))


class ShuffleNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 12, 3, padding=1)
        self.stage = nn.Sequential(ShuffleUnit(12), ShuffleUnit(12))
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        x = self.stage(self.stem(x))
        return self.fc(x.mean([2, 3]))


def build_resnet() -> nn.Module:
    torch.manual_seed(0)
    return ResNetTV()


def build_inception() -> nn.Module:
    torch.manual_seed(0)
    return TinyInception()


not_a_module = 42


def returns_a_string() -> str:
    return "a string"
