"""Every failure ends the run with one readable Failed event; nothing escapes the generator."""

from __future__ import annotations

import pytest
import torch
from runtime_models import Overflows, RaisesOutOfMemory, mlp, small_cnn
from torch import nn

from netbuilder.runtime import Failed, Finished, Started, Step, TrainingConfig, load_dataset, train
from netbuilder.runtime.datasets import Dataset, DatasetInfo


def run(model, dataset, config=None, **kwargs):
    events = list(train(model, dataset, config or TrainingConfig(device="cpu", epochs=2), **kwargs))
    assert sum(isinstance(e, Failed | Finished) for e in events) == 1
    return events


def test_a_huge_learning_rate_fails_with_epoch_step_and_advice(digits):
    events = run(small_cnn(), digits, TrainingConfig(device="cpu", optimizer="sgd", lr=1e6, epochs=3))
    failed = events[-1]
    assert isinstance(failed, Failed) and failed.kind == "nan"
    assert failed.epoch == 1 and failed.step >= 2
    assert f"epoch 1, step {failed.step}" in failed.message
    assert "The learning rate 1e+06 is probably too high; try 0.01." in failed.message
    assert all(e.step < failed.step for e in events if isinstance(e, Step))


def test_a_model_that_outputs_infinity_fails_at_the_first_step():
    failed = run(Overflows(4, 3), load_dataset("iris"))[-1]
    assert failed.kind == "nan" and failed.step == 1
    assert "not finite before any learning happened" in failed.message


def test_out_of_memory_in_the_first_batch_suggests_a_smaller_batch(digits):
    config = TrainingConfig(device="cpu", epochs=2, batch_size=256)
    events = run(RaisesOutOfMemory(small_cnn()), digits, config)
    failed = events[-1]
    assert failed.kind == "oom"
    assert "ran out of memory" in failed.message and "smaller batch size (e.g. 128 instead of 256)" in failed.message
    # the process stays usable: the same data trains fine right after
    assert isinstance(run(small_cnn(), digits)[-1], Finished)


def test_out_of_memory_in_the_middle_of_a_run_names_where(digits):
    model = RaisesOutOfMemory(small_cnn(), after=30)
    failed = run(model, digits, TrainingConfig(device="cpu", epochs=3))[-1]
    assert failed.kind == "oom" and failed.epoch == 2 and failed.step == 30
    assert all(p.grad is None for p in model.parameters())  # gradients were released


def test_a_layer_that_does_not_fit_is_named(digits):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))  # made for 28x28, given 8x8
    events = run(model, digits)
    assert len(events) == 1
    failed = events[0]
    assert failed.kind == "model"
    assert failed.message.startswith("The model cannot run on samples of 'digits' (1x8x8): RuntimeError in layer '1' (Linear)")
    assert "mat1 and mat2 shapes cannot be multiplied" in failed.message


def test_the_input_shape_check_speaks_before_the_model_runs(digits):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    failed = run(model, digits, input_shape=(1, 28, 28))[0]
    assert failed.kind == "compat"
    assert failed.message == (
        "The model expects 1x28x28 but 'digits' gives 1x8x8: change the Input node's shape to "
        "1x8x8 or pick 'digits28' (digits upscaled to 28x28)"
    )
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 5))
    failed = run(model, digits, input_shape=(1, 8, 8))[0]
    assert failed.kind == "compat"
    assert failed.message == (
        "The last layer gives 5 values but 'digits' has 10 classes: set the last Linear's "
        "out_features to 10"
    )


class BackwardFails(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("this layer has no gradient")


class NoGradient(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, x):
        return BackwardFails.apply(self.linear(x))


def test_any_other_exception_becomes_a_failed_event_with_its_type_and_message():
    failed = run(NoGradient(), load_dataset("iris"))[-1]
    assert failed.kind == "error" and failed.epoch == 1
    assert failed.message.startswith("ValueError")
    assert "this layer has no gradient" in failed.message


def test_settings_data_and_device_problems_are_failed_events_too(digits):
    failed = list(train(small_cnn(), digits, {"lr": -1}))[-1]
    assert failed.kind == "config" and "lr must be a number above 0" in failed.message
    info = DatasetInfo("bad", "bad", "classification", (2,), num_classes=2, class_names=("a", "b"))
    bad_labels = Dataset(torch.zeros(4, 2), torch.tensor([0, 1, 2, 1]), info)
    failed = list(train(mlp(2, 2), bad_labels, TrainingConfig(device="cpu")))[-1]
    assert failed.kind == "data" and "class ids from 0 to 2" in failed.message
    failed = list(train(mlp(2, 2), Dataset(torch.full((4, 2), float("nan")), torch.tensor([0, 1, 0, 1]), info),
                        TrainingConfig(device="cpu")))[-1]
    assert failed.kind == "data" and "NaN or infinite input values" in failed.message
    failed = list(train(nn.Flatten(), digits, TrainingConfig(device="cpu")))[-1]
    assert "no trainable parameters" in failed.message


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_forcing_a_missing_gpu_is_a_clear_device_failure(digits):
    events = list(train(small_cnn(), digits, TrainingConfig(device="cuda")))
    assert len(events) == 1 and events[0].kind == "device"
    assert "no CUDA GPU is usable here" in events[0].message and "'auto' or 'cpu'" in events[0].message


def test_started_comes_only_after_the_checks_pass(digits):
    """A run refused by a check ends with one Failed and never says it started (the window
    would otherwise show a run that is not there)."""
    info = DatasetInfo("bad", "bad", "classification", (2,), num_classes=2, class_names=("a", "b"))
    refused = [
        train(small_cnn(), digits, {"lr": -1}),
        train(mlp(2, 2), Dataset(torch.zeros(4, 2), torch.tensor([0, 1, 2, 1]), info),
              TrainingConfig(device="cpu")),
        train(mlp(2, 2), Dataset(torch.full((4, 2), float("nan")), torch.tensor([0, 1, 0, 1]), info),
              TrainingConfig(device="cpu")),
        train(nn.Flatten(), digits, TrainingConfig(device="cpu")),
    ]
    for events in refused:
        events = list(events)
        assert len(events) == 1 and isinstance(events[0], Failed), events
    events = run(small_cnn(), digits)
    assert isinstance(events[0], Started) and isinstance(events[-1], Finished)
    assert sum(isinstance(e, Started) for e in events) == 1
