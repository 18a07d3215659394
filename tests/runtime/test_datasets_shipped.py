"""The shipped datasets load without network, with the shapes and types their info promises."""

from __future__ import annotations

import pytest
import torch

from netbuilder.runtime.datasets import DatasetError, list_datasets, load_dataset

NAMES = [info.name for info in list_datasets()]


def test_the_promised_datasets_are_listed():
    for name in ("digits", "digits28", "iris", "wine", "breast_cancer", "moons", "circles",
                 "xor", "spirals", "waveforms", "shapes"):
        assert name in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_dataset_loads_as_its_info_says(name):
    listed = next(info for info in list_datasets() if info.name == name)
    data = load_dataset(name)
    assert data.info == listed
    assert tuple(data.x.shape[1:]) == listed.sample_shape
    assert data.x.dtype == torch.float32
    assert torch.isfinite(data.x).all()
    assert len(data) >= 100
    assert listed.title and listed.description and "\n" not in listed.description
    if listed.task in ("classification", "segmentation"):   # a class per sample, or per pixel
        assert data.y.dtype == torch.int64
        assert set(data.y.unique().tolist()) == set(range(listed.num_classes))
        assert len(listed.class_names) == listed.num_classes
        assert tuple(data.y.shape[1:]) == listed.target_shape
    else:
        assert data.y.dtype == torch.float32 and listed.num_classes == 0


def test_digits_are_scaled_to_unit_range_and_digits28_is_the_same_data_upscaled():
    small, big = load_dataset("digits"), load_dataset("digits28")
    assert small.x.shape == (1797, 1, 8, 8) and big.x.shape == (1797, 1, 28, 28)
    assert small.x.min() == 0 and small.x.max() == 1
    assert 0 <= big.x.min() and big.x.max() <= 1
    assert torch.equal(small.y, big.y)
    assert "upscaled to 28x28" in big.info.title
    shrunk = torch.nn.functional.adaptive_avg_pool2d(big.x, 8)
    correlation = torch.corrcoef(torch.stack([shrunk.flatten(), small.x.flatten()]))[0, 1]
    assert correlation > 0.9


def test_tabular_features_are_standardised():
    for name in ("iris", "wine", "breast_cancer"):
        x = load_dataset(name).x
        assert torch.allclose(x.mean(0), torch.zeros(x.shape[1]), atol=1e-4)
        assert torch.allclose(x.std(0, unbiased=False), torch.ones(x.shape[1]), atol=1e-3)


def test_generated_sets_are_the_same_every_time_and_change_with_the_seed():
    for name in ("moons", "circles", "xor", "spirals", "waveforms", "shapes"):
        a, b = load_dataset(name), load_dataset(name)
        assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
        c = load_dataset(name, seed=1)
        assert not torch.equal(a.x, c.x)


def test_waveforms_are_sequences_of_four_balanced_shapes():
    data = load_dataset("waveforms")
    assert data.info.sample_shape == (32, 1)
    assert data.info.class_names == ("sine", "square", "sawtooth", "triangle")
    counts = torch.bincount(data.y)
    assert counts.min() == counts.max() == 500
    longer = load_dataset("waveforms", length=64, n_samples=40)
    assert longer.x.shape == (40, 64, 1) and longer.info.sample_shape == (64, 1)


def test_unknown_names_and_options_say_what_is_accepted():
    with pytest.raises(DatasetError, match="Did you mean 'digits'"):
        load_dataset("digitz")
    with pytest.raises(DatasetError, match="Accepted options: n_samples, noise, seed"):
        load_dataset("moons", n_sample=10)
    with pytest.raises(DatasetError, match="'n_samples' must be a whole number"):
        load_dataset("moons", n_samples=-3)
    with pytest.raises(DatasetError, match="unknown option 'size'"):
        load_dataset("iris", size=3)
