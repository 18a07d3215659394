"""A student in the window: File > Open takes an assignment, the Assignment panel shows its
instructions and goals, the checklist follows every edit (made as the UI makes them), "Check
my work" trains in the background, and Save submission writes the name and fingerprint."""

from __future__ import annotations

import json
from pathlib import Path

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog

from netbuilder.graph.assignment import Assignment, load_assignment, save_assignment
from netbuilder.graph.examples import example_path
from netbuilder.graph.goals import MET, PENDING, UNMET, goal_from_dict
from netbuilder.graph.locks import Locks
from netbuilder.graph.project import load_project
from netbuilder.ui.commands import SetParam, push

INSTRUCTIONS = "# Slim LeNet\n\nMake LeNet **smaller** and add batch normalisation."


def _lenet_assignment(tmp_path: Path) -> Path:
    project = load_project(example_path("lenet5"))
    goals = [goal_from_dict(d, "goal", project.graph) for d in (
        {"kind": "valid"},
        {"kind": "output_shape", "shape": [10]},
        {"kind": "max_params", "limit": 50_000, "count": "trainable"},
        {"kind": "contains", "type": "BatchNorm2d"},
    )]
    a = Assignment("Slim LeNet", INSTRUCTIONS, project,
                   Locks(nodes=("input", "fc3"), params={"fc3": ("out_features",)},
                         no_new_types=("Dropout",)), goals)
    path = tmp_path / "slim-lenet.json"
    save_assignment(a, path)
    return path


def _states(w) -> dict[str, str]:
    return dict(w.classroom.session.panel.checklist.states())


def test_the_checklist_turns_green_as_the_student_completes_lenet(make_window, tmp_path):
    w = make_window(None)
    path = _lenet_assignment(tmp_path)
    assert w.open_path(path)                      # File > Open accepts an assignment
    session = w.classroom.session
    panel = session.panel
    assert session.assignment is not None and w.classroom.dock_visible()
    assert panel.title.text() == "Slim LeNet"
    assert "Make LeNet smaller" in panel.instructions.toPlainText()   # rendered, not raw
    assert "**" not in panel.instructions.toPlainText()
    assert w.document.path is None                # the start is untitled: Save asks where
    assert w.document.graph.nodes["fc3"].params["out_features"] == 10
    assert w.canvas.graph_scene.nodes["fc3"].view.locked
    dropout = w.layer_palette.item_for("Dropout")    # struck through in the palette, why said
    assert dropout.font(0).strikeOut() and "allows no new Dropout" in dropout.toolTip(0)
    assert not w.layer_palette.item_for("BatchNorm2d").font(0).strikeOut()

    assert _states(w) == {"The network has no errors": MET,
                          "The output has shape 10": MET,
                          "At most 50,000 trainable parameters": UNMET,
                          "Uses at least one BatchNorm2d layer": UNMET}
    assert panel.summary.text() == "Goals: 2 of 4 met"

    # fewer units in fc1, as the inspector does it
    w.canvas.select_node("fc1")
    w.inspector._on_param_edited("out_features", 64)
    assert _states(w)["At most 50,000 trainable parameters"] == MET
    assert panel.summary.text() == "Goals: 3 of 4 met"

    # a BatchNorm2d after conv1, as the palette does it (wired after the selection) ...
    w.canvas.select_node("conv1")
    bn = w.canvas.add_layer("BatchNorm2d")
    assert bn is not None
    assert _states(w)["Uses at least one BatchNorm2d layer"] == MET
    # ... and its output into relu1, replacing conv1 -> relu1, as a dropped wire does
    assert w.canvas.connect_nodes(bn, "relu1")
    assert all(s == MET for s in _states(w).values()), _states(w)
    assert panel.summary.text() == "All 4 goals met"

    # breaking a goal again turns it back; undo turns it green again
    push(w.undo_stack, SetParam(w.document, "fc1", "out_features", 400))
    assert _states(w)["At most 50,000 trainable parameters"] == UNMET
    w.undo()
    assert _states(w)["At most 50,000 trainable parameters"] == MET

    # a lock still holds while the checklist is green
    w.canvas.select_nodes(["fc3"])
    w.delete_selection()
    assert "fc3" in w.document.graph.nodes
    assert "locked by the assignment" in w.statusBar().currentMessage()


