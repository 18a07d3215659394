"""Reading CIFAR-10 in its *binary version* (never the pickled "python version").

Each record is 1 label byte followed by 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
row-major 32x32). Give one ``.bin`` file or the folder holding ``data_batch_1.bin`` ...
``data_batch_5.bin`` and ``test_batch.bin`` (the folder ``cifar-10-batches-bin`` or its
parent). Class names come from ``batches.meta.txt`` when present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.files import read_bytes
from netbuilder.runtime.datasets.options import optional_limit, take_options
from netbuilder.runtime.errors import DatasetError

RECORD = 1 + 3 * 32 * 32
CIFAR10_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
DEFAULTS = {"subset": "train", "limit": None}


def cifar_folder(path: Path) -> Path | None:
    """The folder holding the CIFAR-10 batches at or just below ``path``, if any."""
    for folder in (path, path / "cifar-10-batches-bin"):
        if (folder / "data_batch_1.bin").is_file() or (folder / "test_batch.bin").is_file():
            return folder
    return None


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 3, 32, 32) uint8 and labels (N,) uint8 from one binary batch file."""
    data = read_bytes(path, "CIFAR-10 binary records (1 label byte + 3072 pixel bytes each)")
    if not data or len(data) % RECORD:
        raise DatasetError(
            f"{path.name}: expected CIFAR-10 binary records of {RECORD} bytes each (1 label "
            f"byte + 3072 pixel bytes), but the file size {len(data)} is not a positive "
            f"multiple of {RECORD}; use the 'CIFAR-10 binary version', not the python one"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)
    labels = records[:, 0]
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise DatasetError(
            f"{path.name}: record {bad} has label byte {int(labels[bad])}, expected 0..9 "
            f"(CIFAR-10 binary version); a CIFAR-100 file has two label bytes per record"
        )
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def _class_names(folder: Path) -> tuple[str, ...]:
    meta = folder / "batches.meta.txt"
    if not meta.is_file():
        return CIFAR10_NAMES
    try:
        text = meta.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(
            f"{meta.name}: expected one class name per line (UTF-8 text), cannot read it: {exc}"
        ) from None
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(names) != 10:
        raise DatasetError(
            f"{meta.name}: expected 10 class names, one per line, found {len(names)}"
        )
    return names


def _batch_files(folder: Path, subset: Any) -> list[Path]:
    train = sorted(folder.glob("data_batch_*.bin"))
    test = [folder / "test_batch.bin"] if (folder / "test_batch.bin").is_file() else []
    chosen = {"train": train, "test": test, "all": train + test}.get(subset)
    if chosen is None:
        raise DatasetError(
            f"{folder.name}: option 'subset' must be 'train', 'test' or 'all', received {subset!r}"
        )
    if not chosen:
        raise DatasetError(
            f"{folder}: expected CIFAR-10 binary files for subset '{subset}' "
            f"(data_batch_1.bin ... data_batch_5.bin, test_batch.bin), found none"
        )
    return chosen


def load_cifar10(path: Path, **options: Any) -> Dataset:
    """CIFAR-10 images (3x32x32, 0..1) and labels from a folder or one batch file."""
    opts = take_options(f"CIFAR-10 data {path.name}", options, DEFAULTS)
    limit = optional_limit(path.name, opts["limit"])
    if path.is_dir():
        folder = cifar_folder(path) or path
        files = _batch_files(folder, opts["subset"])
    else:
        folder, files = path.parent, [path]
    images_parts, label_parts, count = [], [], 0
    for file in files:
        images, labels = read_batch(file)
        images_parts.append(images)
        label_parts.append(labels)
        count += len(labels)
        if limit is not None and count >= limit:
            break
    images = np.concatenate(images_parts)[:limit]
    labels = np.concatenate(label_parts)[:limit]
    names = _class_names(folder)
    x = torch.from_numpy(images).to(torch.float32).div_(255.0)
    info = DatasetInfo(
        name="cifar10",
        title="CIFAR-10",
        task="classification",
        sample_shape=(3, 32, 32),
        num_classes=10,
        class_names=names,
        description=f"{len(x)} 32x32 colour images in 10 classes from {folder}.",
        source=str(path),
    )
    return Dataset(x, torch.from_numpy(labels.astype(np.int64)), info)
