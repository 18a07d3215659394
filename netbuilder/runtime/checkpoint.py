"""Saving and loading training checkpoints (weights, optimiser state, graph fingerprint).

A checkpoint is a dict saved with ``torch.save`` and read back with
``torch.load(weights_only=True)``: only tensors and plain containers, never arbitrary
objects. The fingerprint string identifies the graph the weights belong to; loading a
checkpoint for another graph is refused with a clear message.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from netbuilder.codegen.weights import LOAD_ERRORS, UNSAFE, why_unreadable
from netbuilder.graph import atomic
from netbuilder.runtime.errors import CheckpointError

FORMAT = "netbuilder-checkpoint"
VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    """The content of a checkpoint file, as loaded (tensors on the CPU)."""

    path: str
    fingerprint: str
    epoch: int
    model_state: dict[str, torch.Tensor]
    optimizer_state: dict[str, Any] | None
    metrics: dict[str, Any]
    trainer_state: dict[str, Any] = field(default_factory=dict)

    def check_fingerprint(self, fingerprint: str) -> None:
        """Raise CheckpointError unless the checkpoint was saved for ``fingerprint``."""
        if self.fingerprint != fingerprint:
            raise CheckpointError(
                f"{Path(self.path).name}: this checkpoint was saved for a different graph "
                f"(fingerprint {_short(self.fingerprint)}), the current graph has "
                f"{_short(fingerprint)}; its weights do not fit. Undo the graph changes, or "
                f"train from scratch instead of resuming"
            )


def _short(fingerprint: str) -> str:
    return f"'{fingerprint[:12]}…'" if len(fingerprint) > 12 else f"'{fingerprint}'"


def _state_of(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    original = getattr(model, "_orig_mod", model)  # torch.compile wraps the module
    return {k: v.detach().cpu() for k, v in original.state_dict().items()}


def state_copy(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The weights as CPU tensors that later training steps cannot change (always a copy)."""
    original = getattr(model, "_orig_mod", model)
    return {k: v.detach().to("cpu", copy=True) for k, v in original.state_dict().items()}


def save_checkpoint(
    path: str | os.PathLike[str],
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None,
    epoch: int,
    fingerprint: str,
    metrics: dict[str, Any] | None = None,
    *,
    trainer_state: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint atomically (a partly written file never replaces a good one);
    CheckpointError names the file when it cannot be written (the old one is kept).

    ``epoch`` is the number of finished epochs; resuming continues with the next one.
    ``metrics`` and ``trainer_state`` must hold only tensors and plain values.
    """
    path = Path(path)
    data = checkpoint_bytes(model, optimizer, epoch, fingerprint, metrics,
                            trainer_state=trainer_state)
    try:
        atomic.write_bytes(path, data)
    except atomic.WriteError as exc:
        raise CheckpointError(str(exc)) from None
    return path


def checkpoint_bytes(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer | None,
    epoch: int,
    fingerprint: str,
    metrics: dict[str, Any] | None = None,
    *,
    trainer_state: dict[str, Any] | None = None,
) -> bytes:
    """The bytes of a checkpoint file (what ``save_checkpoint`` writes), made in memory so
    the same checkpoint can be written to several files (last and best) at once."""
    return payload_bytes(_state_of(model), optimizer.state_dict() if optimizer is not None
                         else None, epoch, fingerprint, metrics, trainer_state=trainer_state)


def payload_bytes(
    model_state: dict[str, torch.Tensor],
    optimizer_state: dict[str, Any] | None,
    epoch: int,
    fingerprint: str,
    metrics: dict[str, Any] | None = None,
    *,
    trainer_state: dict[str, Any] | None = None,
) -> bytes:
    """A checkpoint's bytes from state dicts already gathered (the training script's FSDP
    run gathers the shards of every process into one whole state first)."""
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "fingerprint": str(fingerprint),
        "epoch": int(epoch),
        "model": model_state,
        "optimizer": optimizer_state,
        "metrics": dict(metrics or {}),
        "trainer": dict(trainer_state or {}),
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def best_path_for(last: str | os.PathLike[str]) -> Path:
    """Where the best epoch's checkpoint goes beside ``last``: ``C.pt`` -> ``C.best.pt``."""
    last = Path(last)
    return last.with_name(f"{last.stem}.best{last.suffix or '.pt'}")


def _check_crcs(path: Path) -> None:
    """A torch.save file is a zip whose members carry CRC-32s that torch.load does not check:
    a damaged byte in the pickled part could read back as another epoch or setting. Check
    them (one read of the file); BadZipFile names the first damaged member."""
    if not zipfile.is_zipfile(path):
        return                      # torch.load says what it is (legacy or not a checkpoint)
    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
    if bad is not None:
        raise zipfile.BadZipFile(f"the file is damaged: {bad} does not match its checksum")


def load_checkpoint(
    path: str | os.PathLike[str], *, expected_fingerprint: str | None = None
) -> Checkpoint:
    """Read a checkpoint (``weights_only=True``); check its fingerprint when one is given."""
    path = Path(path)
    try:
        _check_crcs(path)
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: checkpoint file not found") from None
    except LOAD_ERRORS as exc:
        reason = why_unreadable(exc)
        if reason == UNSAFE:
            raise CheckpointError(f"{path.name}: {reason}") from None
        raise CheckpointError(
            f"{path.name}: expected a netbuilder checkpoint (a torch.save file of tensors and "
            f"plain values), but it cannot be read: {reason.split(': ', 1)[-1]}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"{path.name}: expected a netbuilder checkpoint (format '{FORMAT}'), found "
            f"{'a dict without that format tag' if isinstance(payload, dict) else type(payload).__name__}"
        )
    if payload.get("version") != VERSION:
        raise CheckpointError(
            f"{path.name}: checkpoint version {payload.get('version')!r} is not supported; "
            f"this netbuilder reads version {VERSION}"
        )
    if not isinstance(payload.get("model"), dict) or not isinstance(payload.get("epoch"), int):
        raise CheckpointError(f"{path.name}: checkpoint lacks the model weights or the epoch")
    checkpoint = Checkpoint(
        path=str(path),
        fingerprint=str(payload.get("fingerprint", "")),
        epoch=payload["epoch"],
        model_state=payload["model"],
        optimizer_state=payload.get("optimizer"),
        metrics=dict(payload.get("metrics") or {}),
        trainer_state=dict(payload.get("trainer") or {}),
    )
    if expected_fingerprint is not None:
        checkpoint.check_fingerprint(expected_fingerprint)
    return checkpoint


def restore_model(checkpoint: Checkpoint, model: torch.nn.Module) -> None:
    """Load the checkpoint's weights into ``model``; a shape mismatch is a CheckpointError."""
    original = getattr(model, "_orig_mod", model)
    try:
        original.load_state_dict(checkpoint.model_state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        detail = " ".join(line.strip() for line in first[:3])
        raise CheckpointError(
            f"{Path(checkpoint.path).name}: the weights do not fit this model ({detail}); "
            f"was the graph changed since the checkpoint was saved?"
        ) from None
