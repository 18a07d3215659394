"""Checkpoints: safe loading, graph fingerprints, best/last files, exact resume."""

from __future__ import annotations

import pickle

import pytest
import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from runtime_models import small_cnn
from torch import nn

from netbuilder.runtime import (
    CheckpointError,
    Epoch,
    Failed,
    Finished,
    Started,
    Stopped,
    TrainingConfig,
    TrainingControl,
    load_checkpoint,
    save_checkpoint,
    train,
)
from netbuilder.runtime.checkpoint import restore_model


def test_save_and_load_round_trip(tmp_path):
    model = small_cnn()
    optimizer = torch.optim.Adam(model.parameters())
    model(torch.zeros(2, 1, 8, 8)).sum().backward()
    optimizer.step()
    path = save_checkpoint(tmp_path / "sub" / "c.pt", model, optimizer, 4, "graph-abc", {"val_loss": 0.5})
    checkpoint = load_checkpoint(path, expected_fingerprint="graph-abc")
    assert checkpoint.epoch == 4 and checkpoint.metrics == {"val_loss": 0.5}
    assert checkpoint.optimizer_state["state"][0]["step"] == 1
    fresh = small_cnn()
    restore_model(checkpoint, fresh)
    for a, b in zip(model.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert not list(tmp_path.glob("**/*.tmp"))


def test_a_checkpoint_of_another_graph_is_refused(tmp_path):
    path = save_checkpoint(tmp_path / "c.pt", small_cnn(), None, 1, "fingerprint-of-graph-A", {})
    with pytest.raises(CheckpointError, match=r"c.pt: this checkpoint was saved for a different graph "
                                              r"\(fingerprint 'fingerprint-…'\)"):
        load_checkpoint(path, expected_fingerprint="fingerprint-of-graph-B")


class Exploit:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_unsafe_or_broken_files_are_refused_without_running_code(tmp_path, capsys):
    evil = tmp_path / "evil.pt"
    torch.save({"format": "netbuilder-checkpoint", "payload": Exploit()}, evil)
    with pytest.raises(CheckpointError, match="evil.pt: this file contains code, not only tensors; netbuilder will not run it"):
        load_checkpoint(evil)
    assert "must never run" not in capsys.readouterr().out
    raw = tmp_path / "raw.pt"
    raw.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CheckpointError, match="raw.pt"):
        load_checkpoint(raw)
    other = tmp_path / "weights.pt"
    torch.save(small_cnn().state_dict(), other)
    with pytest.raises(CheckpointError, match="weights.pt: expected a netbuilder checkpoint"):
        load_checkpoint(other)
    with pytest.raises(CheckpointError, match="checkpoint file not found"):
        load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "cut.pt").write_bytes(evil.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="cut.pt"):
        load_checkpoint(tmp_path / "cut.pt")


def test_weights_of_another_shape_are_refused(tmp_path):
    path = save_checkpoint(tmp_path / "c.pt", small_cnn(classes=3), None, 1, "", {})
    with pytest.raises(CheckpointError, match="the weights do not fit this model"):
        restore_model(load_checkpoint(path), small_cnn())


def _epoch_losses(events):
    return [(e.epoch, e.train_loss, e.val_loss) for e in events if isinstance(e, Epoch)]


