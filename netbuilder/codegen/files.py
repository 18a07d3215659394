"""Writing output files so that a failure never leaves a partial or unverified file.

A thin front to ``netbuilder.graph.atomic``, the one writer of every netbuilder file: text
is written atomically; exporters that need a file name write into ``staging(path)`` (a
hidden folder beside the destination) and ``publish`` moves the result into place.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..graph.atomic import publish, staged, write_text

__all__ = ["publish", "staging", "write_text_atomic"]

staging = staged


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; WriteError (an OSError) says why not."""
    return write_text(path, text)
