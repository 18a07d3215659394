"""Reconstruction and segmentation: the shipped shapes set, the compatibility check's words,
and training both from the CLI to stated figures on shipped data (small runs, seconds)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.cli import main as cli_main
from netbuilder.graph.examples import example_path
from netbuilder.runtime.compat import check_compat
from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.datasets import Dataset, DatasetInfo, load_dataset
from netbuilder.runtime.datasets.shapes import SHAPE_NAMES, SHAPES, shape_mask
from netbuilder.runtime.errors import ConfigError, DatasetError
from netbuilder.runtime.events import Failed, Finished
from netbuilder.runtime.tasks import confusion_of, mean_iou
from netbuilder.runtime.trainer import train

DIGITS = load_dataset("digits").info

# What the CLI runs below reach at least (seed 0, one CPU thread); README and RESULTS quote them.
AUTOENCODER_EPOCHS, AUTOENCODER_MSE = 10, 0.035      # the average digit scores 0.073
DENOISING_MSE = 0.045                                 # noise 0.3 on the input only
UNET_EPOCHS, UNET_PIXEL_ACC, UNET_MIOU = 8, 0.92, 0.45   # all background scores 0.84


# -- the shapes set --------------------------------------------------------------------------

def test_shapes_are_the_same_for_a_seed_and_change_with_it():
    a, b, c = load_dataset("shapes"), load_dataset("shapes"), load_dataset("shapes", seed=1)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.y, c.y)
    assert a.x.shape == (600, 1, 32, 32) and a.y.shape == (600, 32, 32)
    assert a.info == SHAPES and a.info.is_segmentation and a.info.num_classes == len(SHAPE_NAMES)


def test_without_noise_the_masks_cover_exactly_the_bright_pixels():
    data = load_dataset("shapes", noise=0.0, n_samples=50)
    bright = data.x[:, 0] > 0
    assert torch.equal(bright, data.y > 0)
    assert float(data.x[:, 0][data.y > 0].min()) >= 0.6     # every shape is at least this bright
    for mask in data.y:
        assert 1 <= len(mask.unique()) - 1 <= 3              # one to three shapes on each


@settings(max_examples=40, deadline=None)
@given(kind=st.integers(1, 3), r=st.floats(5.0, 9.0), cy=st.floats(10.0, 22.0),
       cx=st.floats(10.0, 22.0))
def test_each_shape_covers_the_area_of_its_geometry(kind, r, cy, cx):
    """Square (2r)^2, disc pi r^2, triangle (base 2r, height 2r) 2r^2, within the pixel edge."""
    area = int(shape_mask(kind, 32, cy, cx, r).sum())
    expected = {1: 4 * r * r, 2: math.pi * r * r, 3: 2 * r * r}[kind]
    assert abs(area - expected) <= 4 * 2 * r + 4, (kind, area, expected)


def test_shape_options_are_checked_and_the_size_can_change():
    small = load_dataset("shapes", size=16, n_samples=10)
    assert small.x.shape == (10, 1, 16, 16) and small.info.target_shape == (16, 16)
    with pytest.raises(DatasetError, match="unknown option 'colour'"):
        load_dataset("shapes", colour=1)


# -- the compatibility check -------------------------------------------------------------------

def _errors(*args, **kw) -> list[str]:
    return [p.message for p in check_compat(*args, **kw) if p.level == "error"]


def test_reconstruction_needs_the_inputs_shape_back():
    msgs = _errors((1, 8, 8), (1, 28, 28), DIGITS, "mse", task="reconstruction")
    assert msgs == ["The model gives 1x28x28 but reconstruction needs the input's 1x8x8: the "
                    "last layer must give back a sample of the input's shape"]
    flat = _errors((1, 8, 8), (64,), DIGITS, "mse", task="reconstruction")
    assert "end with an Unflatten to 1x8x8" in flat[0]
    wide = _errors((1, 8, 8), (32,), DIGITS, "mse", task="reconstruction")
    assert "set the last Linear's out_features to 64" in wide[0]
    assert _errors((1, 8, 8), (1, 8, 8), DIGITS, "mse", task="reconstruction") == []


def test_reconstruction_compares_values_not_classes():
    msgs = _errors((1, 8, 8), (1, 8, 8), DIGITS, "cross_entropy", task="reconstruction")
    assert len(msgs) == 1 and "pick 'mse'" in msgs[0] and "'cross_entropy'" in msgs[0]


def test_segmentation_needs_a_score_per_class_for_every_pixel():
    assert _errors((1, 32, 32), (4, 32, 32), SHAPES, "cross_entropy") == []
    channels = _errors((1, 32, 32), (8, 32, 32), SHAPES, "cross_entropy")
    assert channels == ["The model gives 8x32x32 but 'shapes' has 4 classes, so the output's "
                        "channels must equal the class count: set the last convolution's "
                        "out_channels to 4"]
    size = _errors((1, 32, 32), (4, 16, 16), SHAPES, "cross_entropy")
    assert len(size) == 1 and "the masks of 'shapes' are 32x32" in size[0]
    assert "ConvTranspose2d" in size[0]
    both = _errors((1, 32, 32), (8, 8, 8), SHAPES, "cross_entropy")
    assert len(both) == 2
    flat = _errors((1, 32, 32), (4,), SHAPES, "cross_entropy")
    assert "one score per class for every pixel, 4x32x32" in flat[0]
    loss = _errors((1, 32, 32), (4, 32, 32), SHAPES, "mse")
    assert "gives a class for every pixel" in loss[0] and "'cross_entropy'" in loss[0]


@settings(max_examples=100, deadline=None)
@given(out=st.lists(st.integers(1, 40), min_size=1, max_size=4),
       sample=st.lists(st.integers(1, 40), min_size=1, max_size=3))
def test_the_check_passes_exactly_the_shapes_each_task_needs(out, sample):
    """Reconstruction: the output is the sample's shape; segmentation: classes x the mask's
    size. Any other shape gets an error naming both shapes."""
    out = tuple(out)
    info = DatasetInfo("data", "data", "classification", tuple(sample), 3, ("a", "b", "c"))
    recon = _errors(tuple(sample), out, info, "mse", task="reconstruction")
    assert (recon == []) == (out == tuple(sample))
    if recon:
        assert "x".join(map(str, out)) in recon[0] and "x".join(map(str, sample)) in recon[0]
    mask = tuple(sample[-2:])
    seg_info = DatasetInfo("masks", "masks", "segmentation", (1, *mask), 3, ("a", "b", "c"),
                           target_shape=mask)
    seg = _errors((1, *mask), out, seg_info, "cross_entropy")
    assert (seg == []) == (out == (3, *mask))


def test_noise_belongs_to_reconstruction():
    with pytest.raises(ConfigError, match="denoise_std adds noise to the input of a reconstruction"):
        TrainingConfig(denoise_std=0.3)
    with pytest.raises(ConfigError, match="task must be one of auto, reconstruction"):
        TrainingConfig(task="reconstruct")
    assert TrainingConfig(task="reconstruction", denoise_std=0.3).denoise_std == 0.3


def test_mean_iou_counts_each_class_that_occurs():
    true = torch.tensor([[0, 0, 1, 1]])
    assert mean_iou(confusion_of(true, true, 3)) == 1.0      # class 2 never occurs: not counted
    half = torch.tensor([[0, 1, 1, 1]])                      # class 0: 1/2, class 1: 2/3
    assert mean_iou(confusion_of(half, true, 3)) == pytest.approx((0.5 + 2 / 3) / 2)


# -- training --------------------------------------------------------------------------------

def _project(tmp_path: Path, name: str, **training) -> Path:
    data = json.loads(example_path(name).read_text(encoding="utf-8"))
    data["training"].update(training, cpu_threads=1, device="cpu")
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _cli_train(tmp_path: Path, path: Path, epochs: int, capsys, *more: str) -> tuple[dict, str]:
    out = tmp_path / "metrics.json"
    code = cli_main(["train", str(path), "--epochs", str(epochs), "--metrics-out", str(out),
                     *more])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return json.loads(out.read_text(encoding="utf-8")), printed.out


def test_the_autoencoder_trains_from_the_cli_to_its_stated_error(tmp_path, capsys):
    metrics, out = _cli_train(tmp_path, _project(tmp_path, "autoencoder_digits"),
                              AUTOENCODER_EPOCHS, capsys)
    assert metrics["val_mse"] <= AUTOENCODER_MSE
    assert metrics["val_acc"] is None                     # no classes: the error is the figure
    assert f"done: validation MSE {metrics['val_mse']:.4f}" in out


def test_a_denoising_autoencoder_learns_the_clean_digit_from_a_noisy_one(tmp_path, capsys):
    path = _project(tmp_path, "autoencoder_digits")
    metrics, _ = _cli_train(tmp_path, path, AUTOENCODER_EPOCHS, capsys, "--denoise-std", "0.3")
    assert metrics["history"][0]["val_mse"] is not None
    # the noisy input itself as the answer would cost 0.3^2 = 0.09 per pixel
    assert metrics["val_mse"] <= DENOISING_MSE


def test_the_unet_segments_the_shapes_from_the_cli(tmp_path, capsys):
    metrics, out = _cli_train(tmp_path, _project(tmp_path, "unet_shapes"), UNET_EPOCHS, capsys)
    assert metrics["val_acc"] >= UNET_PIXEL_ACC
    assert metrics["val_miou"] >= UNET_MIOU
    assert "val_miou" in out and "validation pixel accuracy" in out


def test_a_mismatched_segmentation_model_is_refused_with_the_reason(tmp_path, capsys):
    data = json.loads(example_path("unet_shapes").read_text(encoding="utf-8"))
    node = next(n for n in data["nodes"] if n["id"] == "classes")
    node["params"]["out_channels"] = 3
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli_main(["train", str(path), "--epochs", "1"]) == 1
    err = capsys.readouterr().err
    assert "'shapes' has 4 classes" in err and "out_channels to 4" in err


def test_token_ids_cannot_be_reconstructed():
    info = DatasetInfo("tokens", "tokens", "classification", (5,), 2, ("a", "b"))
    data = Dataset(torch.randint(0, 9, (20, 5)), torch.randint(0, 2, (20,)), info)
    model = torch.nn.Sequential(torch.nn.Embedding(10, 5), torch.nn.Flatten(), torch.nn.Linear(25, 5))
    last = list(train(model, data, {"task": "reconstruction", "loss": "mse", "epochs": 1,
                                    "device": "cpu"}))[-1]
    assert isinstance(last, Failed) and "token ids" in last.message


def test_segmentation_turns_augmentation_off_and_says_why():
    data = load_dataset("shapes", n_samples=40, size=16)
    model = torch.nn.Conv2d(1, 4, 3, padding=1)
    events = list(train(model, data, {"dataset": "shapes", "epochs": 1, "device": "cpu",
                                      "augment_hflip": True, "batch_size": 8}))
    started = events[0]
    assert any("Augmentation is off for segmentation" in w for w in started.warnings)
    assert isinstance(events[-1], Finished)
    assert 0.0 <= events[-1].metrics["val_miou"] <= 1.0


def test_reconstruction_targets_are_the_inputs_for_any_real_valued_dataset():
    data = load_dataset("iris")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    events = list(train(model, data, {"task": "reconstruction", "loss": "mse", "epochs": 30,
                                      "lr": 0.01, "batch_size": 16, "device": "cpu"}))
    last = events[-1]
    assert isinstance(last, Finished), last
    # standardised features: guessing 0 everywhere costs about 1 per value
    assert last.metrics["val_mse"] < 0.2
    assert np.isfinite(last.metrics["val_loss"])


def test_the_report_says_it_judges_one_answer_per_sample(tmp_path, capsys):
    path = _project(tmp_path, "autoencoder_digits")
    ckpt = tmp_path / "ae.pt"
    assert cli_main(["train", str(path), "--epochs", "1", "--save", str(ckpt)]) == 0
    capsys.readouterr()
    code = cli_main(["report", str(path), "--weights", str(ckpt), "-o", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code == 1 and "this run's task is reconstruction" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_the_task_can_be_chosen_on_the_command_line(tmp_path, capsys):
    """mlp_digits as an autoencoder cannot work: the check says what the output must be."""
    code = cli_main(["train", str(example_path("mlp_digits")), "--task", "reconstruction",
                     "--loss", "mse", "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "The model gives 10 but reconstruction needs the input's 1x8x8" in err
    assert cli_main(["train", str(example_path("mlp_digits")), "--denoise-std", "0.3",
                     "--epochs", "1"]) == 1
    assert "set task to 'reconstruction'" in capsys.readouterr().err
