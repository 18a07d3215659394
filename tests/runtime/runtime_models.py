"""Small real models the runtime tests train (plain torch.nn, no mocks)."""

from __future__ import annotations

import torch
from torch import nn


def small_cnn(classes: int = 10) -> nn.Module:
    """A ~14K-parameter CNN for 1x8x8 digits."""
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1), nn.ReLU(),
        nn.Conv2d(12, 24, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(24 * 4 * 4, 28), nn.ReLU(), nn.Linear(28, classes),
    )


def mlp(inputs: int, outputs: int, hidden: int = 32) -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


class CountingModel(nn.Module):
    """Wraps a model and counts its training-mode forward passes (one per batch)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.training_calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.training_calls += 1
        return self.inner(x)


class RaisesOutOfMemory(nn.Module):
    """A real module whose forward raises torch.OutOfMemoryError after ``after`` training calls."""

    def __init__(self, inner: nn.Module, after: int = 0) -> None:
        super().__init__()
        self.inner = inner
        self.after = after
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.calls += 1
            if self.calls > self.after:
                raise torch.OutOfMemoryError(
                    "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)"
                )
        return self.inner(x)


class Overflows(nn.Module):
    """Outputs infinity from the first batch: exp of a huge number."""

    def __init__(self, inputs: int, classes: int) -> None:
        super().__init__()
        self.linear = nn.Linear(inputs, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(self.linear(x.flatten(1)) + 1e4)
