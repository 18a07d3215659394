"""The generated segmentation set: simple shapes on noise, with a class id per pixel.

Each image is ``size`` x ``size`` pixels, one channel: one to three shapes (a square, a disc
or a triangle, of random size and place and brightness) on Gaussian noise. Its mask says
for every pixel what lies there: 0 background, 1 square, 2 disc, 3 triangle (a later shape
covers an earlier one, in the image and in the mask alike). Generated from ``seed`` when
loaded, so no file ships and the same options always give the same samples.
Options: ``n_samples``, ``noise``, ``seed``, ``size``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import torch

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.options import non_negative_float, positive_int, take_options

SHAPE_NAMES = ("background", "square", "disc", "triangle")
SIZE = 32

SHAPES = DatasetInfo(
    name="shapes",
    title="shapes (segmentation)",
    task="segmentation",
    sample_shape=(1, SIZE, SIZE),
    num_classes=len(SHAPE_NAMES),
    class_names=SHAPE_NAMES,
    target_shape=(SIZE, SIZE),
    description="600 generated 32x32 images of squares, discs and triangles on noise, "
    "with a mask giving each pixel's class (background, square, disc, triangle); "
    "for segmentation networks (U-Net).",
)


def shape_mask(kind: int, size: int, cy: float, cx: float, r: float) -> np.ndarray:
    """Where shape ``kind`` (1 square, 2 disc, 3 triangle) of half-size ``r`` centred on
    (``cy``, ``cx``) covers a ``size`` x ``size`` image, as a boolean array."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5   # pixel centres
    dy, dx = yy - cy, xx - cx
    if kind == 1:
        return (np.abs(dy) <= r) & (np.abs(dx) <= r)
    if kind == 2:
        return dy * dy + dx * dx <= r * r
    # an upright triangle: apex at the top, base at the bottom, as wide as it is tall
    top, height = cy - r, 2.0 * r
    return (dy <= r) & (yy >= top) & (np.abs(dx) <= (yy - top) / height * r)


def load_shapes(**options: Any) -> Dataset:
    source = "dataset 'shapes'"
    o = take_options(source, options, {"n_samples": 600, "noise": 0.2, "seed": 0, "size": SIZE})
    n = positive_int(source, "n_samples", o["n_samples"], minimum=2)
    noise = non_negative_float(source, "noise", o["noise"])
    seed = positive_int(source, "seed", o["seed"], minimum=0)
    size = positive_int(source, "size", o["size"], minimum=12)
    rng = np.random.default_rng(seed)
    images = rng.normal(0.0, noise, size=(n, size, size))
    masks = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        for _ in range(int(rng.integers(1, 4))):
            kind = int(rng.integers(1, len(SHAPE_NAMES)))
            r = rng.uniform(0.12, 0.22) * size
            cy, cx = rng.uniform(r, size - r, size=2)
            inside = shape_mask(kind, size, cy, cx, r)
            masks[i][inside] = kind
            images[i][inside] = rng.uniform(0.6, 1.0) + rng.normal(0.0, noise, size=int(inside.sum()))
    info = SHAPES if size == SIZE else replace(SHAPES, sample_shape=(1, size, size),
                                               target_shape=(size, size))
    return Dataset(torch.from_numpy(images.astype(np.float32)).unsqueeze(1),
                   torch.from_numpy(masks), info)