def _answer_name(name: str) -> QTimer:
    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QInputDialog) and widget.isVisible():
                widget.setTextValue(name)
                widget.accept()
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(poll)
    timer.start()
    return timer


def test_save_submission_writes_the_name_and_fingerprint(make_window, tmp_path, qtbot):
    w = make_window(None)
    path = _lenet_assignment(tmp_path)
    assert w.classroom.session.open_path(path, ask=False)
    session = w.classroom.session
    w.canvas.select_node("fc1")
    w.inspector._on_param_edited("out_features", 32)
    timer = _answer_name("  Ada   Lovelace ")
    try:
        name = session.ask_name()
    finally:
        timer.stop()
    assert name == "Ada Lovelace"
    assert session.ask_name() == "Ada Lovelace"   # asked once: no dialog the second time
    out = tmp_path / "ada.json"
    assert session.save_submission_to(out, name)
    data = json.loads(out.read_text())
    assert data["format"] == "netbuilder"
    assert data["assignment"] == {"fingerprint": load_assignment(path).fingerprint,
                                  "student": "Ada Lovelace"}
    fc1 = next(n for n in data["nodes"] if n["id"] == "fc1")
    assert fc1["params"]["out_features"] == 32
    saved = load_project(out)                     # a project file netbuilder opens
    assert saved.assignment["student"] == "Ada Lovelace"
    assert w.document.path == out.resolve() and not w.files.is_modified()


def test_a_bad_assignment_file_is_one_message_and_the_work_stays(make_window, tmp_path):
    from mainwindow_support import BoxAnswerer
    from PySide6.QtWidgets import QMessageBox

    w = make_window("lenet5")
    path = _lenet_assignment(tmp_path)
    data = json.loads(path.read_text())
    data["goals"][2]["limit"] = "many"
    path.write_text(json.dumps(data))
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert not w.open_path(path)
    assert "\"goals\"[2].limit: expected a whole number" in boxes.texts
    assert w.classroom.session.assignment is None and "fc3" in w.document.graph.nodes


def test_opening_an_example_closes_the_assignment(make_window, tmp_path):
    w = make_window(None)
    assert w.classroom.session.open_path(_lenet_assignment(tmp_path), ask=False)
    assert w.classroom.check_action.isEnabled()
    dock = w.classroom.session.dock
    dock.close()                                  # closed by its X: the menu brings it back
    w.classroom.show_action.trigger()
    assert dock.isVisible()
    w.set_presentation(True)                      # presenting: the canvas alone
    assert not dock.isVisible()
    w.set_presentation(False)
    assert dock.isVisible()
    w.files.open_example("mlp_digits", ask=False)
    assert w.classroom.session.assignment is None
    assert not w.classroom.show_action.isEnabled()
    assert w.document.edit_locks is None and not w.classroom.check_action.isEnabled()
    assert not w.layer_palette.item_for("Dropout").font(0).strikeOut()


