"""The error an import raises: one message naming what was expected and what was received."""

from __future__ import annotations

from ..graph.errors import NetbuilderError


class ModelImportError(NetbuilderError):
    """A model file cannot be imported (unreadable, unsafe, unsupported or not matching).

    ``str()`` is the whole message; when nodes have no mapping, ``head`` is its first
    sentence and ``problems`` names each node, for a terminal or a dialog to lay out."""

    def __init__(self, message: str, problems: list[str] | tuple[str, ...] = (),
                 head: str = "") -> None:
        super().__init__(message)
        self.problems = list(problems)
        self.head = head or message

    def by_type(self) -> str:
        """``Transpose (12 nodes), Squeeze (3 nodes)``: the problems counted per op type."""
        counts: dict[str, int] = {}
        for p in self.problems:
            op = p.split(" ", 1)[0]
            counts[op] = counts.get(op, 0) + 1
        return ", ".join(f"{op} ({n} node{'s' if n > 1 else ''})" for op, n in counts.items())


class Unsupported(Exception):
    """One ONNX node has no mapping; collected so the refusal names every one of them."""

    def __init__(self, op_type: str, node: str, why: str = "") -> None:
        self.op_type, self.node, self.why = op_type, node, why
        super().__init__(self.text())

    def text(self) -> str:
        return f"{self.op_type} '{self.node}'" + (f" ({self.why})" if self.why else "") \
            + " is not supported"
