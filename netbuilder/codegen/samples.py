"""Example inputs for a network: a seeded random batch, token ids inside the vocabulary.

Used to trace the module for ONNX, to compare onnxruntime with PyTorch, and by tests and
benchmarks. Float inputs are standard normal; int64 inputs are token ids in
``[0, id_limit)`` where ``id_limit`` is the smallest Embedding that reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .plan import InputArg

if TYPE_CHECKING:
    import torch


def example_inputs(inputs: list[InputArg], batch: int = 2, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """One tensor per forward argument, with ``batch`` samples."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    out = []
    for i in inputs:
        size = (batch, *i.tensor.shape)
        if i.id_limit is not None:
            out.append(torch.randint(0, i.id_limit, size, generator=gen, dtype=torch.int64))
        else:
            out.append(torch.randn(size, generator=gen))
    return tuple(out)
