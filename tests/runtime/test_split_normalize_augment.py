"""Seeded stratified splits, normalisation fitted on the training part, batch augmentation."""

from __future__ import annotations

import pytest
import torch

from netbuilder.runtime.datasets import (
    DatasetError,
    augment_batch,
    fit_normalization,
    load_dataset,
    split,
    split_indices,
)


def test_split_is_seeded_disjoint_complete_and_stratified(digits):
    train, val = split_indices(digits, 0.2, seed=0)
    again, _ = split_indices(digits, 0.2, seed=0)
    other, _ = split_indices(digits, 0.2, seed=1)
    assert torch.equal(train, again) and not torch.equal(train, other)
    assert sorted(torch.cat([train, val]).tolist()) == list(range(len(digits)))
    assert abs(len(val) - 0.2 * len(digits)) <= 10
    share = torch.bincount(digits.y[val], minlength=10) / torch.bincount(digits.y, minlength=10)
    assert share.min() > 0.15 and share.max() < 0.25
    train_set, val_set = split(digits, 0.2, seed=0)
    assert torch.equal(train_set.x, digits.x[train]) and val_set.info == digits.info


def test_split_without_validation_and_bad_fractions(digits):
    train, val = split_indices(digits, 0.0)
    assert len(train) == len(digits) and len(val) == 0
    with pytest.raises(DatasetError, match="val_fraction must be at least 0 and below 1"):
        split(digits, 1.0)


def test_normalization_is_per_channel_for_images_and_per_feature_for_tables():
    images = torch.rand(50, 3, 4, 4) * torch.tensor([1.0, 10.0, 100.0]).view(1, 3, 1, 1)
    norm = fit_normalization(images)
    assert norm.mean.shape == (3, 1, 1)
    out = norm.apply(images)
    assert torch.allclose(out.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5)
    assert torch.allclose(out.std(dim=(0, 2, 3), unbiased=False), torch.ones(3), atol=1e-4)
    table = load_dataset("wine").x * 5 + 2
    assert fit_normalization(table).mean.shape == (13,)
    sequences = load_dataset("waveforms").x
    assert fit_normalization(sequences).mean.shape == (1, 1)
    assert fit_normalization(torch.ones(4, 3, dtype=torch.int64)) is None
    constant = fit_normalization(torch.ones(10, 2))
    assert torch.equal(constant.std, torch.ones(2))  # no division by zero


def test_augmentation_works_on_whole_batches_and_follows_the_seed():
    x = torch.rand(64, 3, 8, 8)
    a = augment_batch(x, crop_padding=2, hflip=True, generator=torch.Generator().manual_seed(3))
    b = augment_batch(x, crop_padding=2, hflip=True, generator=torch.Generator().manual_seed(3))
    assert a.shape == x.shape and torch.equal(a, b)
    assert not torch.equal(a, x)
    flipped = augment_batch(x, crop_padding=0, hflip=True, generator=torch.Generator().manual_seed(0))
    same = [torch.equal(flipped[i], x[i]) for i in range(64)]
    mirrored = [torch.equal(flipped[i], x[i].flip(2)) for i in range(64)]
    assert all(s or m for s, m in zip(same, mirrored, strict=True)) and 10 < sum(mirrored) < 54
    assert torch.equal(augment_batch(x[:, 0, 0], crop_padding=2, hflip=True,
                                     generator=torch.Generator()), x[:, 0, 0])


def test_random_crop_only_shifts_images_within_the_padding():
    x = torch.zeros(200, 1, 5, 5)
    x[:, 0, 2, 2] = 1.0  # a dot in the middle
    out = augment_batch(x, crop_padding=1, hflip=False, generator=torch.Generator().manual_seed(0))
    assert torch.equal(out.sum(dim=(1, 2, 3)), torch.ones(200))  # never cropped away
    where = out[:, 0].flatten(1).argmax(1)
    rows, cols = where // 5, where % 5
    assert set(rows.tolist()) == {1, 2, 3} and set(cols.tolist()) == {1, 2, 3}
