"""Training settings: defaults, validation messages, and the round trip through plain dicts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.runtime.config import (
    LOSSES,
    OPTIMIZERS,
    SCHEDULES,
    TrainingConfig,
    config_from_dict,
)
from netbuilder.runtime.errors import ConfigError


def test_defaults_round_trip_through_json():
    config = TrainingConfig(loss="mse", optimizer="sgd", nesterov=True, lr_schedule="onecycle",
                            early_stopping_patience=3, grad_clip_norm=1.0,
                            dataset="/data/x.csv", dataset_options={"label_column": "y"})
    text = json.dumps(config.to_dict())
    assert config_from_dict(json.loads(text)) == config
    assert config_from_dict({}) == TrainingConfig()


def test_every_bad_value_is_reported_at_once_with_what_is_accepted():
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"lr": 0, "optimizer": "adma", "batch_size": 0, "epochs": 2.5,
                          "early_stopping_patience": 0, "device": "tpu:x", "nesterov": "yes"})
    text = str(caught.value)
    assert "lr must be a number above 0; received 0. Example: 0.001" in text
    assert "optimizer must be one of sgd, adam, adamw, rmsprop, adagrad, adadelta; received 'adma' (did you mean 'adam'?)" in text
    assert "batch_size must be a whole number of at least 1; received 0" in text
    assert "epochs must be a whole number of at least 1; received 2.5" in text
    assert "early_stopping_patience must be a whole number of at least 1 or None (off)" in text
    assert "device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; received 'tpu:x'" in text
    assert "nesterov must be true or false; received 'yes'" in text


def test_unknown_keys_and_inconsistent_settings():
    with pytest.raises(ConfigError, match=r"unknown setting 'learning_rate'"):
        config_from_dict({"learning_rate": 0.1})
    with pytest.raises(ConfigError, match="did you mean 'epochs'"):
        config_from_dict({"epoch": 3})
    with pytest.raises(ConfigError, match="early_stopping_patience watches the validation loss, but val_fraction is 0"):
        TrainingConfig(early_stopping_patience=2, val_fraction=0.0)
    with pytest.raises(ConfigError, match="momentum must be below 1"):
        TrainingConfig(momentum=1.0)
    with pytest.raises(ConfigError, match="must be a mapping"):
        config_from_dict(["lr", 1])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["loss", "optimizer", "lr", "batch_size", "epochs", "lr_schedule", "seed",
                     "val_fraction", "grad_clip_norm", "momentum", "weight_decay", "device"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.floats(allow_nan=True),
              st.sampled_from(LOSSES + OPTIMIZERS + SCHEDULES + ("cpu", "auto", "x"))),
))
def test_any_dict_gives_a_valid_config_or_a_config_error(data):
    try:
        config = config_from_dict(data)
    except ConfigError:
        return
    assert config_from_dict(config.to_dict()) == config
