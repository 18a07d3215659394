"""Every shipped example round-trips: exported to ONNX with netbuilder's own exporter, then
imported, it computes what the original module computes with the same weights.

Inference ONNX folds each BatchNorm into the convolution before it (both exporters do), so
the imported network has the convolution's weights changed and no BatchNorm: its parameter
count is the original's minus exactly the BatchNorm scales and shifts. The recurrent and
transformer examples export as loops of element-wise ops that are not layers; they are
listed with that reason and must keep being refused until import maps them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from netbuilder.codegen.build import build_module
from netbuilder.codegen.onnx_export import export_onnx
from netbuilder.codegen.plan import make_plan
from netbuilder.codegen.samples import example_inputs
from netbuilder.graph.project import load_project
from netbuilder.importers.errors import ModelImportError
from netbuilder.importers.onnx_import import import_onnx

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
# example -> an operator the refusal names (None: any refusal)
OUT_OF_SCOPE = {
    "gru_waveforms": "GRU",
    "lstm_waveforms": "LSTM",
    "rnn_waveforms": "Squeeze",
    "transformer_waveforms": "Transpose",
    # Maxout comes from another branch; it exports as a reshape and a max over the pieces.
    "maxout_mlp": None,
}
# examples our exporter refuses, so there is no file to import (tests/test_examples.py)
NOT_EXPORTED = {"init_demo"}   # std 1.0 tanh stack: float rounding grows ~8x a layer
SHIPPED = sorted(p.stem for p in EXAMPLES.glob("*.json") if p.stem not in NOT_EXPORTED)
IN_SCOPE = [n for n in SHIPPED if n not in OUT_OF_SCOPE]


def _export(name: str, tmp_path: Path):
    graph = load_project(EXAMPLES / f"{name}.json").graph
    torch.manual_seed(0)
    original = build_module(graph).eval()
    path = tmp_path / f"{name}.onnx"
    export_onnx(graph, path, weights=original.state_dict())
    return graph, original, path


@pytest.mark.parametrize("name", IN_SCOPE)
def test_example_round_trips_through_onnx(name, tmp_path):
    graph, original, path = _export(name, tmp_path)
    result = import_onnx(path)
    imported = build_module(result.project.graph).eval()
    imported.load_state_dict(result.state_dict)
    folded = sum(p.numel() for m in original.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
                 for p in m.parameters())
    # the exporter's optimiser drops a bias that is all zeros from the file (the init demos
    # zero their biases), so the imported Linear has none: the same outputs, fewer tensors
    zero_biases = sum(b.numel() for name, b in original.named_parameters()
                      if name.endswith(".bias") and not b.any()
                      and not isinstance(original.get_submodule(name.rsplit(".", 1)[0]),
                                         nn.modules.batchnorm._BatchNorm))
    ours = sum(p.numel() for p in original.parameters())
    assert (sum(p.numel() for p in imported.parameters()) == ours - folded - zero_biases
            == result.parameters)
    inputs = example_inputs(make_plan(graph).inputs, batch=3, seed=5)
    with torch.no_grad():
        torch.testing.assert_close(imported(*inputs), original(*inputs), rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("name", [n for n in SHIPPED if n in OUT_OF_SCOPE])
def test_recurrent_and_transformer_examples_are_refused_naming_the_ops(name, tmp_path):
    _, _, path = _export(name, tmp_path)
    op = OUT_OF_SCOPE[name]
    with pytest.raises(ModelImportError, match=f"{op} '" if op else "cannot be imported"):
        import_onnx(path)


# The layers import needs, each exported by netbuilder and imported back as itself. The
# dynamo exporter writes Softplus as element-wise pieces (Greater/Where around its
# threshold), so it goes through the TorchScript exporter, which writes the
# Softplus operator. Both exporters write LocalResponseNorm as Pad/Pow/AveragePool pieces:
# the LRN operator is imported from the ONNX package's AlexNet (test_onnx_import_backend.py).
TORCHSCRIPT = {"Softplus"}
NEW_LAYERS = [
    ("PReLU", (4, 6, 6), {"num_parameters": 4}),
    ("PReLU", (4, 6, 6), {}),
    ("Softplus", (4, 6, 6), {}),
    ("SELU", (4, 6, 6), {}),
    ("Hardswish", (4, 6, 6), {}),
    ("Hardsigmoid", (4, 6, 6), {}),
    ("Mish", (4, 6, 6), {}),
    ("ZeroPad2d", (4, 6, 6), {"padding": [1, 2, 0, 3]}),
    ("ConstantPad2d", (4, 6, 6), {"padding": 1, "value": 0.5}),
    ("Upsample", (4, 6, 6), {}),
    ("Upsample", (4, 6, 6), {"scale_factor": None, "size": [9, 8], "mode": "bilinear",
                             "align_corners": False}),
    ("Upsample", (4, 6, 6), {"mode": "bilinear", "align_corners": True}),
    ("PixelShuffle", (8, 3, 3), {"upscale_factor": 2}),
    ("ChannelShuffle", (6, 4, 4), {"groups": 3}),
]


@pytest.mark.parametrize("type_, shape, params", NEW_LAYERS,
                         ids=[f"{t}{i}" for i, (t, _, _) in enumerate(NEW_LAYERS)])
def test_new_layers_round_trip_as_themselves(type_, shape, params, tmp_path):
    from netbuilder.graph.builder import GraphBuilder

    b = GraphBuilder(f"{type_} net")
    x = b.input(shape)
    b.layer(type_, b.layer("Tanh", x, id="before"), id="layer", **params)
    torch.manual_seed(0)
    original = build_module(b.graph).eval()
    path = tmp_path / "m.onnx"
    export_onnx(b.graph, path, weights=original.state_dict(),
                exporter="torchscript" if type_ in TORCHSCRIPT else "auto")
    result = import_onnx(path)
    types = [n.type for n in result.project.graph.nodes.values()]
    assert types == ["Input", "Tanh", type_]
    imported = build_module(result.project.graph).eval()
    imported.load_state_dict(result.state_dict)
    xs = torch.randn(3, *shape)
    with torch.no_grad():
        torch.testing.assert_close(imported(xs), original(xs), rtol=1e-3, atol=1e-5)
