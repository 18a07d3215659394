"""The value that flows along a wire during inference: a shape (batch excluded) and a dtype."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from .words import plural

FLOAT = "float32"
INT = "int64"


@dataclass(frozen=True, slots=True)
class Tensor:
    """Shape of one sample (batch dimension excluded) and its element type."""

    shape: tuple[int, ...]
    dtype: str = FLOAT

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        return prod(self.shape)

    def __str__(self) -> str:
        return fmt_shape(self.shape)


def fmt_shape(shape: tuple[int, ...] | list[int] | None) -> str:
    """``(6, 28, 28)`` -> ``6x28x28``; unknown -> ``?``."""
    if shape is None:
        return "?"
    if len(shape) == 0:
        return "scalar"
    return "x".join(str(d) for d in shape)


def describe(t: Tensor) -> str:
    """A shape with its number of dimensions, for error messages."""
    n = t.ndim
    return f"{fmt_shape(t.shape)} ({plural(n, 'dimension')})"
