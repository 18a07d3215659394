"""Small helpers shared by the shape rules of the catalogue."""

from __future__ import annotations

from ..errors import ShapeError
from ..tensor import Tensor, describe, fmt_shape
from ..words import plural  # noqa: F401 - the layers take it from here


def need_ndim(layer: str, t: Tensor, ndims: tuple[int, ...], layout: str, hint: str = "") -> None:
    """Refuse an input whose number of dimensions (batch excluded) is not in ``ndims``."""
    if t.ndim not in ndims:
        msg = f"{layer} needs input {layout}; received {describe(t)}"
        raise ShapeError(msg + (f". {hint}" if hint else ""))


def torch_dim(layer: str, name: str, dim: int, t: Tensor, *, allow_batch: bool = False) -> int:
    """Normalise a torch dim (batch included, negatives allowed) to an index into t.shape.

    Returns -1 for the batch dimension when ``allow_batch``.
    """
    nd = t.ndim + 1
    if not -nd <= dim < nd:
        raise ShapeError(
            f"{layer} {name}={dim} is out of range for input {fmt_shape(t.shape)} with the batch "
            f"dimension ({nd} dimensions: valid dims are {-nd}..{nd - 1})"
        )
    d = dim + nd if dim < 0 else dim
    if d == 0 and not allow_batch:
        raise ShapeError(
            f"{layer} {name}={dim} is the batch dimension; pick a dimension of the sample "
            f"(1..{nd - 1}, or negative from the end)"
        )
    return d - 1


def size_words(v, n: int = 1) -> str:
    """``5`` (n=2) -> ``5x5``; ``(3, 5)`` -> ``3x5``: a size as a student writes it."""
    if isinstance(v, tuple):
        return "x".join(str(x) for x in v)
    return "x".join([str(v)] * n)
