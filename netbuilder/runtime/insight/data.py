"""The validation samples a run was judged on, prepared exactly as the trainer prepared them.

Same split (``split_indices`` with the run's ``val_fraction`` and ``seed``), same
normalisation (the statistics the run fitted on its training part), so a view or a report
computes the accuracy the trainer reported. ``raw`` keeps the samples as the dataset holds
them, for showing to people; ``x`` is what the network is fed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from netbuilder.runtime.datasets import Dataset, DatasetInfo, split_indices
from netbuilder.runtime.datasets.normalize import Normalization, fit_normalization


@dataclass(frozen=True, eq=False)
class EvalSet:
    """Validation samples: ``x`` as fed to the network, ``raw`` as the dataset holds them."""

    x: torch.Tensor
    raw: torch.Tensor
    y: torch.Tensor
    indices: torch.Tensor        # positions in the whole dataset
    info: DatasetInfo
    normalization: Normalization | None

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def classes(self) -> list[str]:
        """Class names, or ``"0"``, ``"1"``... where the dataset gives none."""
        names = list(self.info.class_names)
        return names if len(names) == self.info.num_classes else [str(i) for i in range(self.info.num_classes)]

    def feed(self, raw: torch.Tensor) -> torch.Tensor:
        """A sample (or batch) in the dataset's terms made ready for the network."""
        x = raw if raw.dim() > len(self.info.sample_shape) else raw.unsqueeze(0)
        return self.normalization.apply(x) if self.normalization is not None else x


def normalization_from(data: Mapping[str, Any] | None) -> Normalization | None:
    """A Normalization from its ``to_dict`` form (a checkpoint or a Finished event)."""
    if not data:
        return None
    shape = [int(d) for d in data["shape"]]
    mean = torch.tensor([float(v) for v in data["mean"]], dtype=torch.float32).reshape(shape)
    std = torch.tensor([float(v) for v in data["std"]], dtype=torch.float32).reshape(shape)
    return Normalization(mean, std)


def eval_set(dataset: Dataset, val_fraction: float = 0.2, seed: int = 0, *,
             normalize: bool = False, normalization: Mapping[str, Any] | None = None,
             limit: int | None = None) -> EvalSet:
    """The validation part of ``dataset`` as a run with these settings saw it.

    ``normalization`` is the run's own (from its checkpoint); without it and with
    ``normalize`` the statistics are fitted again on the training part, as the run did.
    A run without validation (``val_fraction`` 0) is judged on its training samples.
    ``limit`` keeps the first so many (views that need only a few).
    """
    train_idx, val_idx = split_indices(dataset, val_fraction, seed)
    if len(val_idx) == 0:
        val_idx = train_idx
    if limit is not None:
        val_idx = val_idx[:limit]
    norm = normalization_from(normalization)
    if norm is None and normalize:
        norm = fit_normalization(dataset.x[train_idx])
    raw = dataset.x[val_idx]
    x = norm.apply(raw) if norm is not None else raw
    return EvalSet(x, raw, dataset.y[val_idx], val_idx, dataset.info, norm)


@dataclass(frozen=True, eq=False)
class RunContext:
    """Everything needed to look inside trained weights: the graph they belong to (a frozen
    snapshot), the dataset and settings of their run, and the weights themselves (None
    while a run is live and no snapshot came yet)."""

    graph: Any
    dataset: Dataset
    config: Any                      # the run's TrainingConfig
    state_dict: Mapping[str, torch.Tensor] | None
    epoch: int = 0
    fingerprint: str = ""

    def with_weights(self, state_dict: Mapping[str, torch.Tensor], epoch: int) -> RunContext:
        return RunContext(self.graph, self.dataset, self.config, state_dict, epoch, self.fingerprint)

    def eval_set(self, limit: int | None = None) -> EvalSet:
        c = self.config
        return eval_set(self.dataset, c.val_fraction, c.seed, normalize=c.normalize, limit=limit)

    def prober(self):
        from netbuilder.runtime.insight.probe import Prober

        return Prober(self.graph, self.state_dict)
