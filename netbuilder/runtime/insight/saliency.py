"""Which input pixels a prediction depends on, and what input a unit likes best.

``saliency``: the gradient of a class score with respect to the input (Simonyan et al.,
2013), its magnitude taken over channels. ``gradient_ascent``: an input that maximises a
channel's mean activation or a class score, found by gradient ascent with the usual
regularisers (a random jitter each step, a light blur every few steps, an L2 penalty), the
lecture's "generating images by gradient ascent"; ``strongest_samples`` gives the real
samples that excite the same unit most, to set beside it.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from netbuilder.runtime.insight.probe import NodePath, Prober, as_path


def saliency(prober: Prober, x: torch.Tensor, target_class: int) -> np.ndarray:
    """|d score / d input| for one sample: (H, W) for images, (features...) otherwise."""
    if x.is_floating_point() is False:
        raise ValueError("saliency needs real-valued inputs; token ids have no gradient")
    inp = x[:1].detach().clone().requires_grad_(True)
    out, _ = prober.forward(inp, grad=True)
    score = out.reshape(1, -1)[0, target_class]
    (grad,) = torch.autograd.grad(score, inp)
    g = grad[0].abs()
    if g.dim() == 3:                       # C x H x W: the strongest channel per pixel
        g = g.amax(dim=0)
    return g.detach().cpu().numpy()


def _unit_score(out: torch.Tensor, seen: dict, node: NodePath | None, unit: int) -> torch.Tensor:
    value = out if node is None else seen[node]
    value = value.reshape(value.shape[0], value.shape[1], -1) if value.dim() > 2 else value.unsqueeze(-1)
    return value[:, unit].mean()


def gradient_ascent(prober: Prober, node: str | NodePath | None, unit: int,
                    sample_shape: tuple[int, ...], *, steps: int = 60, lr: float = 0.1,
                    l2: float = 1e-3, jitter: int = 1, blur_every: int = 4,
                    seed: int = 0) -> np.ndarray:
    """An input that excites ``unit`` (a channel of ``node``, or a class when node is None)."""
    generator = torch.Generator().manual_seed(seed)
    x = (0.01 * torch.randn((1, *sample_shape), generator=generator)).to(prober.device)
    x.requires_grad_(True)
    wanted = [] if node is None else [as_path(node)]
    path = None if node is None else as_path(node)
    image = x.dim() == 4
    for step in range(steps):
        shifted = x
        if image and jitter:
            dy, dx = (int(v) for v in torch.randint(-jitter, jitter + 1, (2,), generator=generator))
            shifted = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
        out, seen = prober.forward(shifted, wanted, grad=True)
        objective = _unit_score(out, seen, path, unit) - l2 * x.pow(2).sum()
        (grad,) = torch.autograd.grad(objective, x)
        with torch.no_grad():
            x += lr * grad / (grad.abs().mean() + 1e-8)
            if image and blur_every and step % blur_every == blur_every - 1:
                x.copy_(F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1))
    return x.detach()[0].cpu().numpy()


def strongest_samples(prober: Prober, x: torch.Tensor, node: str | NodePath | None, unit: int,
                      count: int = 6, batch_size: int = 256) -> list[int]:
    """Positions in ``x`` of the samples whose activation of ``unit`` is highest."""
    scores = []
    wanted = [] if node is None else [as_path(node)]
    path = None if node is None else as_path(node)
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            out, seen = prober.forward(x[start:start + batch_size], wanted)
            value = out if path is None else seen[path]
            value = value.reshape(value.shape[0], value.shape[1], -1).mean(dim=2) \
                if value.dim() > 2 else value
            scores.append(value[:, unit].float().cpu())
    if not scores:
        return []
    return [int(i) for i in torch.cat(scores).argsort(descending=True)[:count]]
