"""Datasets: shipped teaching sets, the user's files, splitting, normalisation, augmentation.

Public API: :func:`list_datasets`, :func:`load_dataset`, :func:`split`, :class:`Dataset`,
:class:`DatasetInfo`, :func:`fit_normalization`, :func:`augment_batch`.
"""

from netbuilder.runtime.datasets.augment import augment_batch, random_crop, random_hflip
from netbuilder.runtime.datasets.base import Dataset, DatasetInfo, format_shape
from netbuilder.runtime.datasets.normalize import Normalization, fit_normalization
from netbuilder.runtime.datasets.registry import detect_format, list_datasets, load_dataset
from netbuilder.runtime.datasets.split import split, split_indices
from netbuilder.runtime.errors import DatasetError

__all__ = [
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "Normalization",
    "augment_batch",
    "detect_format",
    "fit_normalization",
    "format_shape",
    "list_datasets",
    "load_dataset",
    "random_crop",
    "random_hflip",
    "split",
    "split_indices",
]
