"""``netbuilder load-weights`` and ``netbuilder train --weights``: a downloaded-style
state_dict (other names) reported tensor by tensor, and a fine-tune from it that leaves the
frozen layers exactly as the file had them."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from netbuilder.cli import main
from netbuilder.codegen.build import build_module
from netbuilder.graph.project import dumps_project, load_project
from netbuilder.graph.transfer import freeze_up_to
from netbuilder.runtime.checkpoint import load_checkpoint

LENET = Path(__file__).resolve().parents[2] / "assets" / "examples" / "lenet5.json"


def _foreign_file(tmp_path: Path) -> tuple[Path, dict[str, torch.Tensor]]:
    """LeNet-5 weights saved under other names, as a script with nn.Sequential would."""
    torch.manual_seed(3)
    state = build_module(load_project(LENET).graph).state_dict()
    names = ["features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
             "classifier.0.weight", "classifier.0.bias", "classifier.2.weight",
             "classifier.2.bias", "classifier.4.weight", "classifier.4.bias"]
    renamed = dict(zip(names, state.values(), strict=True))
    path = tmp_path / "lenet_pretrained.pth"
    torch.save(renamed, path)
    return path, dict(state)


def test_load_weights_reports_every_tensor_and_writes_a_checkpoint(tmp_path, capsys):
    path, state = _foreign_file(tmp_path)
    out = tmp_path / "lenet.pt"
    assert main(["load-weights", str(LENET), str(path), "--all", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "conv2.weight 16x6x5x5: loaded by order from features.3.weight" in text
    assert "10 of 10 tensors loaded (10 by order)" in text
    saved = load_checkpoint(out).model_state
    assert all(torch.equal(saved[k], v) for k, v in state.items())


def test_a_file_for_another_network_is_refused_in_one_line(tmp_path, capsys):
    path = tmp_path / "other.pt"
    torch.save({"encoder.weight": torch.zeros(7, 7)}, path)
    assert main(["load-weights", str(LENET), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: other.pt: none of its 1 tensors fits this network")
    assert "Traceback" not in err


def test_train_with_weights_fine_tunes_only_what_is_not_frozen(tmp_path, capsys):
    path, state = _foreign_file(tmp_path)
    project = load_project(LENET)
    for nid in freeze_up_to(project.graph, "pool2"):
        project.graph.nodes[nid].trainable = False
    frozen = tmp_path / "lenet_frozen.json"
    frozen.write_text(dumps_project(project))
    saved = tmp_path / "tuned.pt"
    metrics = tmp_path / "m.json"
    assert main(["train", str(frozen), "--weights", str(path), "--epochs", "1", "--device", "cpu",
                 "--save", str(saved), "--metrics-out", str(metrics)]) == 0
    out = capsys.readouterr().out
    assert "frozen: input, conv1, relu1, pool1, conv2, relu2, pool2 (2,572 parameters" in out
    assert "weights from" in out and "10 of 10 tensors loaded" in out
    tuned = load_checkpoint(saved).model_state
    for key in ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"):
        assert torch.equal(tuned[key], state[key]), key
    assert not torch.equal(tuned["fc1.weight"], state["fc1.weight"])
    assert json.loads(metrics.read_text())["history"]


def test_weights_and_resume_together_are_refused(tmp_path, capsys):
    path, _ = _foreign_file(tmp_path)
    assert main(["train", str(LENET), "--weights", str(path), "--resume", str(path)]) == 1
    assert "give one of them" in capsys.readouterr().err
