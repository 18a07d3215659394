"""Typed errors raised by codegen: compiling a graph, exporting it, loading trained weights.

Every message says what is wrong and what to do about it; the CLI and the UI print
``str(error)`` as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..graph.errors import NetbuilderError


class CompileError(NetbuilderError):
    """The graph cannot be turned into PyTorch code (it is invalid, or has nothing to compute).

    ``diagnostics`` holds the analysis' error messages, one per problem, each prefixed with
    the node it belongs to.
    """

    def __init__(self, message: str, diagnostics: Sequence[str] = ()) -> None:
        self.diagnostics = list(diagnostics)
        text = message
        if self.diagnostics:
            text += ":\n" + "\n".join(f"  - {d}" for d in self.diagnostics)
        super().__init__(text)


class ExportError(NetbuilderError):
    """An export failed or did not verify; no output file was left behind."""


class WeightsError(ExportError):
    """A checkpoint cannot be read, or its weights do not fit the network."""


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first non-empty line of an exception's message (its type name if none), shortened.

    Exceptions from torch and the exporters carry pages of context; a user needs one line.
    """
    lines = [s.strip() for s in str(exc).strip().splitlines() if s.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
