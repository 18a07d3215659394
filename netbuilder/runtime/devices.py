"""Choosing the torch device: 'auto' means CUDA, then Apple MPS, then the CPU."""

from __future__ import annotations

import torch

from netbuilder.runtime.errors import DeviceError


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def resolve_device(requested: str = "auto") -> torch.device:
    """The device to train on; a forced device that this machine lacks raises DeviceError."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(requested)
    except (RuntimeError, ValueError):
        raise DeviceError(
            f"device {requested!r} is not a device name; expected 'auto', 'cpu', 'cuda', "
            f"'cuda:N' or 'mps'"
        ) from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            build = "a CPU-only build" if torch.version.cuda is None else f"CUDA {torch.version.cuda}"
            raise DeviceError(
                f"device {requested!r} was requested but no CUDA GPU is usable here "
                f"(torch {torch.__version__}, {build}): set device to 'auto' or 'cpu'"
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise DeviceError(
                f"device {requested!r} was requested but this machine has {count} CUDA "
                f"GPU(s), numbered 0..{count - 1}: pick one of those or 'auto'"
            )
    elif device.type == "mps" and not _mps_available():
        raise DeviceError(
            f"device {requested!r} (Apple GPU) was requested but MPS is not available on this "
            f"machine: set device to 'auto' or 'cpu'"
        )
    elif device.type not in ("cpu", "cuda", "mps"):
        raise DeviceError(
            f"device {requested!r} is not supported; expected 'auto', 'cpu', 'cuda' or 'mps'"
        )
    return device


def describe_device(device: torch.device) -> str:
    """A human name: 'CPU (2 threads)', 'NVIDIA H100 80GB HBM3', 'Apple GPU (MPS)'."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return f"CPU ({torch.get_num_threads()} threads)"


def synchronize(device: torch.device) -> None:
    """Wait for queued device work (for honest timings); nothing to do on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def empty_cache(device: torch.device) -> None:
    """Give cached, unused device memory back (after an out-of-memory failure)."""
    if device.type == "cuda" and torch.cuda.is_available():
        torch.cuda.empty_cache()
    elif device.type == "mps" and _mps_available():
        torch.mps.empty_cache()
