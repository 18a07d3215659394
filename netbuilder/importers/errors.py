"""The error an import raises: one message naming what was expected and what was received."""

from __future__ import annotations

from ..graph.errors import NetbuilderError


class ModelImportError(NetbuilderError):
    """A model file cannot be imported (unreadable, unsafe, unsupported or not matching)."""


class Unsupported(Exception):
    """One ONNX node has no mapping; collected so the refusal names every one of them."""

    def __init__(self, op_type: str, node: str, why: str = "") -> None:
        self.op_type, self.node, self.why = op_type, node, why
        super().__init__(self.text())

    def text(self) -> str:
        return f"{self.op_type} '{self.node}'" + (f" ({self.why})" if self.why else "") \
            + " is not supported"
