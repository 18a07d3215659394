"""PyTorch import of modules written as people write them: torchvision's ResNet layout,
an Inception module in functional style, the functional calls; refusals that name every
unsupported module and call; ``netbuilder import MODULE:CALLABLE`` end to end.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch_models as tm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from netbuilder.cli import main
from netbuilder.codegen.build import build_module, module_namespace
from netbuilder.codegen.source import generate_source
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import load_project
from netbuilder.importers.errors import ModelImportError
from netbuilder.importers.torch_import import from_torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _same_outputs(project, module, shape, batch=3):
    again = build_module(project.graph).eval()
    again.load_state_dict(project.weights)
    x = torch.randn(batch, *shape, generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        torch.testing.assert_close(again(x), module.eval()(x), rtol=1e-4, atol=1e-5)


def test_a_torchvision_style_resnet_shows_its_blocks():
    module = tm.build_resnet()
    project = from_torch(module, (3, 16, 16))
    g = project.graph
    # the BasicBlock without a downsample is one block; with one, a second structure
    assert set(g.blocks) == {"BasicBlock", "BasicBlock2"}
    assert "downsample_0" in g.blocks["BasicBlock2"].graph.nodes
    assert "downsample_0" not in g.blocks["BasicBlock"].graph.nodes
    # layer1's two identical blocks, each feeding the next, are one use repeated
    assert (g.nodes["layer1"].type, g.nodes["layer1"].params) == \
        ("BasicBlock", {"channels": 8, "repeat": 2})
    assert [(n, g.nodes[n].type, g.nodes[n].params["channels"])
            for n in ("layer2_0", "layer2_1", "layer3_0", "layer3_1")] == \
        [("layer2_0", "BasicBlock2", 16), ("layer2_1", "BasicBlock", 16),
         ("layer3_0", "BasicBlock2", 32), ("layer3_1", "BasicBlock", 32)]
    # one exposed setting moves every convolution's channels together
    assert [bp.targets for bp in g.blocks["BasicBlock"].params] == \
        [(("conv1", "out_channels"), ("conv2", "out_channels"))]
    assert sum(p.numel() for p in module.parameters()) == \
        sum(p.numel() for p in build_module(g).parameters())
    _same_outputs(project, module, (3, 16, 16))


def test_an_inception_module_in_functional_style():
    module = tm.build_inception()
    project = from_torch(module, (3, 8, 8))
    g = project.graph
    assert list(g.blocks) == ["Inception"]
    assert [n.type for n in g.nodes.values()] == [
        "Input", "Conv2d", "ReLU", "Inception", "Inception", "AdaptiveAvgPool2d", "Flatten",
        "Linear", "LogSoftmax"]
    inner = g.blocks["Inception"].graph
    assert [n.type for n in inner.nodes.values()].count("Concat") == 1
    assert g.nodes["inc1"].params != g.nodes["inc2"].params   # each use its own widths
    # several sets of widths: each named after the first layer it sets
    assert [bp.name for bp in g.blocks["Inception"].params] == \
        ["b1_channels", "b3_0_channels", "b5_channels"]
    assert g.nodes["inc1"].params == {"b1_channels": 4, "b3_0_channels": 6, "b5_channels": 2}
    _same_outputs(project, module, (3, 8, 8))


def test_functional_calls_become_layers():
    module = tm.Functional()
    project = from_torch(module, (2, 6, 6))
    types = [n.type for n in project.graph.nodes.values()]
    assert types == ["Input", "Conv2d", "Conv2d", "Sigmoid", "Multiply", "Add",
                     "AdaptiveAvgPool2d", "Flatten", "Linear", "GELU", "Dropout", "Linear",
                     "Tanh"]
    assert project.graph.nodes["dropout"].params == {"p": 0.2}
    _same_outputs(project, module, (2, 6, 6))


def test_unsupported_modules_and_calls_are_all_named():
    with pytest.raises(ModelImportError) as info:
        from_torch(tm.Unsupported(), (6,))
    assert info.value.problems == [
        "Hardtanh 'act' (torch.nn.Hardtanh has no netbuilder layer) is not supported",
        "torch.cumsum 'cumsum' is not supported",
        ".clamp() 'clamp' is not supported"]


def test_data_dependent_control_flow_is_refused_clearly():
    with pytest.raises(ModelImportError, match="no if or for on tensor values"):
        from_torch(tm.DataDependent(), (4,))


def test_shared_weights_are_refused():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return self.fc(self.fc(x))

    with pytest.raises(ModelImportError, match="called more than once"):
        from_torch(Twice(), (4,))


def test_the_module_is_left_in_training_mode():
    module = tm.Functional().train()
    from_torch(module, (2, 6, 6))
    assert module.training


def test_package_level_api_is_lazy():
    code = ("import sys, netbuilder; assert 'torch' not in sys.modules; "
            "f = netbuilder.from_torch; assert 'torch' in sys.modules; print(f.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "from_torch"


def test_save_writes_the_project_and_the_weights(tmp_path):
    module = tm.build_inception()
    project = from_torch(module, (3, 8, 8))
    proj, weights = project.save(tmp_path / "inc.json")
    assert weights == tmp_path / "inc.pt"
    loaded = load_project(proj)
    assert list(loaded.graph.blocks) == ["Inception"]
    state = torch.load(weights, weights_only=True)["model"]
    again = build_module(loaded.graph).eval()
    again.load_state_dict(state)
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(again(x), module.eval()(x), rtol=1e-4, atol=1e-5)


# -- the command line --------------------------------------------------------------------

@pytest.fixture
def in_tests_dir(monkeypatch):
    """The current folder is where the user's module is (as with ``python -m``)."""
    monkeypatch.chdir(HERE)
    monkeypatch.setattr(sys, "path", list(sys.path))


