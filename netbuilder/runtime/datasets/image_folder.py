"""Reading an image folder with one subfolder per class (``cats/001.png``, ``dogs/7.jpg``).

Pillow is used when it is installed (PNG, JPEG, BMP, GIF, WebP); without it PNG files are
decoded by :mod:`netbuilder.runtime.datasets.png` and other formats give a DatasetError that
says to install Pillow. Options: ``size`` (an int or (height, width)) resizes every image
with antialiased bilinear interpolation; ``grayscale`` (True/False; default: grayscale only
when every image is); ``limit`` keeps the first samples (in class order).
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.options import optional_limit, take_options
from netbuilder.runtime.datasets.png import read_png
from netbuilder.runtime.errors import DatasetError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"}
DEFAULTS = {"size": None, "grayscale": None, "limit": None}


def pillow_available() -> bool:
    return importlib.util.find_spec("PIL") is not None


def _read_with_pillow(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            mode = "L" if image.mode in ("1", "L", "LA", "I", "I;16", "F") else "RGB"
            return np.asarray(image.convert(mode)).reshape(image.height, image.width, -1).copy()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error,
            IndexError, Image.DecompressionBombError) as exc:
        raise DatasetError(f"{path}: expected an image file, cannot decode it ({exc})") from None


def read_image(path: Path) -> np.ndarray:
    """uint8 (height, width, channels) with 1 (gray) or 3 (RGB) channels; alpha dropped."""
    if pillow_available():
        pixels = _read_with_pillow(path)
    elif path.suffix.lower() == ".png":
        pixels = read_png(path)
    else:
        raise DatasetError(
            f"{path}: reading {path.suffix} images needs Pillow (pip install Pillow); "
            f"without it only PNG files can be read"
        )
    if pixels.shape[2] in (2, 4):  # drop alpha
        pixels = pixels[..., :-1]
    return pixels


def _size(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return (value, value)
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise DatasetError(
        f"option 'size' must be a positive int or (height, width), received {value!r}"
    )


def class_folders(folder: Path) -> list[tuple[str, list[Path]]]:
    """(class name, image files) for each subfolder holding images, sorted by name."""
    classes = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            p for p in sub.iterdir()
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
        )
        if files:
            classes.append((sub.name, files))
    return classes


def _to_tensor(pixels: np.ndarray, channels: int, size: tuple[int, int] | None) -> torch.Tensor:
    image = torch.from_numpy(pixels).permute(2, 0, 1).to(torch.float32).div_(255.0)
    if channels == 1 and image.shape[0] == 3:
        weights = torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)
        image = (image * weights).sum(0, keepdim=True)
    elif channels == 3 and image.shape[0] == 1:
        image = image.expand(3, -1, -1)
    if size is not None and tuple(image.shape[1:]) != size:
        image = F.interpolate(
            image.unsqueeze(0), size=size, mode="bilinear", antialias=True, align_corners=False
        )[0].clamp_(0.0, 1.0)
    return image


def load_image_folder(path: Path, **options: Any) -> Dataset:
    """A classification Dataset from ``path/<class>/<image>`` files."""
    opts = take_options(f"image folder {path.name}", options, DEFAULTS)
    limit = optional_limit(path.name, opts["limit"])
    size = _size(opts["size"])
    grayscale = opts["grayscale"]
    if grayscale not in (None, True, False):
        raise DatasetError(f"option 'grayscale' must be True or False, received {grayscale!r}")
    classes = class_folders(path)
    if not classes:
        raise DatasetError(
            f"{path}: expected one subfolder per class holding image files "
            f"({', '.join(sorted(IMAGE_SUFFIXES))}), found none"
        )
    files = [(label, f) for label, (_, fs) in enumerate(classes) for f in fs][:limit]
    pixels = [read_image(f) for _, f in files]
    if size is None:
        first = pixels[0].shape[:2]
        for (_, f), p in zip(files, pixels, strict=True):
            if p.shape[:2] != first:
                raise DatasetError(
                    f"{f}: is {p.shape[0]}x{p.shape[1]} (height x width) but "
                    f"{files[0][1].name} is {first[0]}x{first[1]}; pass size=(h, w) to "
                    f"resize every image to one size"
                )
    if grayscale is None:
        grayscale = all(p.shape[2] == 1 for p in pixels)
    channels = 1 if grayscale else 3
    x = torch.stack([_to_tensor(p, channels, size) for p in pixels]).contiguous()
    y = torch.tensor([label for label, _ in files], dtype=torch.int64)
    names = tuple(name for name, _ in classes)
    info = DatasetInfo(
        name=path.name,
        title=f"{path.name} (image folder)",
        task="classification",
        sample_shape=tuple(x.shape[1:]),
        num_classes=len(names),
        class_names=names,
        description=f"{len(x)} images in {len(names)} classes from {path}.",
        source=str(path),
    )
    return Dataset(x, y, info)
