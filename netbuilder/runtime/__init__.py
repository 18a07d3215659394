"""Runtime: datasets and training. Imports torch, numpy and scikit-learn; never Qt.

The trainer is a generator of plain event objects (:mod:`netbuilder.runtime.events`) and
starts no threads; the caller decides where it runs. Public API::

    list_datasets, load_dataset, split, Dataset, DatasetInfo     # datasets
    check_compat, Problem                                         # before the first step
    TrainingConfig, config_from_dict                              # settings (project files)
    train, TrainingControl                                        # the loop and its controls
    save_checkpoint, load_checkpoint, Checkpoint                  # checkpoints
    Started, Step, Epoch, Paused, Resumed, Finished, Stopped, Failed   # events
"""

from netbuilder.runtime.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from netbuilder.runtime.compat import Problem, check_compat
from netbuilder.runtime.config import TrainingConfig, config_from_dict
from netbuilder.runtime.control import TrainingControl
from netbuilder.runtime.datasets import Dataset, DatasetInfo, list_datasets, load_dataset, split
from netbuilder.runtime.devices import resolve_device
from netbuilder.runtime.errors import (
    CheckpointError,
    ConfigError,
    DatasetError,
    DeviceError,
    NetbuilderRuntimeError,
    TrainingError,
)
from netbuilder.runtime.events import (
    Epoch,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Started,
    Step,
    Stopped,
)
from netbuilder.runtime.trainer import train

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "ConfigError",
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "DeviceError",
    "Epoch",
    "Event",
    "Failed",
    "Finished",
    "NetbuilderRuntimeError",
    "Paused",
    "Problem",
    "Resumed",
    "Started",
    "Step",
    "Stopped",
    "TrainingConfig",
    "TrainingControl",
    "TrainingError",
    "check_compat",
    "config_from_dict",
    "list_datasets",
    "load_checkpoint",
    "load_dataset",
    "resolve_device",
    "save_checkpoint",
    "split",
    "train",
]
