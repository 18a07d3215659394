"""Reading a NumPy ``.npz`` archive holding arrays ``x`` (samples) and ``y`` (targets).

Opened with ``allow_pickle=False``: object arrays are refused, never unpickled.
``x`` of dtype uint8 is read as pixels (scaled to 0..1), other integer ``x`` as token ids
(int64, for Embedding layers), anything else as float32. Integer or boolean ``y`` gives
classification with ``max(y) + 1`` classes; float ``y`` gives regression. An optional string
array ``class_names`` names the classes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import torch

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.options import optional_limit, take_options
from netbuilder.runtime.errors import DatasetError

DEFAULTS = {"task": None, "limit": None}


def _open(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not hasattr(archive, "files"):
                raise DatasetError(
                    f"{path.name}: expected an .npz archive with arrays 'x' and 'y', "
                    f"found a single .npy array; save with numpy.savez(path, x=..., y=...)"
                )
            missing = [k for k in ("x", "y") if k not in archive.files]
            if missing:
                raise DatasetError(
                    f"{path.name}: expected arrays 'x' and 'y', found "
                    f"{', '.join(archive.files) or 'no arrays'}; save with "
                    f"numpy.savez(path, x=samples, y=targets)"
                )
            names = ["x", "y"] + (["class_names"] if "class_names" in archive.files else [])
            return {k: archive[k] for k in names}
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found; expected an .npz archive") from None
    except DatasetError:
        raise
    except MemoryError:
        raise DatasetError(
            f"{path.name}: an array in this .npz declares a size too large for memory; "
            f"the file is damaged or not what it seems"
        ) from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError,
            NotImplementedError, zlib.error, struct.error) as exc:
        # zipfile and numpy raise all of these for damaged archives
        raise DatasetError(
            f"{path.name}: expected an .npz archive of numeric arrays 'x' and 'y' "
            f"(no Python objects), but it cannot be read: {exc}"
        ) from None


def _samples(path: Path, x: np.ndarray) -> torch.Tensor:
    if x.ndim < 2:
        raise DatasetError(
            f"{path.name}: expected 'x' with a sample axis and at least one feature axis "
            f"(shape N x ...), found shape {x.shape}; reshape to (N, 1) for one feature"
        )
    if x.dtype == np.uint8:
        return torch.from_numpy(x.astype(np.float32) / 255.0)
    if x.dtype.kind in "iu":
        return torch.from_numpy(x.astype(np.int64))
    if x.dtype.kind in "fb":
        values = x.astype(np.float32)
        if not np.isfinite(values).all():
            raise DatasetError(
                f"{path.name}: 'x' holds NaN or infinite values (or values too large for "
                f"float32); clean the data first"
            )
        return torch.from_numpy(values)
    raise DatasetError(f"{path.name}: expected a numeric 'x', found dtype {x.dtype}")


def load_npz(path: Path, **options: Any) -> Dataset:
    """A Dataset from an .npz archive; see the module docstring for the rules."""
    opts = take_options(f"NPZ file {path.name}", options, DEFAULTS)
    limit = optional_limit(path.name, opts["limit"])
    arrays = _open(path)
    x, y = arrays["x"], arrays["y"]
    if x.ndim == 0 or y.ndim == 0 or x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise DatasetError(
            f"{path.name}: expected 'x' and 'y' with the same number of samples (> 0) on "
            f"their first axis, found shapes {x.shape} and {y.shape}"
        )
    if limit is not None:
        x, y = x[:limit], y[:limit]
    task = opts["task"]
    if task is None:
        task = "classification" if y.dtype.kind in "iub" else "regression"
    if task not in ("classification", "regression"):
        raise DatasetError(
            f"{path.name}: option 'task' must be 'classification' or 'regression', "
            f"received {task!r}"
        )
    class_names: tuple[str, ...] = ()
    if task == "classification":
        if y.ndim != 1 or y.dtype.kind not in "iubf" or not np.all(np.isfinite(y)):
            raise DatasetError(
                f"{path.name}: classification expects 'y' as one whole-number class id "
                f"per sample, found shape {y.shape} dtype {y.dtype}"
            )
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            raise DatasetError(f"{path.name}: class ids in 'y' must be whole numbers")
        if y.min() < 0:
            raise DatasetError(
                f"{path.name}: class ids in 'y' must be 0 or more, found {y.min()}"
            )
        num_classes = int(y.max()) + 1
        if "class_names" in arrays:
            names = arrays["class_names"]
            if names.ndim != 1 or names.dtype.kind not in "US" or len(names) < num_classes:
                raise DatasetError(
                    f"{path.name}: 'class_names' must be a 1-D string array with at least "
                    f"{num_classes} names, found shape {names.shape} dtype {names.dtype}"
                )
            class_names = tuple(str(n) for n in names.tolist())
            num_classes = len(class_names)
        else:
            class_names = tuple(str(i) for i in range(num_classes))
        targets = torch.from_numpy(y.astype(np.int64))
        target_shape: tuple[int, ...] = ()
    else:
        if y.dtype.kind not in "iubf":
            raise DatasetError(f"{path.name}: regression expects a numeric 'y', found {y.dtype}")
        values = y.astype(np.float32)
        if not np.isfinite(values).all():
            raise DatasetError(f"{path.name}: 'y' holds NaN or infinite values")
        targets = torch.from_numpy(values)
        target_shape = tuple(y.shape[1:])
    samples = _samples(path, x)
    info = DatasetInfo(
        name=path.stem,
        title=f"{path.name} (NPZ)",
        task=task,
        sample_shape=tuple(samples.shape[1:]),
        num_classes=len(class_names),
        class_names=class_names,
        description=f"{len(samples)} samples from {path.name} ({task}).",
        target_shape=target_shape,
        source=str(path),
    )
    return Dataset(samples, targets, info)
