"""Reading MNIST / Fashion-MNIST from their IDX files (gzipped or not).

Give the images file (its labels file is found by the standard name) or the folder holding
the standard four files ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
``t10k-images-idx3-ubyte[.gz]`` and ``t10k-labels-idx1-ubyte[.gz]``.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import torch

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.files import read_bytes
from netbuilder.runtime.datasets.options import optional_limit, take_options
from netbuilder.runtime.errors import DatasetError

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
FASHION_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
PREFIXES = {"train": ("train",), "test": ("t10k",), "all": ("train", "t10k")}
DEFAULTS = {"subset": "train", "limit": None, "class_names": None}


def read_idx(path: Path, magic: int, what: str) -> np.ndarray:
    """The uint8 array stored in an IDX file whose header starts with ``magic``."""
    data = read_bytes(path, what)
    ndim = magic & 0xFF
    if len(data) < 4:
        raise DatasetError(
            f"{path.name}: expected IDX magic 0x{magic:08x} ({what}), found only "
            f"{len(data)} byte(s)"
        )
    found = struct.unpack(">I", data[:4])[0]
    if found != magic:
        raise DatasetError(
            f"{path.name}: expected IDX magic 0x{magic:08x} ({what}), found 0x{found:08x}"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(
            f"{path.name}: expected a {header}-byte IDX header, the file has {len(data)} bytes"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(dims, dtype=object))
    if len(data) - header != expected:
        raise DatasetError(
            f"{path.name}: the header announces {'x'.join(map(str, dims))} = {expected} "
            f"bytes of data, the file holds {len(data) - header}; the file is truncated "
            f"or damaged: fetch it again"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _find(folder: Path, prefix: str, kind: str) -> Path:
    stem = f"{prefix}-{kind}-idx{3 if kind == 'images' else 1}-ubyte"
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    raise DatasetError(
        f"{folder}: expected the MNIST file {stem}.gz (or {stem}) in this folder, found "
        f"none; the standard files are train-images-idx3-ubyte.gz, "
        f"train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"
    )


def labels_path_for(images: Path) -> Path:
    """``train-images-idx3-ubyte.gz`` -> the labels file beside it (must exist)."""
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    candidates = [images.with_name(name)]
    if name.endswith(".gz"):
        candidates.append(images.with_name(name[:-3]))
    else:
        candidates.append(images.with_name(name + ".gz"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DatasetError(
        f"{images.name}: expected its labels file {candidates[0].name} beside it, found "
        f"none; put the labels file in the same folder"
    )


def looks_like_mnist_folder(folder: Path) -> bool:
    return any(folder.glob("train-images?idx3-ubyte*")) or any(folder.glob("t10k-images?idx3-ubyte*"))


def _pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(images_path, IMAGES_MAGIC, "images: unsigned bytes, 3 dimensions")
    labels = read_idx(labels_path, LABELS_MAGIC, "labels: unsigned bytes, 1 dimension")
    if len(images) == 0:
        raise DatasetError(f"{images_path.name}: the header announces 0 images; expected at least one")
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path.name} holds {len(images)} images but {labels_path.name} holds "
            f"{len(labels)} labels; expected one label per image"
        )
    return images, labels


def load_idx(path: Path, **options: Any) -> Dataset:
    """MNIST-format images and labels from a folder or an images file."""
    opts = take_options(f"MNIST data {path.name}", options, DEFAULTS)
    limit = optional_limit(path.name, opts["limit"])
    if path.is_dir():
        subset = opts["subset"]
        if subset not in PREFIXES:
            raise DatasetError(
                f"{path.name}: option 'subset' must be 'train', 'test' or 'all', "
                f"received {subset!r}"
            )
        pairs = [(_find(path, p, "images"), _find(path, p, "labels")) for p in PREFIXES[subset]]
        folder = path
    else:
        pairs = [(path, labels_path_for(path))]
        folder = path.parent
    parts = [_pair(i, lab) for i, lab in pairs]
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    names = opts["class_names"]
    if names is None:
        fashion = "fashion" in str(folder).lower()
        names = FASHION_NAMES if fashion else tuple(str(i) for i in range(10))
    names = tuple(str(n) for n in names)
    if len(labels) and int(labels.max()) >= len(names):
        raise DatasetError(
            f"{pairs[0][1].name}: expected labels 0..{len(names) - 1}, found "
            f"{int(labels.max())}; pass class_names=[...] for a dataset with more classes"
        )
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    info = DatasetInfo(
        name=folder.name or path.stem,
        title=f"{folder.name or path.name} (MNIST format)",
        task="classification",
        sample_shape=tuple(x.shape[1:]),
        num_classes=len(names),
        class_names=names,
        description=f"{len(x)} {images.shape[1]}x{images.shape[2]} grayscale images "
        f"from IDX files in {folder}.",
        source=str(path),
    )
    return Dataset(x, torch.from_numpy(labels.astype(np.int64)), info)
