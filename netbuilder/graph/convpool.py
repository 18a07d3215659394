"""Output-size arithmetic of convolution and pooling, explained with the user's numbers.

One helper serves Conv1d/2d, ConvTranspose2d and every pooling layer, as in ONNX's
``convPoolShapeInference``. Each function returns the size and the lines a student reads in
the inspector, e.g. ``H_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ShapeError
from .spec import LayerWarning


@dataclass
class SizeResult:
    size: int
    formula: list[str]
    warning: str | None = None


def _course(axis: str, x: int, k: int, p: int, s: int, size: int) -> str:
    return f"   (course form: {axis}_out = ({axis} - F + 2P)/S + 1 = ({x} - {k} + 2*{p})/{s} + 1 = {size})"


def conv_size(
    axis: str, x: int, k: int, s: int, p: int, d: int, *, ceil: bool = False, what: str = "kernel"
) -> SizeResult:
    """``floor((x + 2p - d(k-1) - 1)/s) + 1`` (or ceil, for pooling's ceil_mode)."""
    span = d * (k - 1) + 1
    num = x + 2 * p - d * (k - 1) - 1
    if ceil:
        # ceil_mode lets the last window hang over the edge, as long as it starts inside
        # the input or the left padding (PyTorch's pooling_output_shape).
        size = -(-num // s) + 1
        if (size - 1) * s >= x + p:
            size -= 1
    else:
        size = num // s + 1
    if size < 1:
        padded = f"{x} + 2*{p} padding = {x + 2 * p}" if p else f"{x}"
        eff = f", a {k}-wide {what} with dilation {d}" if d > 1 else ""
        raise ShapeError(
            f"the {what} ({span}{eff}) is larger than the input along {axis} "
            f"({padded}): use a smaller kernel_size or more padding"
        )
    op = "ceil" if ceil else "floor"
    line = (f"{axis}_out = {op}(({x} + 2*{p} - {d}*({k}-1) - 1) / {s}) + 1 = {size}")
    formula = [line]
    if d == 1 and not ceil:
        formula.append(_course(axis, x, k, p, s, size))
    warning = None
    # The floor leaves the last ``rem`` rows of the padded input uncovered; only those
    # beyond the right padding are real input that the layer never sees.
    # A window narrower than the stride skips rows all along (that is the point of a
    # strided 1x1 shortcut); warn only when the windows would otherwise cover everything.
    lost = num % s - p
    if lost > 0 and not ceil and span >= s:
        unit = {"H": "row", "W": "column"}.get(axis, "position")
        warning = LayerWarning(
            f"{axis}: ({x} + 2*{p} - {span}) / {s} = {num}/{s} is not a whole number, so the "
            f"last {lost} {unit}{'s' if lost > 1 else ''} of the input "
            f"{'are' if lost > 1 else 'is'} never covered by the {what} (floor drops "
            f"{'them' if lost > 1 else 'it'})", "inexact"
        )
    return SizeResult(size, formula, warning)


def same_size(axis: str, x: int) -> SizeResult:
    return SizeResult(x, [f"{axis}_out = {axis} = {x}  (padding='same' keeps the size)"])


def transpose_size(axis: str, x: int, k: int, s: int, p: int, op: int, d: int) -> SizeResult:
    size = (x - 1) * s - 2 * p + d * (k - 1) + op + 1
    line = f"{axis}_out = ({x}-1)*{s} - 2*{p} + {d}*({k}-1) + {op} + 1 = {size}"
    if size <= 0:
        raise ShapeError(
            f"the output along {axis} would be {size} ({line}): reduce padding or increase stride"
        )
    return SizeResult(size, [line])


def adaptive_formula(axis: str, x: int, out: int) -> str:
    return f"{axis}_out = output_size = {out}  (windows adapt to the input: {x} -> {out})"


def axes(n: int) -> tuple[str, ...]:
    return ("L",) if n == 1 else ("H", "W") if n == 2 else ("D", "H", "W")[:n]


# -- the same arithmetic solved for a parameter (the fixes of graph/fixes.py) ---------------

def output_size(x: int, k: int, s: int, p: int, d: int, *, ceil: bool = False) -> int | None:
    """``conv_size``'s size, or None where the kernel does not fit."""
    try:
        return conv_size("L", x, k, s, p, d, ceil=ceil).size
    except ShapeError:
        return None


def largest_kernel(x: int, s: int, p: int, d: int, below: int) -> int | None:
    """The largest kernel_size under ``below`` that fits ``x`` (with padding ``p``)."""
    # d*(k-1) + 1 <= x + 2p, solved for k; checked with conv_size itself.
    k = min(below - 1, (x + 2 * p - 1) // d + 1)
    while k >= 1 and output_size(x, k, s, p, d) is None:
        k -= 1
    return k if k >= 1 else None


def fitting_padding(x: int, k: int, s: int, d: int) -> int:
    """The smallest padding with which a ``k``-wide kernel fits an input of size ``x``."""
    return max(0, -(-(d * (k - 1) + 1 - x) // 2))


def keep_size_padding(k: int, d: int) -> int | None:
    """The padding that gives 'same' output at stride 1: d*(k-1)/2, when that is whole."""
    total = d * (k - 1)
    return None if total % 2 else total // 2


def exact_padding(x: int, k: int, s: int, p: int, d: int) -> int | None:
    """The smallest padding >= ``p`` with which the strided windows reach the last real row
    (what floor drops is then padding only: ``conv_size`` warns no more)."""
    for q in range(p, p + s + 1):
        num = x + 2 * q - d * (k - 1) - 1
        if num >= 0 and num % s <= q:
            return q
    return None
