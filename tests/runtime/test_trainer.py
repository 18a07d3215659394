"""The trainer learns, reports what a student needs, and gives the same curve for a seed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from runtime_files import write_cifar, write_mnist
from runtime_models import mlp, small_cnn
from torch import nn

from netbuilder.runtime import (
    Epoch,
    Finished,
    Started,
    Step,
    Stopped,
    TrainingConfig,
    TrainingControl,
    load_dataset,
    train,
)
from netbuilder.runtime import trainer as trainer_module


def run(model, dataset, **settings):
    settings.setdefault("device", "cpu")
    return list(train(model, dataset, TrainingConfig(**settings)))


def of(events, kind):
    return [e for e in events if isinstance(e, kind)]


def test_small_cnn_reaches_95_percent_on_digits_within_15_epochs(digits):
    model = small_cnn()
    assert 13_000 < sum(p.numel() for p in model.parameters()) < 15_000
    control = TrainingControl()
    events = []
    for event in train(model, digits, TrainingConfig(epochs=15, lr=3e-3, device="cpu"), control=control):
        events.append(event)
        if isinstance(event, Epoch) and event.val_acc >= 0.95:
            control.stop()  # reached: no need to spend the remaining epochs
    epochs = of(events, Epoch)
    assert epochs[-1].val_acc >= 0.95 and len(epochs) <= 15
    assert isinstance(events[-1], Stopped) and events[-1].metrics["val_acc"] == epochs[-1].val_acc
    started = events[0]
    assert isinstance(started, Started)
    assert started.train_samples + started.val_samples == len(digits)
    assert started.total_steps == 15 * started.steps_per_epoch and started.device == "cpu"
    steps = of(events, Step)
    assert steps and all(0 < s.progress <= 1 and s.samples_per_s > 0 and s.eta_s >= 0 for s in steps)
    assert [s.step for s in steps] == sorted({s.step for s in steps})


def test_finished_carries_history_best_epoch_and_normalization():
    events = run(mlp(4, 3), load_dataset("iris"), epochs=6, lr=0.01, normalize=True)
    epochs, finished = of(events, Epoch), events[-1]
    assert isinstance(finished, Finished) and not finished.stopped_early
    assert [e.epoch for e in epochs] == list(range(1, 7))
    assert len(finished.history) == 6
    for entry, epoch in zip(finished.history, epochs, strict=True):
        assert entry == {key: getattr(epoch, key) for key in entry}
    assert finished.metrics["val_acc"] == epochs[-1].val_acc
    assert finished.best_epoch == min(epochs, key=lambda e: e.val_loss).epoch
    assert sum(e.is_best for e in epochs) >= 1
    assert finished.normalization["shape"] == [4] and len(finished.normalization["mean"]) == 4


def _losses(events):
    return [(e.train_loss, e.val_loss, e.val_acc) for e in of(events, Epoch)]


def _dropout_cnn():
    return nn.Sequential(small_cnn(), nn.Dropout(0.3))


def test_same_seed_same_curve_bit_for_bit(digits):
    settings = dict(epochs=3, seed=7, augment_crop_padding=1, augment_hflip=True, optimizer="sgd",
                    lr=0.05, lr_schedule="onecycle")
    torch.manual_seed(1)
    first_model = _dropout_cnn()
    first = run(first_model, digits, **settings)
    torch.manual_seed(1)
    second_model = _dropout_cnn()
    second = run(second_model, digits, **settings)
    assert _losses(first) == _losses(second)
    for a, b in zip(first_model.state_dict().values(), second_model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    torch.manual_seed(1)
    other = run(_dropout_cnn(), digits, **{**settings, "seed": 8})
    assert _losses(other) != _losses(first)


def test_the_curve_does_not_depend_on_how_often_step_events_are_emitted(digits, monkeypatch):
    curves = []
    for interval in (0.0, 1e9):
        monkeypatch.setattr(trainer_module, "STEP_EVENT_INTERVAL_S", interval)
        torch.manual_seed(0)
        curves.append(_losses(run(small_cnn(), digits, epochs=2)))
    assert curves[0] == curves[1]


def test_every_step_event_covers_the_batches_since_the_previous_one(digits, monkeypatch):
    monkeypatch.setattr(trainer_module, "STEP_EVENT_INTERVAL_S", 0.0)
    events = run(small_cnn(), digits, epochs=2)
    started, steps, epochs = events[0], of(events, Step), of(events, Epoch)
    assert [s.step for s in steps] == list(range(1, started.total_steps + 1))
    first_epoch = [s for s in steps if s.epoch == 1]
    sizes = [64] * (len(first_epoch) - 1) + [started.train_samples - 64 * (len(first_epoch) - 1)]
    mean = sum(s.train_loss * n for s, n in zip(first_epoch, sizes, strict=True)) / sum(sizes)
    assert math.isclose(mean, epochs[0].train_loss, rel_tol=1e-5)
    assert math.isclose(steps[-1].progress, 1.0)


def test_step_events_are_throttled_by_time(digits, monkeypatch):
    monkeypatch.setattr(trainer_module, "STEP_EVENT_INTERVAL_S", 1e9)
    events = run(small_cnn(), digits, epochs=3)
    steps = of(events, Step)
    # the very first batch, then one per epoch end (its remaining batches): never per batch
    assert len(steps) == 1 + 3
    assert [s.batch for s in steps[1:]] == [steps[1].batch] * 3 and steps[1].batch > 1


def test_regression_with_mse_and_l1_reports_mse_not_accuracy():
    data = load_dataset("sine")
    for loss in ("mse", "l1"):
        torch.manual_seed(0)
        events = run(mlp(1, 1, hidden=32), data, loss=loss, epochs=20, lr=1e-2, batch_size=32)
        epochs = of(events, Epoch)
        assert all(e.val_acc is None and e.train_acc is None for e in epochs)
        assert epochs[-1].val_mse < 0.1 < epochs[0].val_mse
        assert isinstance(events[-1], Finished)


def test_binary_cross_entropy_with_one_output():
    events = run(mlp(30, 1), load_dataset("breast_cancer"), loss="bce_with_logits", epochs=10)
    assert of(events, Epoch)[-1].val_acc > 0.9


def test_nll_warns_unless_the_model_ends_with_log_softmax():
    iris = load_dataset("iris")
    with_log = run(nn.Sequential(mlp(4, 3), nn.LogSoftmax(dim=1)), iris, loss="nll", epochs=2)
    assert with_log[0].warnings == ()
    without = run(mlp(4, 3), iris, loss="nll", epochs=2)
    assert any("LogSoftmax" in w for w in without[0].warnings)
    softmax = run(nn.Sequential(mlp(4, 3), nn.Softmax(dim=1)), iris, epochs=2)
    assert any("remove the final Softmax" in w for w in softmax[0].warnings)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta"])
def test_every_optimizer_learns_iris(optimizer):
    lr = {"sgd": 0.1, "adadelta": 1.0, "adagrad": 0.1}.get(optimizer, 0.01)
    events = run(mlp(4, 3), load_dataset("iris"), optimizer=optimizer, lr=lr, epochs=15,
                 batch_size=16, nesterov=optimizer == "sgd", weight_decay=1e-4)
    epochs = of(events, Epoch)
    assert epochs[-1].train_loss < epochs[0].train_loss and epochs[-1].val_acc > 0.8


def test_learning_rate_schedules_shape_the_lr():
    iris = load_dataset("iris")
    lrs = {}
    for schedule in ("none", "step", "cosine", "onecycle"):
        events = run(mlp(4, 3), iris, lr_schedule=schedule, lr=0.1, optimizer="sgd", epochs=6,
                     lr_step_size=2, lr_gamma=0.5)
        lrs[schedule] = [e.lr for e in of(events, Epoch)]
    assert lrs["none"] == [0.1] * 6
    assert lrs["step"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    assert lrs["cosine"][0] == pytest.approx(0.1) and lrs["cosine"] == sorted(lrs["cosine"], reverse=True)
    assert max(lrs["onecycle"]) == pytest.approx(0.1, rel=0.3) and lrs["onecycle"][-1] < 1e-3


def test_l1_penalty_and_gradient_clipping_are_applied():
    iris = load_dataset("iris")

    def weight_size(**settings):
        torch.manual_seed(0)
        model = mlp(4, 3)
        assert isinstance(run(model, iris, epochs=30, lr=0.01, **settings)[-1], Finished)
        return sum(p.abs().sum().item() for p in model.parameters() if p.dim() > 1)

    assert weight_size(l1=0.05) < 0.5 * weight_size()
    assert isinstance(run(mlp(4, 3), iris, grad_clip_norm=0.01, epochs=2)[-1], Finished)


def test_early_stopping_ends_the_run_after_patience_epochs_without_progress():
    class Stuck(nn.Module):
        """Its output ignores its only parameter, so the validation loss never improves."""

        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return torch.zeros(x.shape[0], 3) + self.w * 0

    events = run(Stuck(), load_dataset("iris"), epochs=20, early_stopping_patience=2)
    finished = events[-1]
    assert isinstance(finished, Finished) and finished.stopped_early
    assert finished.epochs_run == 3 and finished.best_epoch == 1


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 16, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


def test_a_recurrent_model_learns_the_waveforms():
    data = load_dataset("waveforms", n_samples=600)
    events = run(GRUClassifier(), data, epochs=8, lr=1e-2, batch_size=32)
    assert max(e.val_acc for e in of(events, Epoch)) > 0.4  # 4 classes: chance is 0.25


def test_token_sequences_from_npz_train_an_embedding(tmp_path):
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20, size=(300, 6))
    labels = (tokens[:, 0] >= 10).astype(np.int64)  # the class is in the first token
    np.savez(tmp_path / "tokens.npz", x=tokens.astype(np.int32), y=labels)
    data = load_dataset(str(tmp_path / "tokens.npz"))
    assert data.x.dtype == torch.int64
    model = nn.Sequential(nn.Embedding(20, 8), nn.Flatten(), nn.Linear(48, 2))
    events = run(model, data, epochs=15, lr=1e-2)
    assert of(events, Epoch)[-1].val_acc > 0.9


def test_config_can_be_a_plain_dict_and_training_without_validation(digits):
    events = list(train(small_cnn(), digits, {"epochs": 1, "val_fraction": 0.0, "device": "cpu"}))
    epoch = of(events, Epoch)[0]
    assert epoch.val_loss is None and epoch.val_acc is None and isinstance(events[-1], Finished)
    assert events[0].val_samples == 0 and events[0].train_samples == len(digits)


def test_cpu_threads_apply_during_the_run_only():
    torch.set_num_threads(2)
    seen, events = [], []
    for event in train(mlp(4, 3), load_dataset("iris"), TrainingConfig(device="cpu", epochs=1, cpu_threads=1)):
        seen.append(torch.get_num_threads())
        events.append(event)
    assert set(seen) == {1} and isinstance(events[-1], Finished)
    assert torch.get_num_threads() == 2


def test_the_generator_can_be_abandoned_half_way(digits):
    """The UI closing the window mid-run: no exception, and nothing of the run's is left
    behind: the thread count and grad mode are back, the model is usable, the run is over."""
    torch.set_num_threads(2)
    model = small_cnn()
    events = train(model, digits, TrainingConfig(epochs=5, device="cpu", cpu_threads=1))
    assert isinstance(next(events), Started)
    assert isinstance(next(events), Step)
    assert torch.get_num_threads() == 1          # the run's own setting, while it runs
    events.close()
    assert torch.get_num_threads() == 2 and torch.is_grad_enabled()
    with pytest.raises(StopIteration):
        next(events)
    out = model(digits.x[:4])                    # the model still works where it was built
    assert out.shape == (4, 10) and torch.isfinite(out).all()


def test_datasets_read_from_files_train_end_to_end(tmp_path):
    mnist = load_dataset(str(write_mnist(tmp_path / "mnist", n_train=20)))
    cifar = load_dataset(str(write_cifar(tmp_path / "cifar", per_batch=10)))
    csv = tmp_path / "table.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(30)))
    table = load_dataset(str(csv))
    for data in (mnist, cifar, table):
        channels = data.info.sample_shape[0]
        if len(data.info.sample_shape) == 3:
            model = nn.Sequential(nn.Conv2d(channels, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(4, data.info.num_classes))
        else:
            model = mlp(channels, data.info.num_classes)
        events = run(model, data, epochs=2, batch_size=8, augment_hflip=True, augment_crop_padding=2)
        assert isinstance(events[-1], Finished), events[-1]


def test_weights_snapshots_come_only_when_asked_and_never_change_training(digits):
    from netbuilder.runtime.events import WeightsSnapshot

    settings = TrainingConfig(epochs=2, seed=3, device="cpu")
    torch.manual_seed(1)
    quiet_model = small_cnn()
    quiet = list(train(quiet_model, digits, settings))
    assert not [e for e in quiet if isinstance(e, WeightsSnapshot)]

    torch.manual_seed(1)
    asked_model = small_cnn()
    control = TrainingControl()
    events, snapshots = [], []
    for event in train(asked_model, digits, settings, control=control):
        events.append(event)
        if isinstance(event, WeightsSnapshot):
            snapshots.append(event)
        control.request_snapshot()      # ask again after every event, as a live view does
    assert len(snapshots) >= 2
    first = snapshots[0]
    assert first.state_dict.keys() == asked_model.state_dict().keys()
    # a copy: later steps did not change it
    assert not all(torch.equal(first.state_dict[k], v) for k, v in asked_model.state_dict().items())
    assert _losses(events) == _losses(quiet)
    for a, b in zip(quiet_model.state_dict().values(), asked_model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
