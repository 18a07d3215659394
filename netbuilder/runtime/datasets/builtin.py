"""Datasets shipped with scikit-learn (digits, iris, wine, breast cancer, diabetes).

Read from the copies inside the scikit-learn package: no network. Tabular features are
standardised (zero mean, unit variance per feature); digit pixels are scaled to 0..1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.options import take_options

DIGIT_NAMES = tuple(str(i) for i in range(10))

DIGITS = DatasetInfo(
    name="digits",
    title="digits (8x8 handwritten)",
    task="classification",
    sample_shape=(1, 8, 8),
    num_classes=10,
    class_names=DIGIT_NAMES,
    description="1,797 real 8x8 grayscale handwritten digits 0-9 (scikit-learn), pixels 0..1.",
)
DIGITS28 = DatasetInfo(
    name="digits28",
    title="digits (upscaled to 28x28)",
    task="classification",
    sample_shape=(1, 28, 28),
    num_classes=10,
    class_names=DIGIT_NAMES,
    description="The 8x8 digits upscaled to 28x28 with bilinear interpolation, "
    "so MNIST-sized models (LeNet) run unchanged.",
)
IRIS = DatasetInfo(
    name="iris",
    title="iris flowers",
    task="classification",
    sample_shape=(4,),
    num_classes=3,
    class_names=("setosa", "versicolor", "virginica"),
    description="150 flowers, 4 standardised measurements, 3 species.",
)
WINE = DatasetInfo(
    name="wine",
    title="wine cultivars",
    task="classification",
    sample_shape=(13,),
    num_classes=3,
    class_names=("class_0", "class_1", "class_2"),
    description="178 wines, 13 standardised chemical measurements, 3 cultivars.",
)
BREAST_CANCER = DatasetInfo(
    name="breast_cancer",
    title="breast cancer (Wisconsin)",
    task="classification",
    sample_shape=(30,),
    num_classes=2,
    class_names=("malignant", "benign"),
    description="569 tumours, 30 standardised measurements, malignant or benign.",
)
DIABETES = DatasetInfo(
    name="diabetes",
    title="diabetes progression (regression)",
    task="regression",
    sample_shape=(10,),
    description="442 patients, 10 standardised features; target: disease progression "
    "after one year, standardised (regression).",
)


def _standardise(values: np.ndarray) -> torch.Tensor:
    values = values.astype(np.float64)
    mean = values.mean(axis=0)
    std = values.std(axis=0)
    std[std == 0] = 1.0
    return torch.from_numpy(((values - mean) / std).astype(np.float32))


def _no_options(name: str, options: dict[str, Any]) -> None:
    take_options(f"dataset '{name}'", options, {})


def load_digits(**options: Any) -> Dataset:
    from sklearn.datasets import load_digits as sk_load_digits

    _no_options("digits", options)
    bunch = sk_load_digits()
    x = torch.from_numpy((bunch.images / 16.0).astype(np.float32)).unsqueeze(1)
    y = torch.from_numpy(bunch.target.astype(np.int64))
    return Dataset(x, y, DIGITS)


def load_digits28(**options: Any) -> Dataset:
    _no_options("digits28", options)
    small = load_digits()
    x = F.interpolate(small.x, size=(28, 28), mode="bilinear", align_corners=False)
    return Dataset(x.clamp_(0.0, 1.0).contiguous(), small.y, DIGITS28)


def _tabular(loader_name: str, info: DatasetInfo) -> Callable[..., Dataset]:
    def load(**options: Any) -> Dataset:
        import sklearn.datasets

        _no_options(info.name, options)
        bunch = getattr(sklearn.datasets, loader_name)()
        x = _standardise(bunch.data)
        if info.is_classification:
            y = torch.from_numpy(bunch.target.astype(np.int64))
        else:
            y = _standardise(bunch.target.reshape(-1, 1)).reshape(-1)
        return Dataset(x, y, info)

    load.__name__ = f"load_{info.name}"
    return load


load_iris = _tabular("load_iris", IRIS)
load_wine = _tabular("load_wine", WINE)
load_breast_cancer = _tabular("load_breast_cancer", BREAST_CANCER)
load_diabetes = _tabular("load_diabetes", DIABETES)

BUILTIN: dict[str, tuple[DatasetInfo, Callable[..., Dataset]]] = {
    "digits": (DIGITS, load_digits),
    "digits28": (DIGITS28, load_digits28),
    "iris": (IRIS, load_iris),
    "wine": (WINE, load_wine),
    "breast_cancer": (BREAST_CANCER, load_breast_cancer),
    "diabetes": (DIABETES, load_diabetes),
}
