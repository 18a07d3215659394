"""File > Import model... in the window: an ONNX file opens as a project with its weights
saved beside it; a refused file leaves the open project as it was."""

from __future__ import annotations

from pathlib import Path

import onnx
from mainwindow_support import BoxAnswerer, isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtWidgets import QMessageBox

from netbuilder.codegen.build import build_module
from netbuilder.codegen.onnx_export import export_onnx
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import dumps_project, load_project
from netbuilder.runtime.checkpoint import load_checkpoint

SQUEEZENET = Path(onnx.__file__).parent / "backend/test/data/light/light_squeezenet.onnx"


def _lenet_onnx(tmp_path: Path) -> Path:
    graph = load_project(example_path("lenet5")).graph
    path = tmp_path / "lenet.onnx"
    export_onnx(graph, path, weights=build_module(graph).state_dict())
    return path


def _import(w, qtbot, model: Path, project: Path) -> list[bool]:
    from netbuilder.ui.import_model import ModelImporter

    w.model_importer = ModelImporter(w)
    results: list[bool] = []
    w.model_importer.finished.connect(results.append)
    assert w.model_importer.start(model, project)
    qtbot.waitUntil(lambda: bool(results), timeout=120_000)
    return results


def test_import_opens_the_model_with_its_weights(make_window, qtbot, tmp_path):
    w = make_window(example="mlp_iris")
    model = _lenet_onnx(tmp_path)
    assert _import(w, qtbot, model, tmp_path / "lenet_imported.json") == [True]
    assert w.document.path == (tmp_path / "lenet_imported.json").resolve()
    graph = w.document.graph
    assert [n.type for n in graph.nodes.values()].count("Conv2d") == 2
    assert "matches onnxruntime" in w.statusBar().currentMessage()
    ckpt = load_checkpoint(tmp_path / "lenet_imported.pt")
    assert sum(v.numel() for v in ckpt.model_state.values()) == 61706
    assert "Import Model" in " ".join(a.text() for a in w.menuBar().actions()[0].menu().actions())


def test_refused_model_keeps_the_open_project(make_window, qtbot, tmp_path):
    w = make_window(example="lenet5")
    before = dumps_project(w.document.project)
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(_lenet_onnx(tmp_path).read_bytes()[:500])
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        results = _import(w, qtbot, bad, tmp_path / "broken.json")
        qtbot.waitUntil(lambda: bool(boxes.seen), timeout=5000)
    assert results == [False]
    assert "not a readable ONNX model" in boxes.texts
    assert dumps_project(w.document.project) == before
    assert not (tmp_path / "broken.json").exists()


def test_an_imported_classic_reads_as_its_architecture(make_window, qtbot, tmp_path):
    """SqueezeNet from the ONNX package's own test data: eight Fire modules (each a squeeze
    convolution feeding two expand convolutions joined by a Concat)."""
    w = make_window(example=None, size=(1400, 900))
    assert _import(w, qtbot, SQUEEZENET, tmp_path / "squeezenet.json") == [True]
    types = [n.type for n in w.document.graph.nodes.values()]
    assert types.count("Concat") == 8 and types.count("Conv2d") == 26


def test_unsupported_nodes_are_counted_with_every_node_in_the_details(make_window, qtbot,
                                                                       tmp_path):
    from netbuilder.graph.builder import GraphBuilder

    w = make_window(example="lenet5")
    b = GraphBuilder("lstm")
    b.layer("LastTimeStep", b.layer("LSTM", b.input((6, 3)), id="lstm", hidden_size=4),
            id="last")
    model = tmp_path / "lstm.onnx"
    export_onnx(b.graph, model, weights=build_module(b.graph).state_dict())
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        results = _import(w, qtbot, model, tmp_path / "lstm.json")
        qtbot.waitUntil(lambda: bool(boxes.seen), timeout=5000)
    assert results == [False]
    assert "No mapping for: " in boxes.texts and "LSTM (1 node)" in boxes.texts
    assert not (tmp_path / "lstm.json").exists()