def test_cli_imports_module_callable(in_tests_dir, tmp_path, capsys):
    out = tmp_path / "resnet.json"
    assert main(["import", "torch_models:build_resnet", "-o", str(out),
                 "--input-shape", "3,16,16"]) == 0
    said = capsys.readouterr().out
    assert "running its Python code" in said and "blocks BasicBlock x3, BasicBlock2 x2" in said
    assert main(["check", str(out)]) == 0
    # and exports again, with the imported weights, verified by onnxruntime
    assert main(["export", str(out), "--onnx", str(tmp_path / "r.onnx"),
                 "--weights", str(out.with_suffix(".pt"))]) == 0
    state = torch.load(out.with_suffix(".pt"), weights_only=True)["model"]
    again = build_module(load_project(out).graph).eval()
    again.load_state_dict(state)
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(again(x), tm.build_resnet().eval()(x), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("spec, shape, message", [
    ("torch_models:no_such_thing", "4", "torch_models has no 'no_such_thing'"),
    ("torch_models:not_a_module", "4", "not callable"),
    ("torch_models:returns_a_string", "4", "returns an object of type str; expected a "
                                           "torch.nn.Module"),
    ("no_such_package_xyz:model", "4", "no_such_package_xyz: cannot be imported"),
    ("torch_models:Unsupported", "6", "Hardtanh 'act'"),
    ("torch_models:DataDependent", "4", "no if or for on tensor values"),
    ("torch_models:Functional", "3,6,6", "running forward on a random batch of shape "
                                         "Nx3x6x6 fails: Given groups=1"),
])
def test_cli_refusals_exit_2_and_write_nothing(in_tests_dir, tmp_path, capsys, spec, shape,
                                               message):
    out = tmp_path / "m.json"
    assert main(["import", spec, "-o", str(out), "--input-shape", shape]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_cli_needs_the_input_shape_for_a_module(in_tests_dir, tmp_path, capsys):
    assert main(["import", "torch_models:build_resnet", "-o", str(tmp_path / "m.json")]) == 2
    assert "--input-shape is required" in capsys.readouterr().err


def test_cli_help_says_the_module_is_run(capsys):
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "RUNS 'import MODULE' as Python" in text


# -- random stacks of catalogue layers ---------------------------------------------------

_LAYERS = [
    ("Conv2d", {"out_channels": 5, "kernel_size": 3, "padding": 1}),
    ("Conv2d", {"out_channels": 4, "kernel_size": 1, "bias": False}),
    ("BatchNorm2d", {}), ("ReLU", {}), ("Tanh", {}), ("GELU", {}), ("SiLU", {}),
    ("LeakyReLU", {"negative_slope": 0.2}), ("Hardswish", {}), ("Dropout", {"p": 0.3}),
    ("MaxPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}),
    ("AvgPool2d", {"kernel_size": 3, "stride": 1, "padding": 1}),
    ("ZeroPad2d", {"padding": [1, 0, 0, 1]}), ("PReLU", {}), ("Mish", {}),
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, len(_LAYERS) - 1), min_size=1, max_size=6),
       st.booleans())
def test_random_stacks_round_trip(picks, residual):
    b = GraphBuilder("stack")
    x = first = b.input((4, 6, 6))
    for k in picks:
        type_, params = _LAYERS[k]
        x = b.layer(type_, x, **params)
    if residual:
        x = b.layer("Conv2d", x, out_channels=4, kernel_size=1)
        # the stack may have grown the map (ZeroPad2d): pool back to the input's size
        x = b.layer("AdaptiveAvgPool2d", x, output_size=[6, 6])
        x = b.layer("Add", [x, first])
    x = b.layer("Flatten", x)
    b.layer("Linear", x, out_features=3)
    torch.manual_seed(0)
    original = module_namespace(generate_source(b.graph))["build_model"]().eval()
    project = from_torch(original, (4, 6, 6))
    assert [n.type for n in project.graph.nodes.values()] == \
        [n.type for n in b.graph.nodes.values()]
    _same_outputs(project, original, (4, 6, 6), batch=2)


class _Recurrent(nn.Module):
    def __init__(self, read_state: bool = False):
        super().__init__()
        self.rnn = nn.LSTM(3, 5, batch_first=True)
        self.fc = nn.Linear(5, 2)
        self.read_state = read_state

    def forward(self, x, lengths=None):
        out, (h, c) = self.rnn(x)
        return self.fc(h[-1] if self.read_state else out[:, -1])


def test_an_lstm_unpacked_as_people_write_it():
    module = _Recurrent()
    project = from_torch(module, (7, 3))
    assert [n.type for n in project.graph.nodes.values()] == \
        ["Input", "LSTM", "LastTimeStep", "Linear"]
    _same_outputs(project, module, (7, 3))


def test_reading_the_recurrent_state_is_refused_naming_it():
    with pytest.raises(ModelImportError, match=r"Linear 'fc' \(on the state or weights"):
        from_torch(_Recurrent(read_state=True), (7, 3))


def test_a_single_layer_is_a_network_of_that_layer():
    module = nn.Conv2d(3, 4, 3, padding=1)
    project = from_torch(module, (3, 5, 5))
    assert [(n.type, n.params) for n in project.graph.nodes.values()] == [
        ("Input", {"shape": (3, 5, 5)}),
        ("Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1})]
    _same_outputs(project, module, (3, 5, 5))


def test_refusals_inside_submodules_name_their_full_path():
    class Part(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.act = nn.Hardtanh()

        def forward(self, x):
            return torch.cumsum(self.act(self.fc(x)), 1)

    class Whole(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = Part(), Part()

        def forward(self, x):
            return self.b(self.a(x))

    with pytest.raises(ModelImportError) as info:
        from_torch(Whole(), (3,))
    assert [p.split(" (")[0].removesuffix(" is not supported") for p in info.value.problems] \
        == ["Hardtanh 'a.act'", "torch.cumsum 'a.cumsum'", "Hardtanh 'b.act'",
            "torch.cumsum 'b.cumsum'"]


@pytest.mark.parametrize("cls, shape, blocks", [
    (tm.MobileNetV2, (3, 32, 32), {"ConvNormAct", "InvertedResidual", "InvertedResidual2",
                                   "InvertedResidual3"}),
    (tm.DenseNet, (3, 8, 8), {"DenseBlock", "DenseBlock2"}),
    (tm.Squeeze, (3, 32, 32), {"Fire"}),
    (tm.ShuffleNet, (3, 6, 6), {"ShuffleUnit"}),
])
def test_torchvision_styles_import_with_their_blocks(cls, shape, blocks):
    torch.manual_seed(0)
    module = cls()
    project = from_torch(module, shape)
    assert set(project.graph.blocks) == blocks
    _same_outputs(project, module, shape, batch=2)


def test_shufflenets_channel_shuffle_is_one_layer():
    project = from_torch(tm.ShuffleNet(), (3, 6, 6))
    unit = project.graph.blocks["ShuffleUnit"].graph
    assert [n.type for n in unit.nodes.values()] == \
        ["Input", "Conv2d", "ReLU", "ChannelShuffle", "Conv2d", "Add"]
    assert unit.nodes["channel_shuffle"].params == {"groups": 3}
    assert project.graph.nodes["stage"].params == {"repeat": 2}


def test_other_transposes_are_refused_naming_them():
    class Swap(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 2, 1)

        def forward(self, x):
            return self.conv(x).transpose(2, 3)

    with pytest.raises(ModelImportError, match=r"\.transpose\(\) 'transpose' \(netbuilder's "
                       "layers keep the order of dimensions"):
        from_torch(Swap(), (2, 3, 4))


class _Mix(nn.Module):
    """Two inputs, one output: a block with two input ports."""

    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(8, width)

    def forward(self, a, b):
        return torch.relu(self.fc(torch.cat([a, b], dim=1)))


class _TwoInTwoOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.m1 = _Mix(4)
        self.m2 = _Mix(4)
        self.head = nn.Linear(4, 2)

    def forward(self, left, right):
        x = self.m1(left, right)
        y = self.m2(x, right)
        return self.head(y), x * y


def test_several_inputs_and_outputs_and_a_two_input_block():
    module = _TwoInTwoOut()
    project = from_torch(module, [(4,), (4,)])
    g = project.graph
    assert [nid for nid, n in g.nodes.items() if n.type == "Input"] == ["left", "right"]
    assert list(g.blocks) == ["Mix"] and len(g.blocks["Mix"].inputs) == 2
    again = build_module(g).eval()
    again.load_state_dict(project.weights)
    a, b = torch.randn(3, 4), torch.randn(3, 4)
    with torch.no_grad():
        want, got = module(a, b), again(a, b)
    for w, o in zip(want, got, strict=True):
        torch.testing.assert_close(o, w)
