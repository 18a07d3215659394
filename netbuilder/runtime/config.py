"""The training configuration stored in project files under the ``training`` key.

:class:`TrainingConfig` validates itself on creation, so an invalid configuration never
exists; :func:`config_from_dict` reads the plain dict of a project file and reports every
bad value at once, :meth:`TrainingConfig.to_dict` writes it back (JSON-safe).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netbuilder.runtime.errors import ConfigError

LOSSES = ("cross_entropy", "bce_with_logits", "mse", "l1", "nll")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta")
SCHEDULES = ("none", "step", "cosine", "onecycle")
# 'auto': the dataset's own task (classification, regression or segmentation);
# 'reconstruction': the target is the input itself (autoencoders)
TASKS = ("auto", "reconstruction")


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides how a model is trained (not which model).

    ``dataset`` (a shipped name or a path) and ``dataset_options`` (passed to
    ``load_dataset``) are stored here because project files keep them under the same
    ``training`` key; :func:`netbuilder.runtime.train` takes the loaded Dataset itself.

    ``weight_decay`` is the optimiser's L2 term (decoupled for AdamW); ``l1`` adds
    ``l1 * sum(|w|)`` to the loss. ``lr_step_size``/``lr_gamma`` shape the 'step' schedule
    (step size None: a third of the epochs). ``early_stopping_patience`` counts epochs
    without a lower validation loss (None: off). ``device`` is 'auto' (CUDA, then MPS,
    then CPU) or a torch device string. ``mixed_precision`` (bf16 autocast) and ``compile``
    take effect on CUDA only; ``channels_last`` (image batches) on CUDA and the CPU. ``cpu_threads`` sets torch's
    intra-op threads while training on the CPU (None: leave torch's setting); small models
    on a busy machine often train fastest with 1.

    ``task`` 'auto' learns the dataset's targets; 'reconstruction' learns to give back the
    input (an autoencoder), and with ``denoise_std`` above 0 the input is first blurred by
    Gaussian noise of that standard deviation (a denoising autoencoder: the target stays
    the clean input).
    """

    dataset: str = "digits"
    dataset_options: dict[str, Any] = field(default_factory=dict)
    task: str = "auto"
    denoise_std: float = 0.0
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    l1: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    lr_schedule: str = "none"
    lr_step_size: int | None = None
    lr_gamma: float = 0.1
    early_stopping_patience: int | None = None
    grad_clip_norm: float | None = None
    seed: int = 0
    device: str = "auto"
    val_fraction: float = 0.2
    # Off by default: a model trained on standardised inputs needs the same step wherever it
    # is used, and exported ONNX and PyTorch code take the data as the dataset gives it.
    normalize: bool = False
    augment_hflip: bool = False
    augment_crop_padding: int = 0
    mixed_precision: bool = True
    channels_last: bool = True
    compile: bool = False
    cpu_threads: int | None = None
    # Per-node statistics (runtime.insight.stats) every this many steps; None: off.
    node_stats_every: int | None = None

    def __post_init__(self) -> None:
        problems = validate(self)
        if problems:
            raise ConfigError("Invalid training settings:\n- " + "\n- ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe values, one per field."""
        data = dataclasses.asdict(self)
        data["dataset_options"] = dict(self.dataset_options)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingConfig:
        return config_from_dict(data)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str | None:
    if value in choices:
        return None
    close = difflib.get_close_matches(str(value), choices, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{name} must be one of {', '.join(choices)}; received {value!r}{hint}"


def _number(name: str, value: Any, *, low: float, low_open: bool, example: str) -> str | None:
    if not _is_number(value) or value < low or (low_open and value == low):
        bound = f"above {low:g}" if low_open else f"at least {low:g}"
        return f"{name} must be a number {bound}; received {value!r}. Example: {example}"
    return None


def _whole(name: str, value: Any, *, low: int, example: str, optional: bool = False) -> str | None:
    if optional and value is None:
        return None
    if not _is_int(value) or value < low:
        none = " or None (off)" if optional else ""
        return f"{name} must be a whole number of at least {low}{none}; received {value!r}. Example: {example}"
    return None


def _device(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; received {value!r}"
    if value == "auto":
        return None
    import torch

    try:
        torch.device(value)
    except (RuntimeError, ValueError):
        return f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; received {value!r}"
    return None


def validate(config: TrainingConfig) -> list[str]:
    """Every invalid value of ``config`` as a sentence saying what is accepted."""
    c = config
    checks = [
        _choice("task", c.task, TASKS),
        _number("denoise_std", c.denoise_std, low=0.0, low_open=False, example="0.3"),
        _choice("loss", c.loss, LOSSES),
        _choice("optimizer", c.optimizer, OPTIMIZERS),
        _choice("lr_schedule", c.lr_schedule, SCHEDULES),
        _number("lr", c.lr, low=0.0, low_open=True, example="0.001 (adam) or 0.01 (sgd)"),
        _number("momentum", c.momentum, low=0.0, low_open=False, example="0.9"),
        _number("weight_decay", c.weight_decay, low=0.0, low_open=False, example="0.0005"),
        _number("l1", c.l1, low=0.0, low_open=False, example="0.0001"),
        _number("lr_gamma", c.lr_gamma, low=0.0, low_open=True, example="0.1"),
        _number("val_fraction", c.val_fraction, low=0.0, low_open=False, example="0.2"),
        _whole("batch_size", c.batch_size, low=1, example="64"),
        _whole("epochs", c.epochs, low=1, example="10"),
        _whole("lr_step_size", c.lr_step_size, low=1, example="5", optional=True),
        _whole("early_stopping_patience", c.early_stopping_patience, low=1, example="5", optional=True),
        _whole("seed", c.seed, low=0, example="0"),
        _whole("augment_crop_padding", c.augment_crop_padding, low=0, example="4"),
        _whole("cpu_threads", c.cpu_threads, low=1, example="1", optional=True),
        _whole("node_stats_every", c.node_stats_every, low=1, example="10", optional=True),
        _device(c.device),
    ]
    if not isinstance(c.dataset, str) or not c.dataset.strip():
        checks.append(f"dataset must be a dataset name or a file path; received {c.dataset!r}")
    if not isinstance(c.dataset_options, Mapping) or not all(isinstance(k, str) for k in c.dataset_options):
        checks.append(
            f"dataset_options must map option names to values; received {c.dataset_options!r}"
        )
    for name in ("nesterov", "normalize", "augment_hflip", "mixed_precision", "channels_last", "compile"):
        if not isinstance(getattr(c, name), bool):
            checks.append(f"{name} must be true or false; received {getattr(c, name)!r}")
    if c.grad_clip_norm is not None:
        checks.append(_number("grad_clip_norm", c.grad_clip_norm, low=0.0, low_open=True, example="1.0 or None (off)"))
    problems = [p for p in checks if p]
    if _is_number(c.momentum) and c.momentum >= 1:
        problems.append(f"momentum must be below 1; received {c.momentum!r}. Example: 0.9")
    if _is_number(c.val_fraction) and c.val_fraction >= 1:
        problems.append(f"val_fraction must be below 1; received {c.val_fraction!r}. Example: 0.2")
    if c.early_stopping_patience is not None and c.val_fraction == 0:
        problems.append(
            "early_stopping_patience watches the validation loss, but val_fraction is 0: "
            "set val_fraction above 0 (e.g. 0.2) or early_stopping_patience to None"
        )
    if _is_number(c.denoise_std) and c.denoise_std > 0 and c.task != "reconstruction":
        problems.append(
            f"denoise_std adds noise to the input of a reconstruction task, but task is "
            f"{c.task!r}: set task to 'reconstruction' or denoise_std to 0"
        )
    if c.nesterov is True and c.optimizer == "sgd" and c.momentum == 0:
        problems.append("nesterov needs momentum above 0: set momentum to 0.9 or nesterov to false")
    return problems


def config_from_dict(data: Mapping[str, Any]) -> TrainingConfig:
    """A validated config from the plain dict of a project file; missing keys take defaults."""
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"training settings must be a mapping of names to values; received {type(data).__name__}"
        )
    names = [f.name for f in dataclasses.fields(TrainingConfig)]
    unknown = []
    for key in data:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            unknown.append(f"unknown setting '{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    if unknown:
        raise ConfigError("Invalid training settings:\n- " + "\n- ".join(unknown))
    return TrainingConfig(**dict(data))
