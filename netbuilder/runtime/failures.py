"""Turning what went wrong during a run into a readable Failed event.

Out-of-memory, a loss that is not finite, a layer that raises: each gets a message that
names where it happened and the usual cause, so a student knows what to change.
"""

from __future__ import annotations

import torch

from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.errors import (
    CheckpointError,
    ConfigError,
    DatasetError,
    DeviceError,
    NetbuilderRuntimeError,
)
from netbuilder.runtime.events import Failed, FailureKind

ADAPTIVE = ("adam", "adamw", "rmsprop", "adagrad")


def is_out_of_memory(exc: BaseException) -> bool:
    """CUDA/CPU OutOfMemoryError, or the RuntimeError MPS raises for the same thing."""
    if isinstance(exc, torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def out_of_memory(exc: BaseException, config: TrainingConfig, phase: str, epoch: int | None,
                  step: int | None) -> Failed:
    """The OOM message: a smaller batch, or a smaller dataset when the data did not fit."""
    smaller = max(1, config.batch_size // 2)
    if phase == "data":
        advice = (
            "the dataset itself does not fit in the device memory: use fewer samples "
            "(the 'limit' option), smaller images, or train on the CPU"
        )
    else:
        advice = (
            f"try a smaller batch size (e.g. {smaller} instead of {config.batch_size}), "
            f"smaller layers, or mixed precision"
        )
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "out of memory"
    return Failed(
        message=f"The device ran out of memory ({first[:200]}): {advice}. The memory has "
        f"been released; you can train again.",
        kind="oom",
        epoch=epoch,
        step=step,
    )


def non_finite_loss(value: float, config: TrainingConfig, epoch: int, step: int, batch: int,
                    first_step: bool) -> Failed:
    """The NaN/inf message with where it happened and the usual cause."""
    where = f"epoch {epoch}, step {step} (batch {batch} of the epoch)"
    if first_step:
        cause = (
            "The model's output or the loss was not finite before any learning happened: "
            "check the data for NaN/inf values and layers that can overflow (Log, division, "
            "Exp); normalising the inputs often helps"
        )
    elif config.lr >= (0.01 if config.optimizer in ADAPTIVE else 0.5):
        suggestion = 0.001 if config.optimizer in ADAPTIVE else 0.01
        cause = f"The learning rate {config.lr:g} is probably too high; try {suggestion:g}"
    else:
        cause = (
            f"Usually the learning rate ({config.lr:g}) is still too high for this model: lower it, "
            f"set grad_clip_norm (e.g. 1.0), add normalisation (BatchNorm), or check the data "
            f"for extreme values"
        )
    return Failed(
        message=f"The loss became {value} at {where}; training stopped. {cause}.",
        kind="nan",
        epoch=epoch,
        step=step,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def locate_failing_layer(model: torch.nn.Module, x: torch.Tensor) -> str | None:
    """Run ``model`` on ``x`` with hooks and name the innermost layer that raised, if any."""
    stack: list[str] = []
    failed: list[str] = []
    handles = []

    def enter(name: str):
        def hook(module: torch.nn.Module, args: object) -> None:
            stack.append(f"'{name}' ({type(module).__name__})" if name else type(module).__name__)
        return hook

    def leave(module: torch.nn.Module, args: object, output: object) -> None:
        stack.pop()

    original = getattr(model, "_orig_mod", model)
    for name, module in original.named_modules():
        handles.append(module.register_forward_pre_hook(enter(name)))
        handles.append(module.register_forward_hook(leave))
    try:
        with torch.no_grad():
            original(x)
    except Exception:  # noqa: BLE001 - the error is reported by the caller; we only locate it
        failed = list(stack)
    finally:
        for handle in handles:
            handle.remove()
    # only the outer model on the stack: the failing code is its own forward, not a layer
    return failed[-1] if len(failed) > 1 else None


def from_exception(exc: Exception, epoch: int | None, step: int | None, layer: str | None = None) -> Failed:
    """Any other exception: its type and first line, the layer when one was identified."""
    kind: FailureKind = "error"
    if isinstance(exc, ConfigError):
        kind = "config"
    elif isinstance(exc, DatasetError):
        kind = "data"
    elif isinstance(exc, DeviceError):
        kind = "device"
    elif isinstance(exc, CheckpointError):
        kind = "checkpoint"
    if isinstance(exc, NetbuilderRuntimeError):
        return Failed(message=str(exc), kind=kind, epoch=epoch, step=step)
    where = f" in layer {layer}" if layer else ""
    when = f" at epoch {epoch}, step {step}" if epoch is not None and step else ""
    return Failed(
        message=f"{type(exc).__name__}{where}{when}: {_first_line(exc)}",
        kind="model" if layer else kind,
        epoch=epoch,
        step=step,
    )
