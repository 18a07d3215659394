"""Helpers shared by the file readers: reading bytes, gunzipping, naming files in errors."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from netbuilder.runtime.errors import DatasetError

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes, gunzipped when they start with the gzip magic."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found; expected {what}") from None
    except IsADirectoryError:
        raise DatasetError(f"{path}: is a folder; expected a file with {what}") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(
                f"{path.name}: starts like a gzip file but cannot be decompressed ({exc}); "
                f"expected {what}. The download may be incomplete: fetch the file again"
            ) from None
    return data