def test_check_my_work_trains_in_the_background_and_judges_the_training_goal(
        make_window, tmp_path, qtbot):
    w = make_window(None)
    project = load_project(example_path("mlp_digits"))
    goals = [goal_from_dict(d, "goal", project.graph) for d in (
        {"kind": "valid"},
        {"kind": "min_accuracy", "value": 0.5,
         "training": {"dataset": "digits", "epochs": 1, "seed": 0, "optimizer": "adam",
                      "lr": 0.01}},
        {"kind": "min_accuracy", "value": 0.999,        # another budget: a second run
         "training": {"dataset": "digits", "epochs": 1, "seed": 1, "optimizer": "adam",
                      "lr": 0.01}},
    )]
    path = tmp_path / "digits.json"
    save_assignment(Assignment("Digits", "Reach 50%.", project, Locks(), goals), path)
    assert w.open_path(path)
    session = w.classroom.session
    labels = [g.label for g in goals]
    assert [s for _l, s in session.panel.checklist.states()] == [MET, PENDING, PENDING]
    assert session.check_work() is None
    assert session.panel.is_checking()
    assert session.results[1].message == "checking now..."
    assert session.check_work() == "a check is already running"
    qtbot.waitUntil(lambda: session.check is None, timeout=90_000)   # the window kept running
    states = dict(session.panel.checklist.states())
    assert states[labels[1]] == MET                                   # 1 epoch reaches 50%
    assert states[labels[2]] == UNMET                                 # 99.9% it does not
    assert "validation accuracy" in session.results[1].message
    # an edit makes the check stale: pending again, with the reason
    push(w.undo_stack, SetParam(w.document, "hidden1", "out_features", 16))
    assert session.results[1].status == PENDING
    assert "changed since the last check" in session.results[1].message
    w.undo()                                       # the checked network again
    assert session.results[1].status == MET


def test_netbuilder_gui_on_an_assignment_opens_it_for_a_student(isolated, tmp_path):
    from argparse import Namespace

    from netbuilder.ui.app import gui_command
    from netbuilder.ui.main_window import MainWindow

    path = _lenet_assignment(tmp_path)
    seen = {}

    def look_and_close() -> None:
        for top in QApplication.topLevelWidgets():
            if isinstance(top, MainWindow) and top.isVisible():
                session = top.classroom.session
                seen["title"] = session.assignment and session.assignment.title
                seen["locked"] = top.document.edit_locks is not None
                seen["goals"] = len(session.results)
                top.close()

    QTimer.singleShot(1500, look_and_close)
    assert gui_command(Namespace(project=str(path), screenshot=None)) == 0
    assert seen == {"title": "Slim LeNet", "locked": True, "goals": 4}


def test_a_saved_submission_continues_with_its_assignment(make_window, tmp_path):
    from mainwindow_support import BoxAnswerer

    w = make_window(None)
    path = _lenet_assignment(tmp_path)
    session = w.classroom.session
    assert session.open_path(path, ask=False)
    w.canvas.select_node("fc1")
    w.inspector._on_param_edited("out_features", 64)
    out = tmp_path / "ada.json"
    assert session.save_submission_to(out, "Ada Lovelace")
    data = json.loads(out.read_text())      # on another computer: the assignment elsewhere
    # which assignment, not where it lies on the student's computer (no local path handed in)
    assert data["ui"]["assignment"] == {"fingerprint": session.assignment.fingerprint}
    assert w.prefs.assignment_file(session.assignment.fingerprint) == str(path.resolve())
    del data["ui"]["assignment"]
    out.write_text(json.dumps(data))

    w.files.open_example("lenet5", ask=False)          # another day: the work is closed
    session.student = None
    assert w.open_path(out)                             # a submission opens as a project
    assert session.assignment is None and w.document.edit_locks is None
    with BoxAnswerer("Continue My Work") as boxes:
        assert session.open_path(path)
    assert "Ada Lovelace’s submission for “Slim LeNet”" in boxes.texts
    assert session.assignment is not None and w.document.edit_locks is not None
    assert w.document.graph.nodes["fc1"].params["out_features"] == 64     # the work kept
    assert w.document.path == out.resolve()
    assert session.student == "Ada Lovelace" and session.ask_name() == "Ada Lovelace"
    assert w.canvas.graph_scene.nodes["fc3"].view.locked
    assert _states(w)["At most 50,000 trainable parameters"] == MET
    w.canvas.select_nodes(["fc3"])
    w.delete_selection()
    assert "fc3" in w.document.graph.nodes

    w.files.open_path(out, ask=False)
    with BoxAnswerer("Start Over"):
        assert session.open_path(path)
    assert w.document.path is None
    assert w.document.graph.nodes["fc1"].params["out_features"] == 120   # the start again


