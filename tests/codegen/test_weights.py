"""Trained weights from checkpoints: round trip into ONNX, and clear refusals."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from netbuilder.cli import main
from netbuilder.codegen.build import build_module
from netbuilder.codegen.errors import WeightsError
from netbuilder.codegen.onnx_export import export_onnx
from netbuilder.codegen.weights import apply_weights, load_weights
from netbuilder.graph.project import fingerprint, load_project

ROOT = Path(__file__).resolve().parents[2]
LENET = ROOT / "assets" / "examples" / "lenet5.json"


def trained_lenet() -> torch.nn.Module:
    """LeNet-5 with weights no fresh build has (so a forgotten --weights shows)."""
    torch.manual_seed(7)
    model = build_module(load_project(LENET).graph)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return model.eval()


def _ort(path: Path, x: torch.Tensor) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x.numpy()})[0]


def test_checkpoint_weights_round_trip_through_the_cli(tmp_path, capsys):
    model = trained_lenet()
    ckpt = tmp_path / "trained.pt"
    torch.save({"model": model.state_dict(), "fingerprint": fingerprint(
        load_project(LENET).graph), "epoch": 3}, ckpt)
    out = tmp_path / "lenet5.onnx"
    assert main(["export", str(LENET), "--onnx", str(out), "--weights", str(ckpt)]) == 0
    assert "note:" not in capsys.readouterr().out  # the fingerprint matches
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(_ort(out, x), expected, rtol=1e-3, atol=1e-5)
    fresh = build_module(load_project(LENET).graph).eval()
    with torch.no_grad():
        assert not np.allclose(fresh(x).numpy(), expected, atol=1e-3)


def test_a_bare_state_dict_is_accepted(tmp_path):
    model = trained_lenet()
    ckpt = tmp_path / "state.pt"
    torch.save(model.state_dict(), ckpt)
    weights = load_weights(ckpt)
    assert weights.fingerprint is None
    report = export_onnx(load_project(LENET).graph, tmp_path / "m.onnx", weights=weights,
                         exporter="torchscript")
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        np.testing.assert_allclose(_ort(report.path, x), model(x).numpy(), rtol=1e-3, atol=1e-5)


def test_fingerprint_mismatch_is_noted_when_the_weights_still_fit(tmp_path, capsys):
    ckpt = tmp_path / "old.pt"
    torch.save({"model": trained_lenet().state_dict(), "fingerprint": "0123456789abcdef"}, ckpt)
    assert main(["export", str(LENET), "--python", str(tmp_path / "m.py"), "--weights",
                 str(ckpt)]) == 0
    out = capsys.readouterr().out
    assert "different version of this graph" in out
    assert "holds the network, not its weights" in out


def test_weights_of_another_network_are_refused(tmp_path, capsys):
    resnet = load_project(ROOT / "assets" / "examples" / "resnet18_flat.json").graph
    wrong = build_module(resnet).state_dict()
    ckpt = tmp_path / "resnet.pt"
    torch.save({"model": wrong, "fingerprint": fingerprint(resnet)}, ckpt)
    model = build_module(load_project(LENET).graph)
    with pytest.raises(WeightsError, match="trained for a different network") as err:
        apply_weights(model, load_weights(ckpt))
    assert "missing 'conv1.bias', 'conv2.weight'" in str(err.value)
    assert "conv1.weight is 64x3x7x7 in the checkpoint but 6x1x5x5 here" in str(err.value)
    onnx_out = tmp_path / "x.onnx"
    assert main(["export", str(LENET), "--onnx", str(onnx_out), "--weights", str(ckpt)]) == 2
    assert "trained for a different network" in capsys.readouterr().err
    assert not onnx_out.exists()


class _Payload:
    """Unpickling this would create a file: a checkpoint must never be able to run code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("kind", ["missing", "folder", "garbage", "code", "not_weights"])
def test_unreadable_checkpoints_are_refused(kind, tmp_path, capsys):
    marker = tmp_path / "PWNED"
    ckpt = tmp_path / "ckpt.pt"
    if kind == "folder":
        ckpt.mkdir()
    elif kind == "garbage":
        ckpt.write_bytes(b"\x00not a checkpoint" * 10)
    elif kind == "code":
        with open(ckpt, "wb") as f:
            pickle.dump({"model": _Payload(marker)}, f, protocol=2)
    elif kind == "not_weights":
        torch.save({"model": {"conv1.weight": "not a tensor"}}, ckpt)
    with pytest.raises(WeightsError):
        load_weights(ckpt)
    assert main(["export", str(LENET), "--onnx", str(tmp_path / "m.onnx"), "--weights",
                 str(ckpt)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not marker.exists()
    assert not (tmp_path / "m.onnx").exists()
    if kind == "code":  # control: plain pickle would have run the payload
        pickle.loads(ckpt.read_bytes())
        assert marker.exists()
