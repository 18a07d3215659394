"""File > Export Report...: the window writes the same report as `netbuilder report`, for the
weights of its last run, on a worker thread; it says why not when there are no such weights."""

from __future__ import annotations

import base64
import io
import re

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PIL import Image

from netbuilder.ui.report_export import EDITED, NOT_TRAINED


def test_export_report_writes_the_last_runs_report_off_the_gui_thread(make_window, qtbot, tmp_path):
    pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")
    w = make_window("lenet5")
    action = w.ui_actions.export_report
    assert action in w.menus["file"].actions()
    w.menus["file"].aboutToShow.emit()
    assert not action.isEnabled() and action.toolTip() == NOT_TRAINED
    w.export_report()                                     # the shortcut path says why, too
    assert w.statusBar().currentMessage() == f"Cannot export a report: {NOT_TRAINED}"

    settings = dict(w.document.project.training or {})
    settings["epochs"] = 1
    w.document.set_training(settings)
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        w.start_training()
    with qtbot.waitSignal(w.training_running_changed, timeout=120_000):
        pass
    qtbot.waitUntil(action.isEnabled, timeout=10_000)

    out = tmp_path / "lenet report.html"
    exporter = w.report_exporter
    with qtbot.waitSignal(exporter.finished, timeout=120_000) as done:
        assert exporter.start(out)
        # start() returned at once: the report is built on its worker, the window goes on
        assert exporter.running() and not out.exists() and not action.isEnabled()
    assert done.args == [True], exporter.error
    qtbot.waitUntil(lambda: not exporter.running(), timeout=10_000)
    assert action.isEnabled()

    weights = w.training.panel.held_weights
    assert exporter.numbers["accuracy"] == weights.metrics["val_acc"]
    assert f"{weights.metrics['val_acc']:.1%}" in w.statusBar().currentMessage()
    html = out.read_text()
    assert "<h1>LeNet-5</h1>" in html and "<script" not in html
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert len(sources) == 7             # with the run's curves: its last.pt holds the history
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).load()

    w.document.set_param("fc1", "out_features", 64)       # the weights no longer fit
    w.menus["file"].aboutToShow.emit()
    assert not action.isEnabled() and action.toolTip() == EDITED


def test_the_reports_cards_have_the_canvas_category_colours():
    from netbuilder.runtime.report.diagram import CATEGORY_COLOURS, FALLBACK_COLOUR
    from netbuilder.ui.theme import _FALLBACK, CATEGORY_COLORS

    assert CATEGORY_COLOURS == {k: light for k, (light, _dark) in CATEGORY_COLORS.items()}
    assert FALLBACK_COLOUR == _FALLBACK[0]


def test_export_report_for_a_loaded_checkpoint_names_it_and_shows_its_curves(
        make_window, qtbot, tmp_path):
    pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")
    import contextlib
    import json

    from netbuilder.cli import main
    from netbuilder.graph.examples import example_path

    ckpt, metrics = tmp_path / "lenet.pt", tmp_path / "m.json"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["train", str(example_path("lenet5")), "--epochs", "1", "--save", str(ckpt),
                     "--metrics-out", str(metrics)]) == 0
    w = make_window("lenet5")
    panel = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    assert panel.load_checkpoint_from(ckpt)
    qtbot.waitUntil(w.ui_actions.export_report.isEnabled, timeout=10_000)
    out = tmp_path / "report.html"
    with qtbot.waitSignal(w.report_exporter.finished, timeout=120_000) as done:
        w.report_exporter.start(out)
    assert done.args == [True], w.report_exporter.error
    assert w.report_exporter.numbers["accuracy"] == json.loads(metrics.read_text())["val_accuracy"]
    html = out.read_text()
    assert "lenet.pt, after 1 epoch(s)" in html
    assert "Training curves" in html and "carry no training history" not in html
