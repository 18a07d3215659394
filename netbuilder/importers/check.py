"""The one check every importer makes before it compiles what it built."""

from __future__ import annotations

from ..graph.analysis import Analysis, analyze
from ..graph.model import Graph
from .errors import ModelImportError


def checked_import(graph: Graph, where: str) -> Analysis:
    """The analysis of an imported graph; ModelImportError naming the first problems (and
    that nothing was written) when it does not check."""
    analysis = analyze(graph)
    if not analysis.valid:
        errors = "; ".join(f"{d.node}: {d.message}" if d.node else d.message
                           for d in analysis.errors[:5])
        raise ModelImportError(f"{where}: the imported graph does not check: {errors}; "
                               "nothing was written")
    return analysis
