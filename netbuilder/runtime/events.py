"""The plain event objects the trainer yields; the caller turns them into UI updates.

Every field is a plain Python value (numbers, strings, tuples, dicts), safe to hand across
threads and to serialise. Epochs and steps count from 1. Metrics that do not apply to the
task (accuracy for regression, MSE for classification, validation without a validation
split) are None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FailureKind = Literal[
    "config", "data", "device", "compat", "model", "checkpoint", "nan", "oom", "error"
]


@dataclass(frozen=True)
class Started:
    """Training is about to take its first step."""

    total_steps: int
    steps_per_epoch: int
    epochs: int
    start_epoch: int
    device: str
    device_name: str
    train_samples: int
    val_samples: int
    parameters: int
    mixed_precision: bool = False
    channels_last: bool = False
    compiled: bool = False
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """Progress inside an epoch; at most about 20 per second.

    ``train_loss``/``train_acc``/``train_mse`` are means over the batches since the previous
    Step event, so a plot of them follows training closely without per-batch noise.
    """

    epoch: int
    step: int
    batch: int
    train_loss: float
    train_acc: float | None
    train_mse: float | None
    samples_per_s: float
    eta_s: float
    progress: float


@dataclass(frozen=True)
class Epoch:
    """End of an epoch: training means over the epoch and validation on the held-out part.

    For a segmentation the accuracies are the share of pixels right and ``val_miou`` the
    mean intersection over union of the classes (None for other tasks).
    """

    epoch: int
    train_loss: float
    train_acc: float | None
    train_mse: float | None
    val_loss: float | None
    val_acc: float | None
    val_mse: float | None
    lr: float
    time_s: float
    samples_per_s: float
    is_best: bool
    progress: float
    val_miou: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Paused:
    """The caller paused; the generator blocks after yielding this until resume or stop."""

    epoch: int
    step: int


@dataclass(frozen=True)
class Resumed:
    epoch: int
    step: int


@dataclass(frozen=True)
class Finished:
    """All epochs ran (or early stopping ended the run)."""

    metrics: dict[str, Any]
    history: tuple[dict[str, Any], ...]
    epochs_run: int
    stopped_early: bool = False
    best_epoch: int | None = None
    checkpoints: dict[str, str] = field(default_factory=dict)
    normalization: dict[str, Any] | None = None


@dataclass(frozen=True)
class Stopped:
    """The caller asked to stop; the model keeps the weights of the last finished batch."""

    epoch: int
    step: int
    metrics: dict[str, Any]
    history: tuple[dict[str, Any], ...]
    checkpoints: dict[str, str] = field(default_factory=dict)
    normalization: dict[str, Any] | None = None


@dataclass(frozen=True)
class Failed:
    """Training could not start or could not go on; ``message`` says why and what to do."""

    message: str
    kind: FailureKind
    epoch: int | None = None
    step: int | None = None


@dataclass(frozen=True, eq=False)
class WeightsSnapshot:
    """A copy of the weights after a batch, yielded only when asked for
    (``TrainingControl.request_snapshot``): views that show the network while it learns.

    ``state_dict`` maps names to CPU tensors (a copy: the run goes on without touching it).
    """

    epoch: int
    step: int
    state_dict: dict[str, Any]


@dataclass(frozen=True)
class NodeStats:
    """Per-node training statistics of one step (with ``node_stats_every`` on).

    ``nodes`` maps a node's path (``"conv1"``, ``"layer1/conv1"``, ``"layer2/1/conv1"`` for a
    copy of a repeated block) to ``mean``, ``std`` and ``dead`` (share of units zero for
    the whole batch) of its output, ``grad_norm`` (of the loss w.r.t. that output) and, for
    nodes with parameters, ``weight_norm``, ``weight_grad_norm`` and ``update_ratio``
    (None where they do not apply).
    """

    epoch: int
    step: int
    nodes: dict[str, dict[str, float | None]]


Event = (Started | Step | Epoch | Paused | Resumed | Finished | Stopped | Failed
         | WeightsSnapshot | NodeStats)
