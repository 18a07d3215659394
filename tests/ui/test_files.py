"""Files through the window: save and reopen, the unsaved marker, refusing bad files,
asking before work is thrown away, recent files, and crash recovery."""

from __future__ import annotations

import gc
import json
import sys

import pytest
from mainwindow_support import BoxAnswerer, isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtWidgets import QApplication, QMessageBox
from shiboken6 import delete

from netbuilder.graph.project import dumps_project, load_project
from netbuilder.ui.commands import AddNode, SetParam
from netbuilder.ui.main_window import MainWindow
from netbuilder.ui.recovery import RecoveryStore

Discard = QMessageBox.StandardButton.Discard
Cancel = QMessageBox.StandardButton.Cancel
Save = QMessageBox.StandardButton.Save


def _edit(w: MainWindow, node: str = "conv1", value: int = 8) -> None:
    """What the inspector does when the student types a new number of filters."""
    w.undo_stack.push(SetParam(w.document, node, "out_channels", value))


def test_save_then_reopen_gives_what_was_shown(make_window, tmp_path):
    w = make_window()
    _edit(w, "conv1", 8)
    w.undo_stack.push(AddNode(w.document, "Dropout", (2880, 0), after="fc3"))
    shown = dumps_project(w.document.project)
    path = tmp_path / "my_lenet.json"

    assert w.files.save_to(path)

    assert path.read_text(encoding="utf-8") == shown
    again = make_window(example=None)
    assert again.open_path(path)
    assert dumps_project(again.document.project) == shown
    assert again.document.graph.nodes["conv1"].params["out_channels"] == 8
    assert "Dropout" in [n.type for n in again.document.graph.nodes.values()]
    assert again.windowTitle().startswith("my_lenet.json")
    assert not again.isWindowModified()
    assert again.summary.totals_values()["params"] == w.summary.totals_values()["params"]


def test_title_shows_unsaved_marker_after_edit_and_not_after_save(make_window, tmp_path):
    w = make_window()
    assert "LeNet-5" in w.windowTitle() and not w.isWindowModified()
    _edit(w)
    assert w.isWindowModified()
    assert w.files.save_to(tmp_path / "net.json")
    assert not w.isWindowModified()
    assert w.windowTitle().startswith("net.json[*]")    # Qt shows [*] as '*' when modified
    w.undo_stack.undo()                                  # back past the saved state
    assert w.isWindowModified()
    w.undo_stack.redo()
    assert not w.isWindowModified()


def test_training_settings_change_is_unsaved_work(make_window, qtbot, tmp_path):
    w = make_window()
    settings = dict(w.document.project.training or {})
    settings["epochs"] = 3
    w.document.set_training(settings)                   # the training panel's edit
    qtbot.waitUntil(w.isWindowModified, timeout=2000)
    assert w.files.save_to(tmp_path / "t.json")
    assert not w.isWindowModified()
    assert load_project(tmp_path / "t.json").training["epochs"] == 3


def test_close_with_unsaved_changes_asks_and_cancel_keeps_the_work(make_window):
    w = make_window()
    _edit(w)
    with BoxAnswerer(Cancel) as boxes:
        w.close()
    assert len(boxes.seen) == 1 and "Save the changes" in boxes.seen[0]["text"]
    assert w.isVisible() and w.isWindowModified()
    assert w.document.graph.nodes["conv1"].params["out_channels"] == 8

    with BoxAnswerer(Discard) as boxes:
        w.close()
    assert len(boxes.seen) == 1
    assert not w.isVisible()


def test_close_and_save_writes_the_file(make_window, tmp_path):
    w = make_window()
    path = tmp_path / "kept.json"
    assert w.files.save_to(path)
    _edit(w, value=12)
    with BoxAnswerer(Save):
        w.close()
    assert not w.isVisible()
    assert load_project(path).graph.nodes["conv1"].params["out_channels"] == 12


def test_new_with_unsaved_changes_asks_first(make_window):
    w = make_window()
    _edit(w)
    with BoxAnswerer(Cancel):
        assert not w.new_file()
    assert "conv1" in w.document.graph.nodes
    with BoxAnswerer(Discard):
        assert w.new_file()
    assert not w.document.graph.nodes
    assert not w.isWindowModified()
    assert w.windowTitle().startswith("Untitled")


