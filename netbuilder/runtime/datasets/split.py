"""Splitting a dataset into training and validation parts with a seed (stratified by class)."""

from __future__ import annotations

import torch

from netbuilder.runtime.datasets.base import Dataset
from netbuilder.runtime.errors import DatasetError


def split_indices(
    dataset: Dataset, val_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Train and validation index tensors; classification keeps class proportions."""
    if not 0.0 <= val_fraction < 1.0:
        raise DatasetError(
            f"val_fraction must be at least 0 and below 1, received {val_fraction}; "
            f"0.2 keeps a fifth of the data for validation"
        )
    n = len(dataset)
    generator = torch.Generator().manual_seed(seed)
    if val_fraction == 0.0 or n < 2:
        return torch.randperm(n, generator=generator), torch.empty(0, dtype=torch.int64)
    if dataset.info.is_classification:
        groups = [torch.nonzero(dataset.y == c).flatten() for c in torch.unique(dataset.y)]
    else:
        groups = [torch.arange(n)]
    train_parts, val_parts = [], []
    for group in groups:
        group = group[torch.randperm(len(group), generator=generator)]
        take = int(round(len(group) * val_fraction))
        take = min(take, len(group) - 1)
        val_parts.append(group[:take])
        train_parts.append(group[take:])
    val = torch.cat(val_parts)
    if len(val) == 0:  # tiny dataset: still validate on one sample
        train = torch.cat(train_parts)
        val, train = train[:1], train[1:]
    else:
        train = torch.cat(train_parts)
    train = train[torch.randperm(len(train), generator=generator)]
    val = val[torch.randperm(len(val), generator=generator)]
    return train, val


def split(dataset: Dataset, val_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
    """(train, validation) datasets; the same seed always gives the same split."""
    train, val = split_indices(dataset, val_fraction, seed)
    return dataset.subset(train), dataset.subset(val)