def test_the_shipped_example_assignment_opens_from_the_classroom_menu(make_window):
    w = make_window(None)
    titles = [a.text() for a in w.classroom.examples_menu.actions()]
    assert "Shrink LeNet-5" in titles
    action = w.classroom.examples_menu.actions()[titles.index("Shrink LeNet-5")]
    action.trigger()
    session = w.classroom.session
    assert session.assignment is not None and session.assignment.title == "Shrink LeNet-5"
    w.canvas.select_node("fc3")                 # every parameter of fc3 locked ("*")
    assert w.inspector.fields and not any(f.isEnabled() for f in w.inspector.fields.values())
    w.canvas.select_node("fc1")
    assert w.canvas.add_layer("Linear") is None  # no new Linear layers
    assert "allows no new Linear layers" in w.statusBar().currentMessage()
    assert len(session.results) == 6


def test_a_hostile_title_is_shown_as_text(make_window, tmp_path):
    from PySide6.QtCore import Qt

    w = make_window(None)
    project = load_project(example_path("mlp_digits"))
    title = '<img src="x"><b>Bold</b> & <a href="http://x">link</a>'
    path = tmp_path / "hostile.json"
    save_assignment(Assignment(title, "<script>alert(1)</script> *hi*", project, Locks(), []),
                    path)
    assert w.open_path(path)
    panel = w.classroom.session.panel
    assert panel.title.textFormat() == Qt.TextFormat.PlainText
    assert panel.title.text() == title
    assert "alert(1)" in panel.instructions.toPlainText()   # shown as text, nothing runs


def test_stop_check_leaves_the_training_goals_pending_and_the_window_free(make_window,
                                                                         tmp_path, qtbot):
    w = make_window(None)
    project = load_project(example_path("mlp_digits"))
    goals = [goal_from_dict({"kind": "min_accuracy", "value": 0.5,
                             "training": {"dataset": "digits", "epochs": 200, "seed": 0,
                                          "optimizer": "free"}}, "goal", project.graph)]
    path = tmp_path / "long.json"
    save_assignment(Assignment("Long", "", project, Locks(), goals), path)
    assert w.open_path(path)
    session = w.classroom.session
    assert session.check_work() is None
    session.panel.check_button.click()             # now "Stop check": returns at once
    assert session.panel.status.text() == "Stopping the check..."
    qtbot.waitUntil(lambda: session.check is None, timeout=60_000)
    assert not session.panel.is_checking()
    assert session.results[0].status == PENDING
    assert "stopped" in session.results[0].message


def test_saved_or_recovered_work_takes_its_assignment_back(make_window, tmp_path):
    w = make_window(None)
    path = _lenet_assignment(tmp_path)
    session = w.classroom.session
    assert session.open_path(path, ask=False)
    w.canvas.select_node("fc1")
    w.inspector._on_param_edited("out_features", 64)
    work = tmp_path / "my-work.json"
    assert w.files.save_to(work)                      # a plain Save, not a submission
    w.files.open_example("lenet5", ask=False)
    assert session.assignment is None

    assert w.open_path(work)                          # another day
    assert session.assignment is not None and session.assignment.title == "Slim LeNet"
    assert w.document.edit_locks is not None and w.document.path == work.resolve()
    assert w.document.graph.nodes["fc1"].params["out_features"] == 64
    assert _states(w)["At most 50,000 trainable parameters"] == MET

    # a crash: the recovery file holds the project as text; restoring it (what
    # FileController._restore does) brings the assignment back too
    from netbuilder.graph.project import dumps_project, loads_project

    text = dumps_project(w.document.project)
    w.files.open_example("lenet5", ask=False)
    w.files.set_project(loads_project(text), None, modified=True)
    assert session.assignment is not None and w.document.edit_locks is not None

    path.rename(tmp_path / "moved.json")               # the file moved: a plain project
    assert w.files.open_path(work, ask=False)
    assert session.assignment is None and w.document.edit_locks is None
