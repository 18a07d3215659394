"""What a run learns: the task, from the settings and the dataset, in one place.

``classification`` (a class id per sample), ``regression`` (numbers per sample) and
``segmentation`` (a class id per pixel) are the dataset's own tasks; ``reconstruction``
(the target is the input: autoencoders) is chosen in the settings and works on any dataset
of real-valued samples. The trainer, the compatibility check, the metrics and the views all
ask this module, so they agree on what a run's targets and figures are.
"""

from __future__ import annotations

from typing import Literal

import torch

from netbuilder.runtime.datasets.base import DatasetInfo

RunTask = Literal["classification", "regression", "segmentation", "reconstruction"]


def run_task(task_setting: str, info: DatasetInfo) -> RunTask:
    """The task of a run with the setting ``task`` ('auto' or 'reconstruction') on ``info``."""
    if task_setting == "reconstruction":
        return "reconstruction"
    return info.task


def reports_accuracy(task: str) -> bool:
    """Accuracy (per sample, or per pixel for segmentation) rather than the mean squared error."""
    return task in ("classification", "segmentation")


def noisy(x: torch.Tensor, std: float, generator: torch.Generator | None) -> torch.Tensor:
    """``x`` plus Gaussian noise of standard deviation ``std`` (the denoising input)."""
    if std <= 0:
        return x
    return x + std * torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)


def mean_iou(confusion: torch.Tensor) -> float | None:
    """Mean intersection over union of a (true, predicted) confusion matrix, over the
    classes that occur (in the truth or the predictions); None when there are none."""
    confusion = confusion.double()
    hits = confusion.diagonal()
    union = confusion.sum(0) + confusion.sum(1) - hits
    present = union > 0
    if not bool(present.any()):
        return None
    return float((hits[present] / union[present]).mean())


def confusion_of(predicted: torch.Tensor, true: torch.Tensor, classes: int) -> torch.Tensor:
    """The (true, predicted) count matrix of class ids of any shape (pixels counted alike)."""
    index = true.reshape(-1) * classes + predicted.reshape(-1)
    return torch.bincount(index, minlength=classes * classes).reshape(classes, classes)


def task_words(task_setting: str, info: DatasetInfo) -> str:
    """What a run on ``info`` learns, in a few words ('10 classes', 'reconstruction')."""
    task = run_task(task_setting, info)
    if task == "reconstruction":
        return "reconstruction: the target is the input"
    if task == "segmentation":
        return f"{info.num_classes} classes per pixel"
    return f"{info.num_classes} classes" if task == "classification" else "regression"
