"""Generated teaching datasets: 2-D point clouds, a 1-D regression curve, waveforms and
shapes with their masks (segmentation, in ``shapes.py``).

Each is generated from a fixed seed, so the same options always give the same samples.
Options: ``n_samples``, ``noise``, ``seed`` (and ``length`` for ``waveforms``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import torch

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.options import non_negative_float, positive_int, take_options
from netbuilder.runtime.datasets.shapes import SHAPES, load_shapes

WAVE_NAMES = ("sine", "square", "sawtooth", "triangle")


def _info(name: str, title: str, description: str, classes: tuple[str, ...]) -> DatasetInfo:
    return DatasetInfo(
        name=name,
        title=title,
        task="classification",
        sample_shape=(2,),
        num_classes=len(classes),
        class_names=classes,
        description=description,
    )


MOONS = _info("moons", "two moons", "1,000 2-D points on two interleaving half circles.", ("upper", "lower"))
CIRCLES = _info("circles", "two circles", "1,000 2-D points on two concentric circles.", ("outer", "inner"))
XOR = _info("xor", "XOR quadrants", "1,000 2-D points; the class is whether x and y share a sign.", ("different sign", "same sign"))
SPIRALS = _info("spirals", "two spirals", "1,000 2-D points on two interleaved spiral arms.", ("arm A", "arm B"))
SINE = DatasetInfo(
    name="sine",
    title="sine curve (regression)",
    task="regression",
    sample_shape=(1,),
    description="1,000 points x in [-3, 3] with target sin(x) plus noise (regression).",
)
WAVEFORMS = DatasetInfo(
    name="waveforms",
    title="waveforms (sequence classification)",
    task="classification",
    sample_shape=(32, 1),
    num_classes=4,
    class_names=WAVE_NAMES,
    description="2,000 noisy waveforms of 32 steps (1 feature per step): sine, square, "
    "sawtooth or triangle with random frequency and phase; for RNN/LSTM/GRU/attention.",
)


def _common(info: DatasetInfo, options: dict[str, Any], n: int, noise: float, **more: Any) -> dict[str, Any]:
    source = f"dataset '{info.name}'"
    opts = take_options(source, options, {"n_samples": n, "noise": noise, "seed": 0, **more})
    opts["n_samples"] = positive_int(source, "n_samples", opts["n_samples"], minimum=2)
    opts["noise"] = non_negative_float(source, "noise", opts["noise"])
    opts["seed"] = positive_int(source, "seed", opts["seed"], minimum=0)
    return opts


def _points(x: np.ndarray, y: np.ndarray, info: DatasetInfo) -> Dataset:
    return Dataset(
        torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64)), info
    )


def load_moons(**options: Any) -> Dataset:
    from sklearn.datasets import make_moons

    o = _common(MOONS, options, 1000, 0.2)
    x, y = make_moons(n_samples=o["n_samples"], noise=o["noise"], random_state=o["seed"])
    return _points(x, y, MOONS)


def load_circles(**options: Any) -> Dataset:
    from sklearn.datasets import make_circles

    o = _common(CIRCLES, options, 1000, 0.1)
    x, y = make_circles(
        n_samples=o["n_samples"], noise=o["noise"], factor=0.5, random_state=o["seed"]
    )
    return _points(x, y, CIRCLES)


def load_xor(**options: Any) -> Dataset:
    o = _common(XOR, options, 1000, 0.1)
    rng = np.random.default_rng(o["seed"])
    clean = rng.uniform(-1.0, 1.0, size=(o["n_samples"], 2))
    y = (clean[:, 0] * clean[:, 1] > 0).astype(np.int64)
    x = clean + rng.normal(0.0, o["noise"], size=clean.shape)
    return _points(x, y, XOR)


def load_spirals(**options: Any) -> Dataset:
    o = _common(SPIRALS, options, 1000, 0.05)
    rng = np.random.default_rng(o["seed"])
    n = o["n_samples"]
    y = np.arange(n) % 2
    r = rng.uniform(0.05, 1.0, size=n)
    theta = 3.0 * np.pi * r + np.pi * y
    x = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    x += rng.normal(0.0, o["noise"], size=x.shape)
    order = rng.permutation(n)
    return _points(x[order], y[order], SPIRALS)


def load_sine(**options: Any) -> Dataset:
    o = _common(SINE, options, 1000, 0.1)
    rng = np.random.default_rng(o["seed"])
    x = rng.uniform(-3.0, 3.0, size=(o["n_samples"], 1))
    y = np.sin(x[:, 0]) + rng.normal(0.0, o["noise"], size=o["n_samples"])
    return Dataset(
        torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.float32)), SINE
    )


def waveform(kind: int, t: np.ndarray, cycles: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Clean waveforms of class ``kind`` (index into WAVE_NAMES), one row per sample."""
    position = cycles[:, None] * t[None, :] + phase[:, None]
    frac = position - np.floor(position)
    if kind == 0:
        return np.sin(2.0 * np.pi * position)
    if kind == 1:
        return np.where(frac < 0.5, 1.0, -1.0)
    if kind == 2:
        return 2.0 * frac - 1.0
    return 2.0 * np.abs(2.0 * frac - 1.0) - 1.0


def load_waveforms(**options: Any) -> Dataset:
    o = _common(WAVEFORMS, options, 2000, 0.15, length=32)
    length = positive_int("dataset 'waveforms'", "length", o["length"], minimum=4)
    rng = np.random.default_rng(o["seed"])
    n = o["n_samples"]
    y = rng.permutation(np.arange(n) % len(WAVE_NAMES))
    t = np.arange(length) / length
    cycles = rng.uniform(1.0, 4.0, size=n)
    phase = rng.uniform(0.0, 1.0, size=n)
    amplitude = rng.uniform(0.7, 1.3, size=n)
    x = np.empty((n, length))
    for kind in range(len(WAVE_NAMES)):  # four vectorised draws, not a loop over samples
        rows = y == kind
        x[rows] = waveform(kind, t, cycles[rows], phase[rows])
    x = x * amplitude[:, None] + rng.normal(0.0, o["noise"], size=x.shape)
    info = WAVEFORMS
    if length != 32:
        info = replace(WAVEFORMS, sample_shape=(length, 1))
    return Dataset(
        torch.from_numpy(x.astype(np.float32)).unsqueeze(-1),
        torch.from_numpy(y.astype(np.int64)),
        info,
    )


GENERATED: dict[str, tuple[DatasetInfo, Callable[..., Dataset]]] = {
    "moons": (MOONS, load_moons),
    "circles": (CIRCLES, load_circles),
    "xor": (XOR, load_xor),
    "spirals": (SPIRALS, load_spirals),
    "sine": (SINE, load_sine),
    "waveforms": (WAVEFORMS, load_waveforms),
    "shapes": (SHAPES, load_shapes),
}
