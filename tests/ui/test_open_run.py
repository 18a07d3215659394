"""File > Export > Training Script... and File > Open Run...: a run the script made (here on
one process, in this test's process) comes back into the window with its curves and weights."""

from __future__ import annotations

import importlib.util
import sys

from mainwindow_support import BoxAnswerer, isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtWidgets import QMessageBox

from netbuilder.codegen.exporters import EXPORTERS
from netbuilder.ui.open_run import open_run


def _run_script(path, monkeypatch, *args: str) -> None:
    """The exported script's main(), as ``python path args`` would run it."""
    spec = importlib.util.spec_from_file_location("exported_training_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", [str(path), *args])
    module.main()


def test_export_menu_lists_every_exporter_and_the_file_menu_opens_runs(make_window):
    w = make_window("mlp_moons")
    w.menus["export"].aboutToShow.emit()               # as when the menu opens
    w.menus["export"].aboutToShow.emit()               # a second time adds nothing
    texts = [a.text() for a in w.menus["export"].actions() if a.text()]
    assert texts[:len(EXPORTERS)] == [e.menu_text for e in EXPORTERS]
    assert texts[len(EXPORTERS):] == ["Diagram as P&NG...", "Diagram as &SVG..."]
    assert "&Training Script (.py)..." in texts
    assert "Open &Run..." in [a.text() for a in w.menus["file"].actions()]


def test_a_run_of_the_exported_script_opens_with_its_curves_and_weights(make_window, tmp_path,
                                                                        monkeypatch):
    w = make_window("mlp_moons")
    script = tmp_path / "train_moons.py"
    assert w.exporter.export_to("train_script", script)
    assert w.statusBar().currentMessage().startswith(f"Wrote {script}")
    assert "PROJECT_SETTINGS" in script.read_text(encoding="utf-8")

    run = tmp_path / "run"
    _run_script(script, monkeypatch, "--epochs", "2", "--out", str(run))
    assert w.training.trained_weights() is None

    assert open_run(w, run)
    panel = w.training.panel
    assert list(panel.plots.curves["loss/val"].xData) == [1.0, 2.0]    # the run's curves
    assert "2 epochs of training" in panel.outcome.plain_text()
    assert "Continue trains them further" in panel.outcome.plain_text()
    assert w.training.trained_weights() is not None                   # for Export, insight
    assert w.training_dock.isVisible()


def test_a_folder_without_a_run_is_refused_with_the_reason(make_window, tmp_path):
    w = make_window("mlp_moons")
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not open_run(w, tmp_path)
    assert boxes.seen and boxes.seen[0]["title"] == "Cannot open the run"
    assert "holds no last.pt or best.pt" in boxes.seen[0]["text"]
    assert w.training.trained_weights() is None


def test_an_export_that_cannot_be_written_is_a_message_and_leaves_nothing(make_window, tmp_path):
    w = make_window("mlp_moons")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not w.exporter.export_to("train_script", blocker / "train.py")
    assert boxes.seen and boxes.seen[0]["title"] == "Cannot export Training Script (.py)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
