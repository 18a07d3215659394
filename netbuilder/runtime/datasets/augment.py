"""Image augmentation applied to whole batches on the device (no per-sample Python loops).

Random crop with zero padding (shift each image by up to ``padding`` pixels) and random
horizontal flip, both for batches shaped (N, C, H, W), driven by a torch.Generator so a
seed gives the same augmentation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_crop(x: torch.Tensor, padding: int, generator: torch.Generator) -> torch.Tensor:
    """Each image padded by ``padding`` zeros and cropped back at a random offset."""
    if padding <= 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (padding, padding, padding, padding))
    shifts = torch.randint(0, 2 * padding + 1, (2, n), generator=generator, device=generator.device)
    shifts = shifts.to(x.device)
    rows = shifts[0][:, None] + torch.arange(h, device=x.device)  # (N, H)
    cols = shifts[1][:, None] + torch.arange(w, device=x.device)  # (N, W)
    batch = torch.arange(n, device=x.device)[:, None, None]
    # advanced indexing puts the indexed axes first: (N, H, W, C) -> back to (N, C, H, W)
    out = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]]
    return out.permute(0, 3, 1, 2).contiguous(memory_format=_format_of(x))


def random_hflip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image mirrored left-right with probability 1/2."""
    flip = torch.rand(x.shape[0], generator=generator, device=generator.device) < 0.5
    return torch.where(flip.to(x.device)[:, None, None, None], x.flip(3), x)


def augment_batch(
    x: torch.Tensor, *, crop_padding: int, hflip: bool, generator: torch.Generator
) -> torch.Tensor:
    """Apply the configured augmentations to an image batch; other shapes pass through."""
    if x.dim() != 4:
        return x
    if crop_padding > 0:
        x = random_crop(x, crop_padding, generator)
    if hflip:
        x = random_hflip(x, generator)
    return x


def _format_of(x: torch.Tensor) -> torch.memory_format:
    if x.is_contiguous(memory_format=torch.channels_last) and not x.is_contiguous():
        return torch.channels_last
    return torch.contiguous_format