def test_bad_file_gives_its_error_and_keeps_the_work(make_window, tmp_path):
    w = make_window()
    _edit(w)
    before = dumps_project(w.document.project)
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "netbuilder", "version": 1, "nodes": [{"id": "a", '
                   '"type": "Conv9d"}]}', encoding="utf-8")

    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not w.open_path(bad)

    errors = [b for b in boxes.seen if b["name"] == "error_box"]
    assert len(errors) == 1 and len(boxes.seen) == 1    # no "save first?" for a bad file
    assert "unknown layer type 'Conv9d'" in errors[0]["text"]
    assert "broken.json" in errors[0]["text"]
    assert "Traceback" not in boxes.texts
    assert dumps_project(w.document.project) == before
    assert w.isWindowModified()


def test_an_error_quoting_markup_from_a_file_shows_it_as_text(make_window, tmp_path):
    # a layer type written as HTML is quoted in the message: shown as typed, not rendered
    from PySide6.QtCore import Qt

    w = make_window()
    bad = tmp_path / "markup.json"
    bad.write_text('{"format": "netbuilder", "version": 1, "nodes": [{"id": "a", '
                   '"type": "<b>Conv</b><img src=x>"}]}', encoding="utf-8")
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not w.open_path(bad)
    errors = [b for b in boxes.seen if b["name"] == "error_box"]
    assert len(errors) == 1 and "<b>Conv</b><img src=x>" in errors[0]["text"]
    assert errors[0]["format"] == Qt.TextFormat.PlainText


def test_not_json_and_missing_files_are_refused_with_a_reason(make_window, tmp_path):
    w = make_window()
    junk = tmp_path / "notes.json"
    junk.write_text("this is not json", encoding="utf-8")
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not w.open_path(junk)
        assert not w.open_path(tmp_path / "nowhere.json")
    assert "not valid JSON" in boxes.seen[0]["text"]
    assert "no such file" in boxes.seen[1]["text"]
    assert "conv1" in w.document.graph.nodes


def test_saving_where_it_cannot_write_says_so_and_keeps_unsaved_marker(make_window, tmp_path):
    w = make_window()
    _edit(w)
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not w.files.save_to(tmp_path / "no_such_folder" / "x.json")
    assert "cannot be written" in boxes.seen[0]["text"]
    assert w.isWindowModified()


def test_recent_files_remember_opened_and_saved_projects(make_window, tmp_path):
    w = make_window()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert w.files.save_to(a)
    assert w.files.save_to(b)
    assert w.prefs.recent_files()[:2] == [str(b.resolve()), str(a.resolve())]
    menu = w.menus["recent"]
    w.files.populate_recent_menu(menu)
    labels = [act.text() for act in menu.actions() if act.text()]
    assert labels[0] == "&1 b.json" and labels[1] == "&2 a.json"
    # a new window (the next run) sees the same list
    other = make_window(example=None)
    assert other.prefs.recent_files()[0] == str(b.resolve())


def test_examples_open_as_untitled_copies(make_window):
    w = make_window(example=None)
    names = [a.data() for a in w.menus["examples"].actions()]
    assert "lenet5" in names and "resnet18_flat" in names
    assert w.open_example("resnet18_flat")
    assert w.document.path is None
    assert "ResNet" in w.windowTitle() and "(example)" in w.windowTitle()
    assert w.summary.totals_values()["params"] == 11_689_512


def test_crash_recovery_brings_the_unsaved_edit_back(make_window, qtbot, tmp_path):
    w = make_window()
    _edit(w, "conv1", 10)
    w.files.autosave()                      # what the debounce timer does a second later
    recovery_dir = w.files.recovery.directory
    assert list(recovery_dir.glob("autosave-*.json"))

    # Crash: the window is destroyed without its close path (no question, no cleanup).
    w.hide()
    delete(w)
    del w
    gc.collect()
    assert list(recovery_dir.glob("autosave-*.json")), "the recovery file must survive a crash"

    fresh = make_window()                                # the next start
    with BoxAnswerer("Restore") as boxes:
        assert fresh.files.offer_recovery()
    assert "did not close normally" in boxes.seen[0]["text"]
    assert fresh.document.graph.nodes["conv1"].params["out_channels"] == 10
    assert fresh.isWindowModified()                      # restored work is not saved yet

    # Saving clears every recovery copy; a normal close leaves none behind.
    assert fresh.files.save_to(tmp_path / "restored.json")
    assert not list(recovery_dir.glob("autosave-*.json"))
    third = make_window()
    assert not third.files.offer_recovery()


def test_autosave_follows_edits_and_is_removed_on_clean_close(make_window, qtbot):
    w = make_window()
    store = w.files.recovery
    assert not store.file.exists()
    _edit(w)
    qtbot.waitUntil(store.file.exists, timeout=3000)     # debounced autosave
    data = json.loads(store.file.read_text(encoding="utf-8"))
    assert '"out_channels": 8' in data["project"]
    w.undo_stack.undo()                                  # back to the clean state
    assert not store.file.exists()
    _edit(w)
    qtbot.waitUntil(store.file.exists, timeout=3000)
    with BoxAnswerer(Discard):
        w.close()
    assert not store.file.exists()


def test_discarding_recovered_work_deletes_it(make_window):
    w = make_window()
    _edit(w)
    w.files.autosave()
    directory = w.files.recovery.directory
    w.hide()
    delete(w)
    del w
    gc.collect()
    fresh = make_window()
    with BoxAnswerer("Discard"):
        assert not fresh.files.offer_recovery()
    assert not list(directory.glob("autosave-*.json"))
    assert fresh.document.graph.nodes["conv1"].params["out_channels"] == 6


def test_a_live_windows_recovery_file_is_not_offered_to_another(isolated):
    one, two = RecoveryStore(), RecoveryStore()
    one.save('{"format": "netbuilder", "version": 1}', None, "one")
    assert two.orphans() == []              # its owner is alive
    one.close()
    assert not one.file.exists()


def test_an_untitled_network_is_named_after_its_file_on_first_save(make_window, qtbot,
                                                                     tmp_path):
    w = make_window(example=None)
    assert w.new_file()
    assert w.inspector.title.text() == "Untitled"
    w.canvas.add_layer("Input")
    w.canvas.add_layer("Flatten")
    w.canvas.add_layer("Linear")
    w.canvas.graph_scene.clearSelection()           # the inspector shows the network
    assert w.files.save_to(tmp_path / "mycnn.json")

    assert w.inspector.title.text() == "mycnn"                     # the network view's name
    assert "class Mycnn." in w.inspector.name_tooltip()
    assert load_project(tmp_path / "mycnn.json").graph.name == "mycnn"
    out = tmp_path / "mycnn.py"
    assert w.export_python_to(out)
    assert "class Mycnn(nn.Module)" in out.read_text(encoding="utf-8")
    QApplication.processEvents()        # the unsaved marker settles after a meta change
    assert not w.isWindowModified()                               # naming is in the file

    # undo-safe: undoing the edits made before the save leaves the file's name alone, and
    # coming back to the saved state is clean again
    w.undo()
    assert w.document.graph.name == "mycnn" and w.isWindowModified()
    w.redo()
    assert w.document.graph.name == "mycnn" and not w.isWindowModified()

    # the student can still rename it (one undo step); a named network keeps its name
    name = w.inspector.title
    name.setText("My small CNN")
    name.editingFinished.emit()
    assert w.document.graph.name == "My small CNN"
    assert "class MySmallCNN." in w.inspector.name_tooltip()
    assert w.files.save_to(tmp_path / "other.json")
    assert w.document.graph.name == "My small CNN"
    w.undo()
    assert w.document.graph.name == "mycnn" and w.inspector.title.text() == "mycnn"


def test_an_example_saved_under_another_name_keeps_its_own(make_window, tmp_path):
    w = make_window("lenet5")
    assert w.files.save_to(tmp_path / "homework1.json")
    assert w.document.graph.name == "LeNet-5"
    assert w.inspector.title.text() == "LeNet-5"


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_on_save_names_the_file_and_keeps_the_old_one(make_window, tmp_path):
    import resource

    w = make_window()
    path = tmp_path / "lenet.json"
    assert w.files.save_to(path)
    before = path.read_bytes()
    _edit(w, "conv1", 12)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(before) // 2, hard))   # the disk fills up
    try:
        with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
            assert not w.files.save_to(path)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    text = boxes.seen[0]["text"]
    assert f"{path}: cannot be written: the file is larger than this disk" in text
    assert "the previous lenet.json is unchanged" in text and "Your work is still open" in text
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".lenet")] == []
    assert w.isWindowModified()
    assert w.document.graph.nodes["conv1"].params["out_channels"] == 12
