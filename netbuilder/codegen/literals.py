"""Plain values and free text rendered safely into Python source.

Two doors lead from a project file into generated code, and both are guarded here:

* parameter values become Python literals through ``literal``, which accepts only None,
  bools, ints, finite floats, strings (rendered with ``repr``, which always escapes) and
  tuples of these; anything else is refused;
* free text (project name, labels) becomes comments through ``comment_text``, which escapes
  every character that could end a comment line (newlines, carriage returns, the Unicode
  line and paragraph separators, control and bidi-format characters) and shortens it.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import CompileError

MAX_COMMENT = 100


class Ref:
    """A name standing for a value in generated code: an ``__init__`` argument of a block
    class (``nn.Conv2d(in_channels, channels, 3)``). Only identifiers made by
    ``names.Namespace`` are ever wrapped."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        if not (name.isascii() and name.isidentifier()):
            raise CompileError(f"{name!r} is not an identifier")
        self.name = name

    def __repr__(self) -> str:
        return f"Ref({self.name!r})"


def literal(value: Any) -> str:
    """``(3, 3)`` -> ``'(3, 3)'``; lists are written as tuples. CompileError for other types."""
    if isinstance(value, Ref):
        return value.name
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CompileError(f"cannot write the value {value!r} into code: use a finite number")
        return repr(float(value))
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, tuple | list):
        items = [literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise CompileError(f"cannot write a value of type {type(value).__name__} into code; "
                       "parameters must be numbers, true/false, text or lists of numbers")


def call(func: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    """``nn.Conv2d(1, 6, 5, padding=2)``; keyword names must already be identifiers."""
    parts = [literal(a) for a in args]
    for k, v in kwargs.items():
        if not (k.isascii() and k.isidentifier()):
            raise CompileError(f"parameter name {k!r} is not a Python identifier")
        parts.append(f"{k}={literal(v)}")
    return f"{func}({', '.join(parts)})"


def comment_text(text: str, limit: int = MAX_COMMENT) -> str:
    """Text that is safe on one comment line: non-printable characters escaped, shortened
    (never in the middle of an escape)."""
    out: list[str] = []
    size = 0
    pieces = [_comment_char(ch) for ch in text]
    total = sum(len(p) for p in pieces)
    for piece in pieces:
        if total > limit and size + len(piece) > limit - 3:
            out.append("...")
            break
        out.append(piece)
        size += len(piece)
    return "".join(out)


def _comment_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch.isprintable():
        return ch
    code = ord(ch)
    return (f"\\x{code:02x}" if code < 0x100 else
            f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
