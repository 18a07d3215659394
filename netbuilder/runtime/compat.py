"""Checking, before the first step, that a model, a dataset and a loss fit together.

:func:`check_compat` is pure: it takes shapes (without the batch axis), the dataset's info
and the loss name, and returns plain-language problems a student can act on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from netbuilder.runtime.datasets.base import DatasetInfo, format_shape
from netbuilder.runtime.tasks import run_task

Level = Literal["error", "warning"]
OutputKind = Literal["logits", "probabilities", "log_probabilities"]
CLASS_LOSSES = ("cross_entropy", "nll", "bce_with_logits")
REGRESSION_LOSSES = ("mse", "l1")
RECONSTRUCTION_LOSSES = ("mse", "l1", "bce_with_logits")
SEGMENTATION_LOSSES = ("cross_entropy", "nll")
ALL_LOSSES = CLASS_LOSSES + REGRESSION_LOSSES

# shipped datasets that are other sizes of another one, to suggest the matching variant
_VARIANTS = {"digits": ("digits28", "digits upscaled to 28x28"),
             "digits28": ("digits", "the original 8x8 digits")}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (``error``: training would fail or be meaningless) or doubtful."""

    level: Level
    message: str

    def __str__(self) -> str:
        return self.message


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level == "error" for p in problems)


def _input_problem(input_shape: tuple[int, ...], info: DatasetInfo) -> Problem | None:
    if tuple(input_shape) == tuple(info.sample_shape):
        return None
    want, got = format_shape(tuple(input_shape)), format_shape(info.sample_shape)
    text = (
        f"The model expects {want} but '{info.name}' gives {got}: change the Input node's "
        f"shape to {got}"
    )
    variant = _VARIANTS.get(info.name)
    if variant is not None and tuple(input_shape) == _variant_shape(variant[0]):
        text += f" or pick '{variant[0]}' ({variant[1]})"
    elif math.prod(input_shape) == math.prod(info.sample_shape):
        text += " (the number of values matches, so a Flatten or Reshape may be all that is missing)"
    return Problem("error", text)


def _variant_shape(name: str) -> tuple[int, ...]:
    return {"digits": (1, 8, 8), "digits28": (1, 28, 28)}[name]


def _classification(
    output_shape: tuple[int, ...], info: DatasetInfo, loss: str
) -> list[Problem]:
    classes = info.num_classes
    if loss in REGRESSION_LOSSES:
        return [Problem(
            "error",
            f"The loss '{loss}' compares numbers (regression), but '{info.name}' has "
            f"{classes} classes: pick 'cross_entropy' (or 'bce_with_logits' for 2 classes)",
        )]
    if loss == "bce_with_logits":
        if classes != 2:
            return [Problem(
                "error",
                f"'bce_with_logits' needs 1 output and 2 classes, but '{info.name}' has "
                f"{classes} classes: pick 'cross_entropy' with {classes} outputs",
            )]
        if math.prod(output_shape) != 1:
            return [Problem(
                "error",
                f"The last layer gives {_values(output_shape)} but 'bce_with_logits' needs 1 "
                f"value (the score of class '{info.class_names[1] if info.class_names else 1}'): "
                f"set the last Linear's out_features to 1, or use 'cross_entropy' with 2 outputs",
            )]
        return []
    if len(output_shape) != 1:
        return [Problem(
            "error",
            f"The last layer gives {_values(output_shape)} per sample but '{loss}' needs one score per "
            f"class ({classes} values): add a Flatten and a Linear with out_features={classes}",
        )]
    if output_shape[0] != classes:
        return [Problem(
            "error",
            f"The last layer gives {output_shape[0]} values but '{info.name}' has {classes} "
            f"classes: set the last Linear's out_features to {classes}",
        )]
    return []


def _values(shape: tuple[int, ...]) -> str:
    n = math.prod(shape)
    return f"{n} value" if n == 1 else f"{format_shape(shape)} = {n} values" if len(shape) > 1 else f"{n} values"


def _regression(output_shape: tuple[int, ...], info: DatasetInfo, loss: str) -> list[Problem]:
    if loss not in REGRESSION_LOSSES:
        return [Problem(
            "error",
            f"'{info.name}' is a regression dataset (it predicts numbers, not classes), but the "
            f"loss is '{loss}': pick 'mse' or 'l1'",
        )]
    want = math.prod(info.target_shape)
    if math.prod(output_shape) != want:
        targets = "1 target" if want == 1 else f"{want} targets"
        return [Problem(
            "error",
            f"The last layer gives {_values(output_shape)} but '{info.name}' has {targets} per "
            f"sample: set the last Linear's out_features to {want}",
        )]
    return []


