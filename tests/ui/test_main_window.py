"""The main window as a student meets it: panels, shortcuts, the Problems, Summary and Code
tabs, presentation mode, themes, the training lock, export, and the command line start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mainwindow_support import BoxAnswerer, isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QMessageBox

from netbuilder.graph.errors import GraphEditError
from netbuilder.ui.commands import SetParam
from netbuilder.ui.main_window import MainWindow
from netbuilder.ui.settings import Preferences

ROOT = Path(__file__).resolve().parents[2]


def _keys(action) -> set[str]:
    return {k.toString(QKeySequence.SequenceFormat.PortableText) for k in action.shortcuts()}


def _break_conv2(w: MainWindow) -> None:
    """A 20x20 kernel on a 14x14 image: the mistake students make first."""
    w.undo_stack.push(SetParam(w.document, "conv2", "kernel_size", 20))


def test_panels_are_where_the_guide_puts_them(make_window):
    w = make_window()
    assert w.centralWidget() is w.canvas
    assert w.dockWidgetArea(w.palette_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert w.dockWidgetArea(w.inspector_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    bottom = [d for d in w.findChildren(QDockWidget)
              if w.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea]
    titles = {d.windowTitle().split(" (")[0] for d in bottom}
    assert titles == {"Problems", "Summary", "Code", "Training", "Inside", "Runs"}
    assert set(w.tabifiedDockWidgets(w.problems_dock)) == {w.summary_dock, w.code_dock,
                                                           w.training_dock, w.insight_dock,
                                                           w.runs_dock}
    assert [m.title().replace("&", "") for m in (w.menuBar().actions()[i].menu()
                                                 for i in range(6))] == \
        ["File", "Edit", "View", "Train", "Classroom", "Help"]


def test_conventional_shortcuts(make_window):
    a = make_window().ui_actions
    assert _keys(a.new) == {"Ctrl+N"} and _keys(a.open) == {"Ctrl+O"}
    assert _keys(a.save) == {"Ctrl+S"} and _keys(a.save_as) == {"Ctrl+Shift+S"}
    assert _keys(a.undo) == {"Ctrl+Z"} and _keys(a.redo) == {"Ctrl+Shift+Z", "Ctrl+Y"}
    assert _keys(a.delete) == {"Del", "Backspace"}
    assert _keys(a.copy) == {"Ctrl+C"} and _keys(a.paste) == {"Ctrl+V"}
    assert _keys(a.duplicate) == {"Ctrl+D"} and _keys(a.select_all) == {"Ctrl+A"}
    assert _keys(a.fit) == {"F"} and _keys(a.zoom_reset) == {"Ctrl+0"}
    assert _keys(a.find_layer) == {"Ctrl+F"}
    assert {"F5", "Ctrl+Return"} <= _keys(a.start_training)
    assert _keys(a.presentation) == {"Ctrl+Shift+P"}


def test_the_presentation_key_is_named_the_same_everywhere(make_window):
    w = make_window()
    a = w.ui_actions.presentation
    shown = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)   # the menu's
    assert shown == "Ctrl+Shift+P"
    button = w.toolbar.widgetForAction(a)
    for tip in (a.toolTip(), button.toolTip()):
        assert "Ctrl+Shift+P" in tip and "F11" not in tip


def test_the_examples_menu_follows_the_course(make_window):
    from netbuilder.graph.examples import COURSE_ORDER, examples_dir

    w = make_window()
    names = [act.data() for act in w.menus["examples"].actions()]
    assert names[:4] == ["perceptron", "mlp_moons", "mlp_iris", "mlp_digits"]
    assert names.index("lenet5") < names.index("alexnet") < names.index("resnet18") \
        < names.index("rnn_waveforms") < names.index("transformer_waveforms")
    assert names == list(COURSE_ORDER)
    assert set(names) == {p.stem for p in examples_dir().glob("*.json")}   # none left out


def test_delete_and_undo_from_the_keyboard(make_window, qtbot):
    w = make_window()
    w.activateWindow()
    w.canvas.setFocus()
    w.canvas.select_node("relu1")
    qtbot.keyClick(w.canvas, Qt.Key.Key_Delete)
    assert "relu1" not in w.document.graph.nodes
    assert w.isWindowModified()
    assert "Undo" in w.ui_actions.undo.text()
    # the menu names the edit; the toolbar button stays one word (the toolbar never jumps)
    assert w.ui_actions.undo.text() != "&Undo"
    assert w.toolbar.widgetForAction(w.ui_actions.undo).text() == "Undo"
    assert w.ui_actions.undo.toolTip().startswith("Undo ") and "relu1" in w.ui_actions.undo.toolTip()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "relu1" in w.document.graph.nodes
    qtbot.keyClick(w.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert "relu1" not in w.document.graph.nodes


def test_ctrl_f_search_keeps_its_keys_and_enter_adds_the_layer(make_window, qtbot):
    w = make_window()
    w.canvas.setFocus()
    w.canvas.select_node("fc3")
    qtbot.keyClick(w.canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = w.layer_palette.search
    assert search.hasFocus()
    qtbot.keyClicks(search, "fdropout")                  # 'f' is text here, not "fit"
    qtbot.keyClick(search, Qt.Key.Key_Home)
    qtbot.keyClick(search, Qt.Key.Key_Delete)            # deletes the 'f', not the layer
    assert search.text() == "dropout"
    assert "fc3" in w.document.graph.nodes
    qtbot.keyClick(search, Qt.Key.Key_Return)
    added = [n.id for n in w.document.graph.nodes.values() if n.type == "Dropout"]
    assert len(added) == 1
    assert any(e.source == "fc3" and e.target == added[0] for e in w.document.graph.edges)


def test_problems_list_every_diagnostic_and_a_click_finds_the_layer(make_window, qtbot):
    w = make_window()
    assert w.problems.rows() == []
    assert "No problems" in w.problems.all_clear.text()
    assert w.validity_button.text().startswith("✓ Valid · 61,706 params")

    _break_conv2(w)
    rows = w.problems.rows()
    assert rows and rows[0][:3] == ("Error", "conv2", "Conv2d")
    assert "kernel" in rows[0][3].lower()
    assert w.problems_dock.windowTitle() == f"Problems ({len(rows)})"
    assert w.validity_button.text().startswith("✗ 1 error")

    w.show_problems()
    tree = w.problems.tree
    item = tree.topLevelItem(0)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())
    assert w.canvas.selected_ids() == ["conv2"]


def test_summary_totals_for_lenet5(make_window):
    w = make_window()
    t = w.summary.totals_values()
    assert t["params"] == 61_706
    assert "61,706" in w.summary.totals.text()
    model = w.summary.model
    assert model.rowCount() == 13
    assert [model.index(0, c).data() for c in range(5)] == ["input", "Input", "1x28x28", "0",
                                                            "0"]
    assert [model.index(1, c).data() for c in range(4)] == ["conv1", "Conv2d", "6x28x28", "156"]
    w.summary.batch.setValue(1)
    one = w.summary.totals_values()["activation_bytes"]
    w.summary.batch.setValue(128)
    assert w.summary.totals_values()["activation_bytes"] == 128 * one
    assert "batch of 128" in w.summary.totals.text()


def test_code_tab_shows_highlighted_source_and_copies_it(make_window, qtbot):
    w = make_window()
    w.code_dock.raise_()
    editor = w.code_view.editor
    qtbot.waitUntil(lambda: "class LeNet5(nn.Module)" in editor.toPlainText(), timeout=10_000)
    assert editor.isReadOnly()
    w.code_view.copy_button.click()
    assert "class LeNet5(nn.Module)" in QGuiApplication.clipboard().text()

    w.undo_stack.push(SetParam(w.document, "conv1", "out_channels", 8))       # debounced
    qtbot.waitUntil(lambda: "nn.Conv2d(1, 8, 5" in editor.toPlainText(), timeout=3000)

    _break_conv2(w)
    qtbot.waitUntil(lambda: w.code_view.stack.currentWidget() is w.code_view.message,
                    timeout=3000)
    assert "conv2" in w.code_view.message.text()
    assert not w.code_view.copy_button.isEnabled()


def test_presentation_mode_hides_panels_enlarges_text_and_comes_back(make_window, qtbot):
    w = make_window()
    w.resize(1024, 768)
    base = QApplication.font().pointSizeF()
    w.ui_actions.presentation.trigger()
    assert w.presentation
    assert not w.palette_dock.isVisible() and not w.inspector_dock.isVisible()
    assert not w.summary_dock.isVisible() and not w.problems_dock.isVisible()
    assert QApplication.font().pointSizeF() > base * 1.2
    assert w.canvas.isVisible()
    qtbot.wait(50)
    for action in (w.ui_actions.start_training, w.ui_actions.presentation, w.ui_actions.fit):
        button = w.toolbar.widgetForAction(action)
        assert button is not None and button.isVisible(), action.text()   # fits 1024 px
    # the canvas has the room until training starts (test_presentation.py: then the plots)
    assert not w.training_dock.isVisible()
    w.ui_actions.presentation.trigger()
    assert not w.presentation
    assert w.palette_dock.isVisible() and w.inspector_dock.isVisible()
    assert QApplication.font().pointSizeF() == base


def test_training_runs_lock_editing_and_say_so(make_window):
    w = make_window()
    w.set_training_running(True)           # what TrainingPanel.running_changed(True) drives
    assert w.document.locked_reason
    assert w.canvas.is_locked()
    assert "training" in w.windowTitle()
    assert w.training_label.isVisible() or not w.isVisible()
    assert not w.ui_actions.delete.isEnabled() and not w.ui_actions.open.isEnabled()
    with pytest.raises(GraphEditError):
        w.document.set_param("conv1", "out_channels", 3)
    w.set_training_running(False)
    assert w.document.locked_reason is None and not w.canvas.is_locked()
    assert w.ui_actions.delete.isEnabled()
    assert "training" not in w.windowTitle()


def test_training_tab_shows_the_panel_or_says_why_not(make_window, qtbot):
    w = make_window()
    w.show_training_panel()
    if w.training.panel is None:
        assert "training" in w.training.note.text().lower()
        w.start_training()
        assert "Cannot start training" in w.statusBar().currentMessage()
    else:
        assert w.training.panel.isVisible()


def test_f5_trains_and_editing_is_locked_until_the_run_ends(make_window, qtbot):
    pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")
    w = make_window()
    settings = dict(w.document.project.training or {})
    settings["epochs"] = 1
    w.document.set_training(settings)
    w.show_training_panel()
    w.canvas.setFocus()
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000) as started:
        qtbot.keyClick(w.canvas, Qt.Key.Key_F5)
    assert started.args == [True]
    assert w.document.locked_reason and "training" in w.windowTitle()
    assert "Training" in w.training_label.text()
    w.canvas.select_node("relu1")
    qtbot.keyClick(w.canvas, Qt.Key.Key_Delete)             # refused while training
    assert "relu1" in w.document.graph.nodes
    with qtbot.waitSignal(w.training_running_changed, timeout=120_000) as ended:
        pass
    assert ended.args == [False]
    assert w.document.locked_reason is None and "training" not in w.windowTitle()
    assert w.training.trained_weights() is not None          # ONNX export would use them


def test_shift_f5_continues_the_last_run_or_says_why_not(make_window, qtbot):
    pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")
    w = make_window("perceptron")
    settings = dict(w.document.project.training or {})
    settings["epochs"] = 1
    w.document.set_training(settings)
    assert "Shift+F5" in _keys(w.ui_actions.continue_training)
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert w.statusBar().currentMessage().startswith(
        "Cannot continue training: nothing has been trained yet")
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        w.start_training()
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        pass
    panel = w.training.panel
    qtbot.waitUntil(lambda: panel.continue_button.isEnabled(), timeout=20_000)
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        qtbot.keyClick(w.canvas, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        pass
    assert panel.status.text().startswith("Finished: 1 more epoch (2 in all)")


def test_dark_theme_is_remembered(make_window):
    w = make_window()
    w.set_theme("dark")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 100
    assert w.ui_actions.theme_dark.isChecked()
    assert Preferences().theme == "dark"
    w.set_theme("light")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 200


def test_window_geometry_and_panels_persist(make_window):
    w = make_window()
    w.resize(720, 560)           # fits the 800x800 offscreen screen
    w.code_dock.raise_()
    w.inspector_dock.hide()
    w.close()
    again = make_window(size=None)
    assert (again.width(), again.height()) == (720, 560)
    assert not again.inspector_dock.isVisible()


def test_export_python_writes_runnable_source(make_window, tmp_path):
    w = make_window()
    out = tmp_path / "lenet.py"
    assert w.export_python_to(out)
    text = out.read_text(encoding="utf-8")
    assert "class LeNet5(nn.Module)" in text
    compile(text, str(out), "exec")


def test_export_diagram_as_png_and_svg(make_window, tmp_path):
    w = make_window()
    assert w.exporter.diagram_to(tmp_path / "lenet.png", "png")
    assert w.exporter.diagram_to(tmp_path / "lenet.svg", "svg")
    assert (tmp_path / "lenet.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "lenet.svg").read_text(encoding="utf-8")[:2000]


def test_export_refuses_an_invalid_network_with_its_problems(make_window):
    w = make_window()
    _break_conv2(w)
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        w.export_onnx()
    assert "conv2" in boxes.seen[0]["text"] and "fix first" in boxes.seen[0]["text"]


def test_onnx_export_runs_in_the_background_and_reports_verification(make_window, qtbot,
                                                                     tmp_path):
    w = make_window()
    out = tmp_path / "lenet.onnx"
    dialog = w.export_onnx_to(out)
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.finished_ok, timeout=120_000):
        pass
    assert out.exists() and out.stat().st_size > 200_000
    assert "largest difference" in dialog.status.text()
    assert dialog.report.max_abs_diff < 1e-4
    dialog.accept()


def _run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"),
               NETBUILDER_RECOVERY_DIR=str(tmp_path / "recovery"))
    return subprocess.run([sys.executable, "-m", "netbuilder", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_screenshot_command_writes_a_png(tmp_path):
    shot = tmp_path / "window.png"
    r = _run_cli("gui", str(ROOT / "assets/examples/resnet18_flat.json"), "--screenshot",
                 str(shot), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "recovery").exists()      # a screenshot leaves nothing behind


def test_screenshot_of_a_bad_file_prints_the_error_and_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    r = _run_cli("gui", str(bad), "--screenshot", str(tmp_path / "x.png"), tmp_path=tmp_path)
    assert r.returncode == 2
    assert "error:" in r.stderr and "not valid JSON" in r.stderr
    assert "Traceback" not in r.stderr


def test_window_starts_without_importing_torch(tmp_path):
    code = ("import sys\nfrom netbuilder.ui.app import create_application, settle\n"
            "from netbuilder.ui.main_window import MainWindow\n"
            "app = create_application(theme='light')\n"
            "w = MainWindow(persist=False, autosave=False)\n"
            "w.files.open_example('lenet5', ask=False)\nw.show()\nsettle(app)\n"
            "print(sorted(m for m in ('torch', 'onnx', 'onnxruntime', 'netbuilder.codegen') "
            "if m in sys.modules))\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_gui_with_a_bad_file_says_why_then_opens_an_empty_network(isolated, tmp_path):
    from argparse import Namespace

    from netbuilder.ui.app import gui_command

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    seen = {}

    def close_windows() -> None:
        for top in QApplication.topLevelWidgets():
            if isinstance(top, MainWindow) and top.isVisible():
                seen["nodes"] = len(top.document.graph.nodes)
                seen["title"] = top.windowTitle()
                top.close()

    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        QTimer.singleShot(1500, close_windows)
        code = gui_command(Namespace(project=str(bad), screenshot=None))
    assert code == 0
    assert "netbuilder" in boxes.seen[0]["text"] and "bad.json" in boxes.seen[0]["text"]
    assert seen["nodes"] == 0 and seen["title"].startswith("Untitled")


def test_bare_start_opens_lenet5_ready_to_train(isolated):
    from argparse import Namespace

    from netbuilder.ui.app import gui_command

    seen = {}

    def look_and_close() -> None:
        for top in QApplication.topLevelWidgets():
            if isinstance(top, MainWindow) and top.isVisible():
                seen["title"] = top.windowTitle()
                seen["params"] = top.document.analysis.total_params
                seen["dataset"] = (top.document.project.training or {}).get("dataset")
                seen["modified"] = top.isWindowModified()
                top.close()

    QTimer.singleShot(1000, look_and_close)
    assert gui_command(Namespace(project=None, screenshot=None)) == 0
    assert seen == {"title": "LeNet-5 (example)[*] — netbuilder", "params": 61_706,
                    "dataset": "digits28", "modified": False}