def test_the_trainer_writes_best_and_last_and_resumes_exactly(digits, tmp_path):
    config = TrainingConfig(device="cpu", epochs=4, seed=3, lr_schedule="cosine",
                            augment_crop_padding=1)
    torch.manual_seed(0)
    straight = list(train(small_cnn(), digits, config))

    torch.manual_seed(0)
    control = TrainingControl()
    first_half = []
    for event in train(small_cnn(), digits, config, control=control, fingerprint="g1",
                       checkpoint_dir=tmp_path):
        first_half.append(event)
        if isinstance(event, Epoch) and event.epoch == 2:
            control.stop()
    assert isinstance(first_half[-1], Stopped)
    assert first_half[-1].checkpoints["last"] == str(tmp_path / "last.pt")
    epochs = [e for e in first_half if isinstance(e, Epoch)]
    best_epoch = min(epochs, key=lambda e: e.val_loss).epoch
    assert load_checkpoint(tmp_path / "best.pt").epoch == best_epoch
    assert load_checkpoint(tmp_path / "last.pt").epoch == 2

    resumed = list(train(small_cnn(), digits, config, resume=tmp_path / "last.pt",
                         fingerprint="g1"))
    assert isinstance(resumed[0], Started) and resumed[0].start_epoch == 3
    assert isinstance(resumed[-1], Finished)
    assert _epoch_losses(first_half) + _epoch_losses(resumed) == _epoch_losses(straight)
    assert len(resumed[-1].history) == 4  # the history continues across the resume


def test_resuming_with_another_fingerprint_or_a_finished_checkpoint_fails_clearly(digits, tmp_path):
    config = TrainingConfig(device="cpu", epochs=1)
    events = list(train(small_cnn(), digits, config, fingerprint="g1", checkpoint_dir=tmp_path))
    assert isinstance(events[-1], Finished)
    failed = list(train(small_cnn(), digits, TrainingConfig(device="cpu", epochs=3),
                        resume=tmp_path / "last.pt", fingerprint="g2"))[-1]
    assert isinstance(failed, Failed) and failed.kind == "checkpoint"
    assert "saved for a different graph" in failed.message
    failed = list(train(small_cnn(), digits, config, resume=tmp_path / "last.pt",
                        fingerprint="g1"))[-1]
    assert failed.kind == "checkpoint"
    assert "already finished 1 of 1 epochs; raise epochs above 1" in failed.message
    changed = list(train(small_cnn(), digits, TrainingConfig(device="cpu", epochs=2, optimizer="sgd"),
                         resume=tmp_path / "last.pt", fingerprint="g1"))
    assert isinstance(changed[-1], Finished)
    assert any("'sgd' starts with a fresh state" in w for w in changed[0].warnings)


def test_more_epochs_warn_only_when_the_lr_schedule_spans_the_run(digits, tmp_path):
    config = TrainingConfig(device="cpu", epochs=1)
    list(train(small_cnn(), digits, config, fingerprint="g1", checkpoint_dir=tmp_path))
    longer = list(train(small_cnn(), digits, TrainingConfig(device="cpu", epochs=2),
                        resume=tmp_path / "last.pt", fingerprint="g1"))
    assert isinstance(longer[-1], Finished) and longer[0].warnings == ()  # constant lr: quiet
    cosine = TrainingConfig(device="cpu", epochs=1, lr_schedule="cosine")
    list(train(small_cnn(), digits, cosine, fingerprint="g1", checkpoint_dir=tmp_path / "c"))
    longer = list(train(small_cnn(), digits, TrainingConfig(device="cpu", epochs=2, lr_schedule="cosine"),
                        resume=tmp_path / "c" / "last.pt", fingerprint="g1"))
    assert any("schedule starts over" in w for w in longer[0].warnings)


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10_000), position=st.integers(0, 10_000), value=st.integers(0, 255))
@example(cut=0, position=0, value=114)   # one byte 'r': torch's legacy reader, struct.error
def test_damaged_checkpoints_give_a_checkpoint_error(tmp_path_factory, cut, position, value):
    folder = tmp_path_factory.mktemp("ckpt")
    good = save_checkpoint(folder / "good.pt", nn.Linear(3, 2), None, 1, "g", {"a": 1.0}).read_bytes()
    data = bytearray(good[: max(cut, 1)])
    data[position % len(data)] = value
    path = folder / "damaged.pt"
    path.write_bytes(bytes(data))
    try:
        checkpoint = load_checkpoint(path)
    except CheckpointError as exc:
        assert "damaged.pt" in str(exc)
    else:
        assert checkpoint.epoch == 1
