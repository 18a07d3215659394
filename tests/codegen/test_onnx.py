"""ONNX export: every layer exports, passes the checker and matches onnxruntime.

Per layer the TorchScript exporter is used (a few hundredths of a second each); the dynamo
exporter, at one to two seconds per export, gets every layer type too but grouped into
three multi-input, multi-output graphs. Each export is checked again here, independently of the
verification inside ``export_onnx``: with our own weights and a batch of five.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from codegen_cases import CASES, Case, alone, in_small_net, zoo
from codegen_checks import export_and_check

from netbuilder.codegen.errors import CompileError, ExportError
from netbuilder.codegen.onnx_export import export_onnx
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import load_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"

SEQUENCE = {"Embedding", "RNN", "LSTM", "GRU", "LastTimeStep", "MultiheadAttention",
            "TransformerEncoderLayer", "TransformerDecoderLayer", "PositionalEncoding"}
_rest = [c for c in CASES if c.type not in SEQUENCE]
ZOOS = {
    "dense_and_activations": _rest[: len(_rest) // 2],
    "conv_pool_norm_merge": _rest[len(_rest) // 2:],
    # One case per recurrent/attention type: dynamo takes seconds per recurrent layer; the
    # other variants go through TorchScript above.
    "sequence": [c for i, c in enumerate(CASES)
                 if c.type in SEQUENCE and c.type not in {d.type for d in CASES[:i]}],
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_layer_alone_exports_with_torchscript(case: Case, tmp_path):
    export_and_check(alone(case), tmp_path / "layer.onnx", "torchscript")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_layer_in_a_small_net_exports_with_torchscript(case: Case, tmp_path):
    export_and_check(in_small_net(case), tmp_path / "net.onnx", "torchscript")


def test_zoos_hold_every_layer_type():
    assert {c.type for z in ZOOS.values() for c in z} == {c.type for c in CASES}


@pytest.mark.parametrize("name", list(ZOOS))
def test_every_layer_exports_with_dynamo(name, tmp_path):
    report = export_and_check(zoo(ZOOS[name], name), tmp_path / f"{name}.onnx", "dynamo")
    assert len(report.output_names) == len(ZOOS[name])


def test_lenet5_auto_export_uses_dynamo_with_readable_names(tmp_path):
    graph = load_project(EXAMPLES / "lenet5.json").graph
    messages: list[str] = []
    report = export_onnx(graph, tmp_path / "lenet5.onnx", progress=messages.append)
    assert report.exporter == "dynamo" and report.fallback_reason is None
    assert report.input_names == ("x",) and report.output_names == ("fc3",)
    assert any("dynamo" in m for m in messages) and any("onnxruntime" in m for m in messages)
    model = onnx.load(str(tmp_path / "lenet5.onnx"))
    assert [i.name for i in model.graph.input] == ["x"]
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param  # symbolic batch
    assert 0 < report.export_seconds <= report.seconds


@pytest.mark.parametrize("node_id", ["code", "graph", "meta"])
def test_ids_that_name_fx_graph_module_attributes_still_export_with_dynamo(node_id, tmp_path):
    # a layer called "code" shadowed GraphModule.code: the dynamo exporter failed and the
    # export fell back to TorchScript (found while building the autoencoder example)
    b = GraphBuilder("Named")
    x = b.input((8,))
    b.layer("ReLU", b.layer("Linear", x, id=node_id, out_features=3), id="act")
    report = export_onnx(b.graph, tmp_path / "named.onnx")
    assert report.exporter == "dynamo" and report.fallback_reason is None


def test_falls_back_to_torchscript_where_dynamo_cannot_deliver(tmp_path):
    # The dynamo exporter cannot write opset 11 (it silently keeps 18); TorchScript can.
    b = GraphBuilder("Small")
    x = b.input((4,))
    b.layer("Linear", x, id="fc", out_features=2)
    messages: list[str] = []
    report = export_onnx(b.graph, tmp_path / "small.onnx", opset=11, progress=messages.append)
    assert report.exporter == "torchscript" and report.opset == 11
    assert "dynamo exporter wrote opset 18 instead of the 11" in report.fallback_reason
    assert any("torchscript" in m for m in messages)


def test_unverified_file_is_refused_and_nothing_is_left(tmp_path):
    graph = load_project(EXAMPLES / "lenet5.json").graph
    dest = tmp_path / "lenet5.onnx"
    dest.write_text("the previous export")
    with pytest.raises(ExportError) as err:
        export_onnx(graph, dest, exporter="torchscript", rtol=0.0, atol=1e-12)
    assert "differs from PyTorch's" in str(err.value) and "nothing was written" in str(err.value)
    assert dest.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet5.onnx"]


def test_invalid_graph_writes_nothing(tmp_path):
    b = GraphBuilder("Broken")
    x = b.input((3, 8, 8))
    b.layer("Linear", x, id="fc", out_features=2)
    b.layer("Conv2d", None, id="loose")
    with pytest.raises(CompileError):
        export_onnx(b.graph, tmp_path / "broken.onnx")
    assert list(tmp_path.iterdir()) == []


def test_unused_input_is_allowed(tmp_path):
    b = GraphBuilder("Spare input")
    x = b.input((4,), id="used")
    b.input((3,), id="spare")
    b.layer("Linear", x, id="fc", out_features=2)
    for exporter in ("torchscript", "dynamo"):
        report = export_onnx(b.graph, tmp_path / f"{exporter}.onnx", exporter=exporter)
        assert report.input_names == ("used", "spare")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"exporter": "tflite"}, "unknown exporter"),
    ({"opset": 99}, "opset 99 is out of range"),
])
def test_bad_options_are_refused(kwargs, message, tmp_path):
    graph = load_project(EXAMPLES / "lenet5.json").graph
    with pytest.raises(ExportError, match=message):
        export_onnx(graph, tmp_path / "x.onnx", **kwargs)


def test_exports_from_several_threads_leave_stdout_alone(tmp_path):
    # The UI exports on a worker thread; silencing the exporters must not leak.
    import sys
    import threading

    graph = load_project(EXAMPLES / "lenet5.json").graph
    before = sys.stdout, sys.stderr
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            export_onnx(graph, tmp_path / f"m{i}.onnx", exporter="torchscript")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert (sys.stdout, sys.stderr) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m0.onnx", "m1.onnx", "m2.onnx"]
