"""Finding a dataset by name (shipped sets) or by path (the user's files).

A path is read by the reader its extension or folder layout calls for; ``format=...``
forces one of ``csv``, ``npz``, ``mnist``, ``cifar10``, ``image_folder``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.builtin import BUILTIN
from netbuilder.runtime.datasets.cifar import cifar_folder, load_cifar10
from netbuilder.runtime.datasets.class_split import CLASS_SPLITS
from netbuilder.runtime.datasets.csv_reader import load_csv
from netbuilder.runtime.datasets.idx import load_idx, looks_like_mnist_folder
from netbuilder.runtime.datasets.image_folder import class_folders, load_image_folder
from netbuilder.runtime.datasets.npz_reader import load_npz
from netbuilder.runtime.datasets.synthetic import GENERATED
from netbuilder.runtime.errors import DatasetError

SHIPPED: dict[str, tuple[DatasetInfo, Callable[..., Dataset]]] = {**BUILTIN, **CLASS_SPLITS,
                                                                   **GENERATED}
READERS: dict[str, Callable[..., Dataset]] = {
    "csv": load_csv,
    "npz": load_npz,
    "mnist": load_idx,
    "cifar10": load_cifar10,
    "image_folder": load_image_folder,
}
FORMATS_HELP = (
    "a CSV file, an .npz archive, MNIST IDX files (or their folder), CIFAR-10 binary "
    "batches (or their folder), or a folder with one subfolder of images per class"
)


def list_datasets() -> list[DatasetInfo]:
    """The datasets shipped with netbuilder (no download needed), in display order."""
    return [info for info, _ in SHIPPED.values()]


def detect_format(path: Path) -> str:
    """Which reader fits ``path``: a key of READERS, or a DatasetError saying what was found."""
    if path.is_dir():
        if looks_like_mnist_folder(path):
            return "mnist"
        if cifar_folder(path) is not None:
            return "cifar10"
        if class_folders(path):
            return "image_folder"
        raise DatasetError(f"{path}: this folder holds no dataset netbuilder can read; expected {FORMATS_HELP}")
    name = path.name.lower()
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".npz":
        return "npz"
    if "idx1" in name or "idx3" in name or suffix in (".idx", ".idx3"):
        return "mnist"
    if suffix == ".bin":
        return "cifar10"
    raise DatasetError(f"{path.name}: cannot tell the format from the name; expected {FORMATS_HELP}")


def load_dataset(name_or_path: str | Path, **options: Any) -> Dataset:
    """A shipped dataset by name (see :func:`list_datasets`) or the user's file or folder."""
    key = str(name_or_path)
    if key in SHIPPED and not Path(key).exists():
        return SHIPPED[key][1](**options)
    path = Path(key).expanduser()
    if not path.exists():
        close = difflib.get_close_matches(key, list(SHIPPED), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise DatasetError(
            f"'{key}' is neither a shipped dataset nor an existing file or folder. Expected "
            f"one of {', '.join(SHIPPED)}, or a path to {FORMATS_HELP}.{hint}"
        )
    fmt = options.pop("format", None)
    if fmt is None:
        fmt = detect_format(path)
    if fmt not in READERS:
        raise DatasetError(
            f"option format={fmt!r} is unknown; expected one of {', '.join(READERS)}"
        )
    if fmt == "mnist" and "idx1" in path.name.lower():
        raise DatasetError(
            f"{path.name}: this is an MNIST labels file; give the images file "
            f"(…-images-idx3-ubyte) or the folder holding both"
        )
    return READERS[fmt](path, **options)
