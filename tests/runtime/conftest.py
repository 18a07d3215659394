"""Shared fixtures for the runtime tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(scope="session")
def digits():
    from netbuilder.runtime.datasets import load_dataset

    return load_dataset("digits")


@pytest.fixture(autouse=True)
def _fixed_seed_and_one_thread():
    """One intra-op thread: these models are tiny, and on a busy 2-core machine two
    spinning OpenMP threads made training 10-20x slower (measured)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)
