"""Writing output files so that a failure never leaves a partial or unverified file.

Everything is first written into a hidden staging folder beside the destination (same file
system, so the final ``os.replace`` is atomic) and moved into place only when complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; OSError if the folder is not writable."""
    path = Path(path)
    with staging(path) as staged:
        staged.write_text(text, encoding="utf-8")
        publish(staged, path)
    return path


@contextmanager
def staging(path: Path) -> Iterator[Path]:
    """A path inside a hidden temporary folder next to ``path``, removed on exit.

    The staged file has the destination's own name, so companion files an exporter derives
    from it (ONNX external data: ``model.onnx.data``) keep their names when moved.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield folder / path.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(staged: Path, path: Path) -> None:
    """Move a staged file and any companions (``<name>.data`` ...) to their destination."""
    for f in sorted(staged.parent.iterdir()):
        if f != staged:
            os.replace(f, path.parent / f.name)
    os.replace(staged, path)
