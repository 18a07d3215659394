"""Runtime: datasets and training. Imports torch, numpy and scikit-learn; never Qt.

The trainer is a generator of plain event objects (:mod:`netbuilder.runtime.events`) and
starts no threads; the caller decides where it runs. Public API::

    list_datasets, load_dataset, split, Dataset, DatasetInfo     # datasets
    check_compat, Problem                                         # before the first step
    TrainingConfig, config_from_dict                              # settings (project files)
    train, TrainingControl                                        # the loop and its controls
    save_checkpoint, load_checkpoint, Checkpoint                  # checkpoints
    Started, Step, Epoch, Paused, Resumed, Finished, Stopped, Failed   # events

The names load when first used (PEP 562): importing ``netbuilder.runtime.config`` or a
pure module beside it does not import torch through this package.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Checkpoint": "checkpoint", "load_checkpoint": "checkpoint", "save_checkpoint": "checkpoint",
    "Problem": "compat", "check_compat": "compat",
    "TrainingConfig": "config", "config_from_dict": "config",
    "TrainingControl": "control",
    "Dataset": "datasets", "DatasetInfo": "datasets", "list_datasets": "datasets",
    "load_dataset": "datasets", "split": "datasets",
    "resolve_device": "devices",
    "CheckpointError": "errors", "ConfigError": "errors", "DatasetError": "errors",
    "DeviceError": "errors", "NetbuilderRuntimeError": "errors", "TrainingError": "errors",
    "Epoch": "events", "Event": "events", "Failed": "events", "Finished": "events",
    "Paused": "events", "Resumed": "events", "Started": "events", "Step": "events",
    "Stopped": "events",
    "train": "trainer",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'netbuilder.runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"netbuilder.runtime.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
