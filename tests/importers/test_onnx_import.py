"""ONNX import: operator mapping and patterns, the command, and files that must be refused.

Every successful import here has already been compared with onnxruntime by ``import_onnx``
(it refuses otherwise); the tests also run the written project and weights through the
rest of netbuilder (check, compile, export) as a user would.
"""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import helper, numpy_helper
from onnx_models import (
    conv_net,
    cubic_upsample,
    cycle,
    external_data,
    f32,
    huge_input,
    save,
    scale_shift_matmul,
    shuffle_with_shape_ops,
    unknown_domain,
    weight,
)

from netbuilder.cli import main
from netbuilder.codegen.build import build_module
from netbuilder.graph.analysis import analyze
from netbuilder.graph.project import load_project
from netbuilder.importers.errors import ModelImportError
from netbuilder.importers.onnx_import import import_onnx
from netbuilder.runtime.checkpoint import load_checkpoint, restore_model


def _types(result) -> list[str]:
    return [n.type for n in result.project.graph.nodes.values()]


def _same_as_onnxruntime(path, project, state, batch: int = 3) -> None:
    """Our own comparison, independent of the one inside import_onnx."""
    model = build_module(project.graph)
    model.load_state_dict(state)
    model.eval()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    shape = analyze(project.graph).nodes[next(iter(project.graph.nodes))].output.shape
    x = np.random.default_rng(1).standard_normal((batch, *shape)).astype(np.float32)
    ref = sess.run(None, {inp.name: x})[0]
    with torch.no_grad():
        ours = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("attrs", [
    {"pads": [1, 1, 1, 1], "strides": [2, 2]},
    {"pads": [0, 1, 2, 1], "dilations": [1, 2]},          # asymmetric: a ZeroPad2d first
    {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
    {"auto_pad": "SAME_LOWER"},
])
def test_conv_and_pool_padding_are_mapped_exactly(tmp_path, attrs):
    path = conv_net(tmp_path / "conv.onnx", **attrs)
    result = import_onnx(path)
    types = _types(result)
    assert types[:1] == ["Input"] and "Conv2d" in types and "MaxPool2d" in types
    # MaxPool's pads (0,0 / 1,1) are asymmetric: padded with float32's lowest, never the max.
    assert "ConstantPad2d" in types
    assert ("ZeroPad2d" in types) == (attrs.get("pads", [0])[0:2] != attrs.get("pads", [0])[2:4]
                                      and "pads" in attrs)
    _same_as_onnxruntime(path, result.project, result.state_dict)


def test_scale_and_shift_become_batchnorm_and_matmul_add_becomes_linear(tmp_path):
    result = import_onnx(scale_shift_matmul(tmp_path / "m.onnx"))
    assert _types(result) == ["Input", "BatchNorm2d", "Flatten", "Linear"]
    assert result.project.graph.nodes["fc"].params["out_features"] == 5
    _same_as_onnxruntime(tmp_path / "m.onnx", result.project, result.state_dict)


def test_shape_ops_are_folded_and_the_shuffle_is_one_layer(tmp_path):
    result = import_onnx(shuffle_with_shape_ops(tmp_path / "s.onnx"))
    assert _types(result) == ["Input", "ChannelShuffle"]
    assert next(n for n in result.project.graph.nodes.values()
                if n.type == "ChannelShuffle").params["groups"] == 3
    _same_as_onnxruntime(tmp_path / "s.onnx", result.project, result.state_dict)


def test_external_data_beside_the_model_loads(tmp_path):
    result = import_onnx(external_data(tmp_path / "ext.onnx"))
    assert _types(result) == ["Input", "Linear"]
    assert result.parameters == 32 * 64 + 32


def test_every_unsupported_node_is_named_and_nothing_is_written(tmp_path, capsys):
    path = cubic_upsample(tmp_path / "cubic.onnx")
    out = tmp_path / "p.json"
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Resize 'up1' (mode=cubic) is not supported" in err
    assert "Erf 'erf1' is not supported" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cubic.onnx"]


HOSTILE = {
    "truncated": "not a readable ONNX model",
    "cycle": "ONNX checker refuses",
    "huge": "not a usable size",
    "domain": "domains netbuilder does not know: FancyOp 'fancy' (domain 'com.example')",
    "outside": "outside the model's folder",
    "missing_data": "not beside the model",
    "lying_tensor": "raw_data size (40 bytes) is too small for the declared shape",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_are_refused_cleanly(tmp_path, capsys, kind):
    folder = tmp_path / "model"
    folder.mkdir()
    path = folder / "m.onnx"
    if kind == "truncated":
        conv_net(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "cycle":
        cycle(path)
    elif kind == "huge":
        huge_input(path)
    elif kind == "domain":
        unknown_domain(path)
    elif kind == "outside":
        (tmp_path / "secret.data").write_bytes(b"\0" * 10000)
        external_data(path, location="../secret.data")
    elif kind == "lying_tensor":
        conv_net(path)
        m = onnx.load(str(path))
        w = next(t for t in m.graph.initializer if t.name == "w")
        w.raw_data = w.raw_data[:40]
        onnx.save(m, str(path))
    else:
        external_data(path, location="gone.data")
    before = sorted(p.name for p in folder.iterdir())
    out = folder / "p.json"
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert HOSTILE[kind] in err, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_open_dimensions_need_input_shape(tmp_path, capsys):
    path = tmp_path / "open.onnx"
    onnx_model = onnx.load(str(conv_net(path)))
    for d in onnx_model.graph.input[0].type.tensor_type.shape.dim[2:]:
        d.dim_param = "size"
    onnx.save(onnx_model, str(path))
    out = tmp_path / "open.json"
    assert main(["import", str(path), "-o", str(out)]) == 2
    assert "--input-shape" in capsys.readouterr().err and not out.exists()
    assert main(["import", str(path), "-o", str(out), "--input-shape", "3,12,12"]) == 0
    graph = load_project(out).graph
    assert graph.nodes["x"].params["shape"] == (3, 12, 12)


def test_command_writes_a_project_and_weights_the_rest_of_netbuilder_reads(tmp_path, capsys):
    path = conv_net(tmp_path / "net.onnx", pads=[1, 1, 1, 1])
    out = tmp_path / "net.json"
    assert main(["import", str(path), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "verified against onnxruntime" in printed and "net.pt" in printed
    data = json.loads(out.read_text())
    assert {n["id"] for n in data["nodes"]} == {"x", "conv1", "pool1_pad", "pool1", "relu1"}
    assert all("position" in n for n in data["nodes"])       # laid out
    assert main(["check", str(out)]) == 0
    # train --resume's reader and export --weights both take the checkpoint.
    ckpt = load_checkpoint(tmp_path / "net.pt")
    project = load_project(out)
    model = build_module(project.graph)
    restore_model(ckpt, model)
    _same_as_onnxruntime(path, project, model.state_dict())
    assert main(["export", str(out), "--weights", str(tmp_path / "net.pt"),
                 "--onnx", str(tmp_path / "again.onnx")]) == 0
    _same_as_onnxruntime(tmp_path / "again.onnx", project, model.state_dict())


def test_weights_out_chooses_the_checkpoint_path(tmp_path):
    path = conv_net(tmp_path / "net.onnx")
    assert main(["import", str(path), "-o", str(tmp_path / "a.json"),
                 "--weights-out", str(tmp_path / "w.ckpt")]) == 0
    assert (tmp_path / "w.ckpt").exists() and not (tmp_path / "a.pt").exists()


def test_a_project_path_that_cannot_be_written_is_a_message_and_the_old_file_stays(
        tmp_path, capsys):
    path = conv_net(tmp_path / "net.onnx")
    out = tmp_path / "net.json"
    out.write_text("my earlier project", encoding="utf-8")
    (tmp_path / "net.pt").mkdir()          # the weights' place is taken by a folder
    assert main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "net.pt" in err and "cannot be written" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "my earlier project"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json", "net.onnx", "net.pt"]


def test_old_opsets_are_upgraded(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Flatten", ["r"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "g", "b"], ["y"], name="fc", transB=1),
             ]
    path = save(tmp_path / "old.onnx", nodes, [f32("x", [1, 2, 4, 4])], [f32("y", [1, 3])],
                [weight("w", 4, 2, 3, 3), weight("g", 3, 64), weight("b", 3)], opset=7)
    result = import_onnx(path)
    assert result.opset == 7
    assert _types(result) == ["Input", "Conv2d", "ReLU", "Flatten", "Linear"]


def test_a_file_that_is_neither_onnx_nor_module_callable_is_refused(tmp_path, capsys):
    assert main(["import", str(tmp_path / "model.pt"), "-o", str(tmp_path / "r.json")]) == 2
    assert "expected an ONNX file (.onnx) or a PyTorch module" in capsys.readouterr().err


def test_refusal_is_a_model_import_error(tmp_path):
    with pytest.raises(ModelImportError, match="Erf 'erf1'"):
        import_onnx(cubic_upsample(tmp_path / "c.onnx"))


def _i64(v, name):
    return numpy_helper.from_array(np.array(v, np.int64), name)


def _f32(v, name):
    return numpy_helper.from_array(np.array(v, np.float32), name)


SINGLE_OPS = [  # (opset, node, constants, the layer it becomes, its parameters)
    (9, helper.make_node("Upsample", ["x", "s"], ["y"], name="up1", mode="nearest"),
     [_f32([1, 1, 2, 2], "s")], "Upsample", {"scale_factor": 2.0, "mode": "nearest"}),
    (13, helper.make_node("Resize", ["x", "", "s"], ["y"], name="up1", mode="nearest"),
     [_f32([1, 1, 3, 3], "s")], "Upsample", {"scale_factor": 3.0, "mode": "nearest"}),
    (13, helper.make_node("Resize", ["x", "", "s"], ["y"], name="up1", mode="linear"),
     [_f32([1, 1, 2, 2], "s")], "Upsample", {"mode": "bilinear", "align_corners": False}),
    (13, helper.make_node("Resize", ["x", "", "", "z"], ["y"], name="up1", mode="linear",
                          coordinate_transformation_mode="align_corners"),
     [_i64([2, 4, 7, 9], "z")], "Upsample", {"size": (7, 9), "align_corners": True}),
    (13, helper.make_node("DepthToSpace", ["x"], ["y"], name="d2s", blocksize=2, mode="CRD"),
     [], "PixelShuffle", {"upscale_factor": 2}),
    (13, helper.make_node("PRelu", ["x", "s"], ["y"], name="pr"),
     [_f32(np.linspace(0.1, 0.4, 4).reshape(4, 1, 1), "s")], "PReLU", {"num_parameters": 4}),
    (13, helper.make_node("Pad", ["x", "p", "v"], ["y"], name="pad"),
     [_i64([0, 0, 1, 2, 0, 0, 3, 0], "p"), _f32(0.5, "v")], "ConstantPad2d",
     {"padding": (2, 0, 1, 3), "value": 0.5}),
    (13, helper.make_node("LRN", ["x"], ["y"], name="lrn", size=3, alpha=2e-4, beta=0.7, bias=2.0),
     [], "LocalResponseNorm", {"size": 3, "k": 2.0}),
    (17, helper.make_node("HardSigmoid", ["x"], ["y"], name="hs", alpha=1 / 6), [], "Hardsigmoid", {}),
    (13, helper.make_node("Clip", ["x", "lo", "hi"], ["y"], name="clip"),
     [_f32(0.0, "lo"), _f32(6.0, "hi")], "ReLU6", {}),
    (13, helper.make_node("GlobalMaxPool", ["x"], ["y"], name="gmp"), [], "AdaptiveMaxPool2d",
     {"output_size": 1}),
]


@pytest.mark.parametrize("opset, node, consts, type_, params", SINGLE_OPS,
                         ids=[f"{n.op_type}{i}" for i, (_, n, *_r) in enumerate(SINGLE_OPS)])
def test_single_operators_become_their_layer(tmp_path, opset, node, consts, type_, params):
    x = f32("x", ["N", 4, 5, 5]) if node.op_type != "Resize" or "z" not in node.input \
        else f32("x", [2, 4, 5, 5])
    path = save(tmp_path / "op.onnx", [node], [x], [f32("y", None)], consts, opset=opset)
    result = import_onnx(path)
    (layer,) = [n for n in result.project.graph.nodes.values() if n.type != "Input"]
    assert layer.type == type_
    for k, v in params.items():
        assert layer.params.get(k) == v, (k, layer.params)


def test_a_mismatch_with_onnxruntime_is_refused_and_nothing_is_written(tmp_path):
    """Asked for bit-exact agreement, a deep stack of wide layers (whose float32 sums
    onnxruntime and PyTorch order differently) is refused, naming what differs; the default
    tolerance accepts the same file."""
    nodes, inits, x = [], [], "x"
    for i in range(6):
        nodes += [helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [f"g{i}"], name=f"fc{i}",
                                   transB=1),
                  helper.make_node("Tanh", [f"g{i}"], [f"t{i}"], name=f"tanh{i}")]
        w = np.random.default_rng(i).standard_normal((512, 512)) / np.sqrt(512)  # He-like
        inits += [numpy_helper.from_array(w.astype(np.float32), f"w{i}"), weight(f"b{i}", 512)]
        x = f"t{i}"
    nodes[-1].output[0] = "y"
    path = save(tmp_path / "deep.onnx", nodes, [f32("x", ["N", 512])], [f32("y", None)], inits)
    out = tmp_path / "deep.json"
    with pytest.raises(ModelImportError, match=r"computes a different (output 'y'|layer 'fc\d')"):
        import_onnx(path, rtol=0.0, atol=0.0)
    assert main(["import", str(path), "-o", str(out)]) == 0
    assert import_onnx(path).max_abs_diff > 0.0
