"""Where and how batches run: the device plus the CUDA-only speed settings that apply."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Placement:
    """The device, and whether bf16 autocast and channels_last are in effect on it."""

    device: torch.device
    mixed_precision: bool = False
    channels_last: bool = False

    def autocast(self) -> contextlib.AbstractContextManager[object]:
        if not self.mixed_precision:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=torch.bfloat16)

    def batch(self, x: torch.Tensor) -> torch.Tensor:
        if self.channels_last and x.dim() == 4:
            return x.contiguous(memory_format=torch.channels_last)
        return x


def choose_placement(device: torch.device, *, mixed_precision: bool, channels_last: bool,
                     image_data: bool) -> Placement:
    """CUDA gets bf16 autocast (when the GPU supports it); CUDA and the CPU get channels_last
    for image batches (measured on this project's CPU: 8-25% more samples/s for small
    CNNs with oneDNN). MPS keeps the defaults."""
    layout = channels_last and image_data and device.type in ("cuda", "cpu")
    if device.type != "cuda":
        return Placement(device, channels_last=layout)
    bf16 = mixed_precision and torch.cuda.is_bf16_supported()
    return Placement(device, mixed_precision=bf16, channels_last=layout)
