"""Continuing a run from a checkpoint: what the trainer stores beside the weights (history,
schedule, random state, settings) and how it is put back so the curve goes on exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from netbuilder.runtime.checkpoint import Checkpoint, restore_model
from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.datasets.normalize import Normalization
from netbuilder.runtime.errors import CheckpointError
from netbuilder.runtime.optim import Schedule
from netbuilder.runtime.record import RunRecord


def schedule_settings(config: TrainingConfig) -> tuple[str, ...]:
    """The settings the lr schedule of ``config`` depends on. ``epochs`` counts only where
    the schedule spans the run (cosine, one-cycle, a step size of a third of the epochs), so
    continuing for more epochs with a constant lr keeps the optimiser's state without a
    warning."""
    keys = ["lr_schedule", "lr"]
    kind = config.lr_schedule
    if kind == "step":
        keys += ["lr_step_size", "lr_gamma"]
    if kind in ("cosine", "onecycle") or (kind == "step" and config.lr_step_size is None):
        keys.append("epochs")
    return tuple(keys)


def trainer_state(record: RunRecord, schedule: Schedule, config: TrainingConfig,
                  normalization: Normalization | None, device: torch.device) -> dict[str, Any]:
    """Everything besides weights and optimiser state needed to continue the run."""
    state = record.to_state()
    state.update(
        schedule=schedule.state_dict(),
        config=config.to_dict(),
        rng_cpu=torch.get_rng_state(),
        normalization=normalization.to_dict() if normalization else None,
    )
    if device.type == "cuda":
        state["rng_cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore(checkpoint: Checkpoint, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
            schedule: Schedule, config: TrainingConfig, fingerprint: str) -> tuple[int, RunRecord, list[str]]:
    """Load weights, optimiser and schedule; returns the first epoch to run, the record so
    far and warnings about settings that changed since the checkpoint."""
    checkpoint.check_fingerprint(fingerprint)
    name = Path(checkpoint.path).name
    if checkpoint.epoch >= config.epochs:
        raise CheckpointError(
            f"{name}: the checkpoint already finished {checkpoint.epoch} of {config.epochs} "
            f"epochs; raise epochs above {checkpoint.epoch} to continue training"
        )
    restore_model(checkpoint, model)
    state = checkpoint.trainer_state
    saved = state.get("config") or {}
    warnings = []
    if checkpoint.optimizer_state is not None and saved.get("optimizer") == config.optimizer:
        try:
            optimizer.load_state_dict(checkpoint.optimizer_state)
        except (ValueError, KeyError, RuntimeError) as exc:
            raise CheckpointError(f"{name}: the optimiser state does not fit this model ({exc})") from None
        if all(saved.get(k) == getattr(config, k) for k in schedule_settings(config)):
            schedule.load_state_dict(state.get("schedule") or {})
        else:
            for group in optimizer.param_groups:
                group["lr"] = config.lr
            warnings.append(
                "The learning-rate settings changed since the checkpoint; the schedule starts "
                f"over from lr {config.lr:g}"
            )
    else:
        warnings.append(
            f"The checkpoint was saved with optimizer '{saved.get('optimizer')}'; "
            f"'{config.optimizer}' starts with a fresh state"
        )
    return checkpoint.epoch + 1, RunRecord.from_state(state), warnings


def restore_rng(checkpoint: Checkpoint) -> None:
    """Continue the global random stream (dropout) where the checkpointed run left it."""
    state = checkpoint.trainer_state
    cpu = state.get("rng_cpu")
    if isinstance(cpu, torch.Tensor):
        torch.set_rng_state(cpu)
    cuda = state.get("rng_cuda")
    if isinstance(cuda, list) and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
