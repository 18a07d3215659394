"""Typed errors raised by the runtime (datasets, configuration, devices, checkpoints).

Each message says what was expected, what was received and what to do; the CLI and the UI
show ``str(error)`` as it is.
"""

from __future__ import annotations


class NetbuilderRuntimeError(Exception):
    """Base of every error the runtime raises on purpose."""


class DatasetError(NetbuilderRuntimeError, ValueError):
    """A dataset name is unknown, or a data file is missing or malformed."""


class ConfigError(NetbuilderRuntimeError, ValueError):
    """A training configuration value is out of range or of the wrong type."""


class TrainingError(NetbuilderRuntimeError, RuntimeError):
    """Training cannot start or continue (device, model or data problem)."""


class DeviceError(TrainingError):
    """The requested device does not exist on this machine."""


class CheckpointError(NetbuilderRuntimeError, ValueError):
    """A checkpoint file is missing, malformed, or belongs to a different graph."""
