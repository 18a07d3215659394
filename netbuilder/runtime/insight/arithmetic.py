"""The arithmetic behind one output value of a convolution, with the network's own numbers.

CNN Explainer's lesson, for the student's layer: pick an output position (channel, row,
column); see the input patch under the kernel (after the layer's own padding), the kernel's
weights, the products, their sum and the bias, and check that they give exactly the value the
layer computed. Also the first layer's filters as small images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from netbuilder.runtime.insight.probe import NodePath, Prober


@dataclass(frozen=True, eq=False)
class ConvArithmetic:
    """``value = sum(patch * kernel) + bias`` for one output position of a Conv2d."""

    channel: int
    row: int
    col: int
    in_channels: list[int]         # the input channels this output channel reads (its group)
    patch: np.ndarray              # (len(in_channels), kh, kw): input under the kernel
    padding_mask: np.ndarray       # True where the patch lies in the padding
    kernel: np.ndarray             # same shape: the weights
    bias: float
    value: float                   # sum(patch * kernel) + bias, recomputed here
    layer_value: float             # what the layer itself computed at that position
    stride: tuple[int, int]
    dilation: tuple[int, int]
    top_left: tuple[int, int]      # where the patch starts in the padded input

    @property
    def products(self) -> np.ndarray:
        return self.patch * self.kernel

    def summary(self, digits: int = 3) -> str:
        """One line: ``Σ (C·kh·kw products) + bias = value``."""
        n = self.products.size
        return (f"sum of {n} products {self.products.sum():.{digits}f} + bias {self.bias:.{digits}f}"
                f" = {self.value:.{digits}f}")

    def terms(self, channel_index: int = 0, digits: int = 2) -> str:
        """The products of one input channel written out: ``0.12×0.50 + ...``."""
        p, k = self.patch[channel_index].ravel(), self.kernel[channel_index].ravel()
        return " + ".join(f"{a:.{digits}f}×{b:.{digits}f}" for a, b in zip(p, k, strict=True))


def conv_arithmetic(prober: Prober, node: str | NodePath, x: torch.Tensor,
                    channel: int, row: int, col: int) -> ConvArithmetic:
    """The arithmetic of output (channel, row, col) of the Conv2d at ``node`` for sample ``x``.

    ``x`` is one sample as fed to the network (batch of one). ValueError for a node that is
    not a Conv2d or a position outside its output.
    """
    conv = prober.module_at(node)
    if not isinstance(conv, torch.nn.Conv2d):
        raise ValueError(f"{node}: the arithmetic view explains Conv2d layers; this is "
                         f"{type(conv).__name__ if conv is not None else 'not a layer'}")
    inp, out = prober.io_of(node, x[:1])
    _, c_out, h_out, w_out = out.shape
    if not (0 <= channel < c_out and 0 <= row < h_out and 0 <= col < w_out):
        raise ValueError(f"position ({channel}, {row}, {col}) is outside the output "
                         f"{c_out}x{h_out}x{w_out}")
    pad = conv._reversed_padding_repeated_twice
    mode = "constant" if conv.padding_mode == "zeros" else conv.padding_mode
    padded = F.pad(inp, pad, mode=mode) if any(pad) else inp
    mask = F.pad(torch.zeros_like(inp[:, :1]), pad, value=1.0) if any(pad) else torch.zeros_like(inp[:, :1])
    kh, kw = conv.kernel_size
    sh, sw = conv.stride
    dh, dw = conv.dilation
    per_group_in = conv.in_channels // conv.groups
    group = channel // (conv.out_channels // conv.groups)
    chans = list(range(group * per_group_in, (group + 1) * per_group_in))
    r0, c0 = row * sh, col * sw
    rows = slice(r0, r0 + dh * (kh - 1) + 1, dh)
    cols = slice(c0, c0 + dw * (kw - 1) + 1, dw)
    patch = padded[0, chans][:, rows, cols].double()
    kernel = conv.weight[channel].detach().double()
    bias = float(conv.bias.detach()[channel]) if conv.bias is not None else 0.0
    value = float((patch * kernel).sum()) + bias
    in_padding = np.repeat(mask[0, 0, rows, cols].bool().numpy()[None], len(chans), axis=0)
    return ConvArithmetic(
        channel, row, col, chans, patch.numpy(), in_padding, kernel.numpy(), bias, value,
        float(out[0, channel, row, col]), (sh, sw), (dh, dw), (r0, c0))


def first_conv_filters(prober: Prober) -> tuple[NodePath, np.ndarray] | None:
    """The first Conv2d's filters, each scaled to 0..1 on its own (out, in, kh, kw)."""
    for path, module in prober._modules.items():
        if isinstance(module, torch.nn.Conv2d):
            w = module.weight.detach().float().cpu()
            flat = w.reshape(w.shape[0], -1)
            low = flat.min(dim=1).values.reshape(-1, 1, 1, 1)
            high = flat.max(dim=1).values.reshape(-1, 1, 1, 1)
            return path, ((w - low) / (high - low).clamp_min(1e-12)).numpy()
    return None