def _reconstruction(output_shape: tuple[int, ...], info: DatasetInfo, loss: str) -> list[Problem]:
    problems = []
    if loss not in RECONSTRUCTION_LOSSES:
        problems.append(Problem(
            "error",
            f"Reconstruction compares the output with the input value by value, but the loss "
            f"is '{loss}' (for classes): pick 'mse' (or 'l1'; 'bce_with_logits' for inputs "
            f"between 0 and 1)",
        ))
    want = tuple(info.sample_shape)
    if output_shape != want:
        text = (f"The model gives {format_shape(output_shape)} but reconstruction needs the "
                f"input's {format_shape(want)}: the last layer must give back a sample of "
                f"the input's shape")
        if math.prod(output_shape) == math.prod(want):
            text += (f" (the number of values matches: end with an Unflatten to "
                     f"{format_shape(want)})")
        elif len(output_shape) == 1 and len(want) > 1:
            text += (f" (set the last Linear's out_features to {math.prod(want)} and end "
                     f"with an Unflatten to {format_shape(want)})")
        elif len(output_shape) == len(want) == 3 and output_shape[0] != want[0]:
            text += f" (set the last convolution's out_channels to {want[0]})"
        problems.append(Problem("error", text))
    return problems


def _segmentation(output_shape: tuple[int, ...], info: DatasetInfo, loss: str) -> list[Problem]:
    problems = []
    classes, mask = info.num_classes, tuple(info.target_shape)
    want = format_shape((classes, *mask))
    if loss not in SEGMENTATION_LOSSES:
        problems.append(Problem(
            "error",
            f"'{info.name}' gives a class for every pixel, but the loss is '{loss}': pick "
            f"'cross_entropy' (the last layer gives one score per class for every pixel)",
        ))
    if len(output_shape) != 1 + len(mask):
        problems.append(Problem(
            "error",
            f"The model gives {_values(output_shape)} per sample but segmenting '{info.name}' "
            f"needs one score per class for every pixel, {want} (classes x height x width): "
            f"end with a Conv2d with out_channels={classes} at the mask's size",
        ))
        return problems
    if output_shape[0] != classes:
        problems.append(Problem(
            "error",
            f"The model gives {format_shape(output_shape)} but '{info.name}' has {classes} "
            f"classes, so the output's channels must equal the class count: set the last "
            f"convolution's out_channels to {classes}",
        ))
    if tuple(output_shape[1:]) != mask:
        problems.append(Problem(
            "error",
            f"The model gives {format_shape(output_shape)} but the masks of '{info.name}' are "
            f"{format_shape(mask)}: the output's height and width must equal the mask's "
            f"(bring it back up with ConvTranspose2d or Upsample, or pad the convolutions)",
        ))
    return problems


def _output_kind_warnings(loss: str, output_kind: OutputKind | None) -> list[Problem]:
    if loss == "nll" and output_kind != "log_probabilities":
        return [Problem(
            "warning",
            "'nll' expects log-probabilities: end the model with LogSoftmax, or use "
            "'cross_entropy', which applies log-softmax itself",
        )]
    if loss in ("cross_entropy", "bce_with_logits") and output_kind == "probabilities":
        layer = "Softmax" if loss == "cross_entropy" else "Sigmoid"
        return [Problem(
            "warning",
            f"The model seems to end with {layer}, but '{loss}' applies it itself: remove the "
            f"final {layer} (learning will be slow otherwise)",
        )]
    return []


def check_input(input_shape: tuple[int, ...] | None, info: DatasetInfo) -> list[Problem]:
    """Only the input part of :func:`check_compat` (usable before the model has run)."""
    if input_shape is None:
        return []
    problem = _input_problem(tuple(input_shape), info)
    return [problem] if problem is not None else []


def check_compat(
    input_shape: tuple[int, ...] | None,
    output_shape: tuple[int, ...],
    info: DatasetInfo,
    loss: str,
    *,
    output_kind: OutputKind | None = None,
    task: str = "auto",
) -> list[Problem]:
    """Problems that would make training ``loss`` on ``info`` with this model fail or mislead.

    ``input_shape``/``output_shape`` exclude the batch axis (``input_shape`` None: unknown).
    ``output_kind`` says what the last layer produces, if known (from the graph's last node,
    or guessed from a forward pass); it only adds warnings. ``task`` is the settings' task
    ('auto': the dataset's own; 'reconstruction': the target is the input).
    """
    if loss not in ALL_LOSSES:
        return [Problem("error", f"Unknown loss '{loss}': expected one of {', '.join(ALL_LOSSES)}")]
    problems = check_input(input_shape, info)
    output_shape = tuple(output_shape)
    kind = run_task(task, info)
    if kind == "reconstruction":
        problems += _reconstruction(output_shape, info, loss)
    elif kind == "segmentation":
        problems += _segmentation(output_shape, info, loss)
    elif kind == "classification":
        problems += _classification(output_shape, info, loss)
    else:
        problems += _regression(output_shape, info, loss)
    problems += _output_kind_warnings(loss, output_kind)
    return problems
