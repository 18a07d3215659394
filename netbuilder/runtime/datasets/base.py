"""The in-memory dataset type every loader returns: tensors plus a description for humans."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import torch

from netbuilder.runtime.errors import DatasetError

Task = Literal["classification", "regression", "segmentation"]
# tasks whose targets are class ids (int64): one per sample, or one per pixel
CLASS_ID_TASKS = ("classification", "segmentation")


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset holds, in the terms the editor and the compatibility check use.

    ``sample_shape`` excludes the batch dimension. ``target_shape`` is the shape of one
    regression target (``()`` for one number per sample; always ``()`` for classification),
    or of one segmentation mask (``(H, W)``: a class id per pixel).
    """

    name: str
    title: str
    task: Task
    sample_shape: tuple[int, ...]
    num_classes: int = 0
    class_names: tuple[str, ...] = ()
    description: str = ""
    target_shape: tuple[int, ...] = ()
    source: str = ""

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

    @property
    def is_segmentation(self) -> bool:
        return self.task == "segmentation"

    @property
    def has_class_ids(self) -> bool:
        """Targets are class ids (per sample or per pixel) counted in ``num_classes``."""
        return self.task in CLASS_ID_TASKS


def format_shape(shape: tuple[int, ...]) -> str:
    """``(1, 28, 28)`` -> ``'1x28x28'``; ``()`` -> ``'a single value'``."""
    return "x".join(str(d) for d in shape) if shape else "a single value"


@dataclass(frozen=True, eq=False)  # tensors do not compare to a single bool
class Dataset:
    """Samples ``x`` (float32, or int64 token ids) and targets ``y`` with their description.

    ``y`` is int64 class ids for classification, int64 masks (N x H x W class ids) for
    segmentation and float32 for regression.
    """

    x: torch.Tensor
    y: torch.Tensor
    info: DatasetInfo

    def __post_init__(self) -> None:
        name = self.info.name
        if self.x.dtype not in (torch.float32, torch.int64):
            raise DatasetError(
                f"dataset '{name}': expected samples of dtype float32 or int64, "
                f"received {self.x.dtype}; convert them before building the Dataset"
            )
        expected_y = torch.int64 if self.info.has_class_ids else torch.float32
        if self.y.dtype != expected_y:
            raise DatasetError(
                f"dataset '{name}': a {self.info.task} dataset needs targets of dtype "
                f"{expected_y}, received {self.y.dtype}"
            )
        if self.x.shape[0] != self.y.shape[0]:
            raise DatasetError(
                f"dataset '{name}': expected as many targets as samples, received "
                f"{self.x.shape[0]} samples and {self.y.shape[0]} targets"
            )
        if tuple(self.x.shape[1:]) != tuple(self.info.sample_shape):
            raise DatasetError(
                f"dataset '{name}': info says samples are {format_shape(self.info.sample_shape)} "
                f"but the tensor holds {format_shape(tuple(self.x.shape[1:]))}"
            )

        if self.info.is_segmentation and tuple(self.y.shape[1:]) != tuple(self.info.target_shape):
            raise DatasetError(
                f"dataset '{name}': info says masks are {format_shape(self.info.target_shape)} "
                f"but the tensor holds {format_shape(tuple(self.y.shape[1:]))}"
            )

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def subset(self, indices: torch.Tensor) -> Dataset:
        """The samples at ``indices`` (a 1-D int64 tensor), same info."""
        return replace(self, x=self.x[indices], y=self.y[indices])
