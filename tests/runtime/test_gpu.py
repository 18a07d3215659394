"""CUDA-only behaviour: bf16 autocast, channels_last, torch.compile, data on the GPU."""

from __future__ import annotations

import pytest
import torch
from runtime_models import RaisesOutOfMemory, small_cnn

from netbuilder.runtime import Epoch, Failed, Finished, Started, TrainingConfig, load_dataset, train

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def test_auto_picks_cuda_with_bf16_and_channels_last(digits):
    events = list(train(small_cnn(), digits, TrainingConfig(epochs=8, lr=3e-3)))
    started, finished = events[0], events[-1]
    assert isinstance(started, Started) and started.device.startswith("cuda")
    assert started.mixed_precision == torch.cuda.is_bf16_supported()
    assert started.channels_last
    assert isinstance(finished, Finished) and finished.metrics["val_acc"] > 0.9


def test_same_seed_same_curve_on_cuda(digits, monkeypatch):
    def losses():
        torch.manual_seed(0)
        config = TrainingConfig(epochs=2, mixed_precision=False, device="cuda")
        return [e.train_loss for e in train(small_cnn(), digits, config) if isinstance(e, Epoch)]

    monkeypatch.setattr(torch.backends.cudnn, "deterministic", True)
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", False)
    # the CPU test asserts bit-identical curves; some CUDA kernels (the loss reduction) may
    # sum in varying order, so on the GPU the curves must agree to float precision
    assert losses() == pytest.approx(losses(), rel=1e-5)


def test_compile_option_trains_or_falls_back_with_a_warning(digits):
    events = list(train(small_cnn(), digits, TrainingConfig(epochs=1, compile=True, device="cuda")))
    assert isinstance(events[-1], Finished)
    assert events[0].compiled or any("torch.compile" in w for w in events[0].warnings)


def test_out_of_memory_handler_leaves_cuda_usable(digits):
    failed = list(train(RaisesOutOfMemory(small_cnn()), digits, TrainingConfig(device="cuda")))[-1]
    assert isinstance(failed, Failed) and failed.kind == "oom"
    data = load_dataset("digits28")
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    assert isinstance(list(train(model, data, TrainingConfig(device="cuda", epochs=1)))[-1], Finished)
