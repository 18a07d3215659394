"""Weight initialisation: each choice draws what it says, visibly in the generated code."""

from __future__ import annotations

import math

import pytest
import torch

from netbuilder.codegen.build import build_module
from netbuilder.codegen.source import generate_source
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import dumps_project, load_project, loads_project

FAN = 400


def linear(**init):
    b = GraphBuilder("init")
    x = b.input((FAN,))
    b.layer("Linear", x, id="fc", out_features=FAN, **init)
    return b.graph


@pytest.mark.parametrize("init, check", [
    ({"init": "xavier_normal", "init_gain": 1.0}, lambda w: w.std() == pytest.approx(math.sqrt(2 / (2 * FAN)), rel=0.05)),
    ({"init": "xavier_uniform"}, lambda w: w.abs().max() <= math.sqrt(6 / (2 * FAN)) + 1e-6),
    ({"init": "kaiming_normal", "init_nonlinearity": "relu"}, lambda w: w.std() == pytest.approx(math.sqrt(2 / FAN), rel=0.05)),
    ({"init": "kaiming_uniform", "init_nonlinearity": "tanh"}, lambda w: w.abs().max() <= 5 / 3 * math.sqrt(3 / FAN) + 1e-6),
    ({"init": "normal", "init_gain": 0.01}, lambda w: w.std() == pytest.approx(0.01, rel=0.05) and abs(float(w.mean())) < 1e-3),
    ({"init": "normal", "init_gain": 1.0}, lambda w: w.std() == pytest.approx(1.0, rel=0.05)),
    ({"init": "uniform", "init_gain": 0.5}, lambda w: w.abs().max() <= 0.5 and w.std() == pytest.approx(0.5 / math.sqrt(3), rel=0.05)),
    ({"init": "zeros"}, lambda w: not w.any()),
    ({"init": "orthogonal", "init_gain": 2.0}, lambda w: torch.allclose(w @ w.T, 4 * torch.eye(FAN), atol=1e-3)),
])
def test_each_choice_draws_the_distribution_asked_for(init, check):
    torch.manual_seed(0)
    model = build_module(linear(**init))
    w = model.fc.weight.detach()
    assert check(w)
    assert not model.fc.bias.detach().any()          # other than default, biases start at 0
    source = generate_source(linear(**init))
    assert f"nn.init.{init['init']}_(self.fc.weight" in source


def test_default_keeps_pytorchs_own_and_writes_no_init_line():
    source = generate_source(linear())
    assert "nn.init" not in source
    torch.manual_seed(0)
    ours = build_module(linear()).fc.weight
    torch.manual_seed(0)
    theirs = torch.nn.Linear(FAN, FAN).weight
    assert torch.equal(ours, theirs)


def test_recurrent_weights_can_start_orthogonal():
    b = GraphBuilder("rnn")
    x = b.input((5, 4))
    b.layer("LSTM", x, id="lstm", hidden_size=6, num_layers=2, bidirectional=True, init="orthogonal")
    model = build_module(b.graph)
    for name, p in model.lstm.named_parameters():
        if name.startswith("weight_hh"):
            q = p.detach()
            assert torch.allclose(q.T @ q, torch.eye(6), atol=1e-4), name
        if name.startswith("bias"):
            assert not p.detach().any()


def test_init_round_trips_through_the_project_file_and_old_files_load_unchanged():
    project = load_project(example_path("lenet5"))
    before = generate_source(project.graph)
    assert "nn.init" not in before                   # files without init: code as before
    project.graph.nodes["conv1"].params.update(init="kaiming_normal", init_nonlinearity="relu")
    again = loads_project(dumps_project(project))
    assert again.graph.nodes["conv1"].params["init"] == "kaiming_normal"
    assert "nn.init.kaiming_normal_(self.conv1.weight, nonlinearity='relu')" in generate_source(again.graph)


def test_onnx_export_is_unaffected_by_init(tmp_path):
    from netbuilder.codegen.onnx_export import export_onnx

    report = export_onnx(linear(init="xavier_uniform"), tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").is_file() and report is not None
