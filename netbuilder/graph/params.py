"""Typed layer parameters: what a value may be, its default, and its valid range.

Two checks, kept apart on purpose:

* ``coerce`` checks the *type* of a value read from a file or typed in an editor and
  normalises it (lists become tuples). A wrong type is refused with ``ParamError``.
* ``range_problems`` checks a well-typed value against its range. An out-of-range value is
  a normal editing state: it becomes a diagnostic on the node, never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .errors import ParamError

# Kinds of parameter. Each maps to one editor in the inspector.
INT = "int"            # a whole number
FLOAT = "float"        # a real number
BOOL = "bool"
CHOICE = "choice"      # one of ``choices`` (strings)
INTS = "ints"          # an int or a list of ``n`` ints, as torch's kernel_size=3 or (3, 5)
PADDING = "padding"    # INTS, or one of the strings in ``choices`` ('same', 'valid')
SHAPE = "shape"        # a list of positive ints (Input.shape, Unflatten.unflattened_size)

Value = Any


@dataclass(frozen=True)
class ParamSpec:
    """One constructor argument of a layer, named as in torch.nn."""

    name: str
    kind: str
    default: Value
    help: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    n: int = 1                 # number of spatial dims for INTS / PADDING
    optional: bool = False     # None is a valid value (e.g. MaxPool2d stride)
    none_means: str = ""       # what None means, for the inspector ("same as kernel_size")
    torch: bool = True         # passed to the torch.nn constructor
    positional: bool = False   # written positionally in generated code
    allow_minus_one: bool = False  # SHAPE: one entry may be -1 (Unflatten)
    emit_always: bool = False  # written even at its default (our default differs from torch's)
    extra: dict = field(default_factory=dict)

    # -- type check ------------------------------------------------------------------
    def coerce(self, value: Value) -> Value:
        """Return the normalised value, or raise ParamError describing the expected type."""
        if value is None:
            if self.optional:
                return None
            raise ParamError(f"expected {self.expected()}, received null")
        k = self.kind
        if k == INT:
            return _int(value, self.expected())
        if k == FLOAT:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ParamError(f"expected {self.expected()}, received {_show(value)}")
            try:
                number = float(value)  # a whole number from a file may be beyond any float
            except OverflowError:
                raise ParamError(f"expected {self.expected()}, received a number too large: "
                                 f"{_show(value)}") from None
            if not math.isfinite(number):
                raise ParamError(f"expected a finite number, received {value}")
            return number
        if k == BOOL:
            if not isinstance(value, bool):
                raise ParamError(f"expected true or false, received {_show(value)}")
            return value
        if k == CHOICE:
            if not isinstance(value, str) or value not in self.choices:
                raise ParamError(f"expected {self.expected()}, received {_show(value)}")
            return value
        if k in (INTS, PADDING):
            if k == PADDING and isinstance(value, str):
                if value not in self.choices:
                    raise ParamError(f"expected {self.expected()}, received {_show(value)}")
                return value
            if isinstance(value, list | tuple):
                if len(value) != self.n:
                    raise ParamError(
                        f"expected {self.expected()}, received a list of {len(value)}")
                return tuple(_int(v, self.expected()) for v in value)
            return _int(value, self.expected())
        if k == SHAPE:
            if not isinstance(value, list | tuple):
                raise ParamError(f"expected {self.expected()}, received {_show(value)}")
            return tuple(_int(v, self.expected()) for v in value)
        raise AssertionError(f"unknown parameter kind {k!r}")

    def expected(self) -> str:
        k = self.kind
        if k == INT:
            return "a whole number"
        if k == FLOAT:
            return "a number"
        if k == BOOL:
            return "true or false"
        if k == CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if k == INTS:
            return "a whole number" + (f" or a list of {self.n} whole numbers" if self.n > 1 else "")
        if k == PADDING:
            s = "a whole number" + (f" or a list of {self.n}" if self.n > 1 else "")
            return s + ", or " + " or ".join(repr(c) for c in self.choices)
        if k == SHAPE:
            return "a list of whole numbers"
        return k

    # -- range check -------------------------------------------------------------------
    def range_problems(self, value: Value) -> list[str]:
        """Messages for a well-typed value outside this parameter's range."""
        if value is None or isinstance(value, str | bool):
            return []
        items = value if isinstance(value, tuple) else (value,)
        if self.kind == SHAPE:
            out = []
            if self.min is not None and len(items) == 0:
                return [f"{self.name} needs at least one dimension"]
            minus = [v for v in items if v == -1]
            if self.allow_minus_one and len(minus) > 1:
                out.append(f"{self.name} may contain -1 only once; received {list(items)}")
            for v in items:
                if v == -1 and self.allow_minus_one:
                    continue
                if v < 1:
                    out.append(f"every entry of {self.name} must be at least 1; received {list(items)}")
                    break
            return out
        for v in items:
            if self.min is not None and v < self.min:
                return [f"{self.name} must be at least {_num(self.min)}; received {_show(value)}"]
            if self.max is not None and v > self.max:
                return [f"{self.name} must be at most {_num(self.max)}; received {_show(value)}"]
        return []

    def to_json(self, value: Value) -> Value:
        return list(value) if isinstance(value, tuple) else value


# torch stores sizes, dims and ids as 64-bit integers; beyond that nothing can be built.
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _int(v: Value, expected: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise ParamError(f"expected {expected}, received {_show(v)}")
    if not _INT64_MIN <= v <= _INT64_MAX:
        raise ParamError(f"expected {expected}, received a number too large for PyTorch "
                         f"(beyond 2^63): {_show(v)}")
    return v


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _show(v: Value) -> str:
    if isinstance(v, str):
        return repr(v) if len(v) < 40 else repr(v[:37] + "...")
    if isinstance(v, tuple):
        v = list(v)
    text = str(v).replace("True", "true").replace("False", "false").replace("None", "null")
    return text if len(text) < 60 else text[:57] + "..."


def as_tuple(v: int | tuple[int, ...], n: int) -> tuple[int, ...]:
    """torch's ``_pair``/``_single``: 3 -> (3, 3)."""
    return tuple(v) if isinstance(v, tuple) else (v,) * n
