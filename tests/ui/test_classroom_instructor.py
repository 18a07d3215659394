"""The instructor's "New Assignment from This Project" dialog: locks ticked in the tree, goals
added through the form (no JSON), instructions rendered beside the text, a student's preview,
and a saved file that reads back equal and opens for a student with the same locks."""

from __future__ import annotations

import json

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401

from netbuilder.graph.assignment import assignment_to_dict, load_assignment
from netbuilder.graph.goals import MET, PENDING, UNMET
from netbuilder.graph.locks import Locks


def test_the_dialog_builds_and_saves_an_assignment_that_reads_back_equal(make_window, tmp_path):
    w = make_window("lenet5")
    d = w.classroom.new_assignment()             # Classroom > New Assignment from This Project
    d.title.setText("Slim LeNet")
    d.set_node_locked("input")
    d.set_node_locked("fc3")
    d.set_param_locked("fc3", "out_features")
    d.set_param_locked("conv1", "kernel_size")
    d.set_type_forbidden("Dropout")
    assert d.locks() == Locks(("input", "fc3"), {"conv1": ("kernel_size",),
                                                 "fc3": ("out_features",)}, ("Dropout",))

    d.tabs.setCurrentIndex(1)                    # the Goals tab
    form = d.goal_form
    form.set_kind("max_params")                  # only the fields of that goal are shown
    assert form.widgets["limit"].isVisibleTo(d) and not form.widgets["type"].isVisibleTo(d)
    form.set_value("limit", 50_000)
    assert d.add_goal_from_form() is not None
    form.set_kind("contains")
    form.set_value("type", "BatchNorm2d")
    d.add_goal_from_form()
    form.set_kind("output_shape")
    form.set_value("shape", "10")
    d.add_goal_from_form()
    form.set_kind("min_accuracy")
    assert form.widgets["dataset"].isVisibleTo(d) and not form.widgets["lr"].isVisibleTo(d)
    assert form.value("dataset") == "digits28"   # the budget starts from the project's
    form.set_value("accuracy", 95.0)
    form.set_value("epochs", 3)
    form.set_value("optimizer", "sgd")           # a fixed optimiser asks for its rate
    assert form.widgets["lr"].isVisibleTo(d)
    form.set_value("lr", 0.05)
    d.add_goal_from_form()
    form.set_kind("output_shape")
    form.set_value("shape", "ten")               # refused by the file's own reader
    assert d.add_goal_from_form() is None
    assert "shape" in form.error.text()
    assert [d.goal_list.item(i).text() for i in range(d.goal_list.count())] == [
        "At most 50,000 trainable parameters", "Uses at least one BatchNorm2d layer",
        "The output has shape 10",
        "Validation accuracy at least 95.0% (digits28, 3 epochs, seed 0, sgd (lr 0.05))"]

    d.instructions.setPlainText("# Slim LeNet\n\nUse **at most** 50,000 parameters.")
    d._render()
    assert "at most 50,000" in d.rendered.toPlainText() and "**" not in d.rendered.toPlainText()

    preview = d.show_preview()                   # what a student sees: nothing to run
    panel = d.preview_panel
    assert preview.isVisible() and panel.title.text() == "Slim LeNet"
    assert [s for _l, s in panel.checklist.states()] == [UNMET, UNMET, MET, PENDING]
    assert not panel.save_button.isEnabled()

    path = tmp_path / "slim.json"
    assert d.save_to(path)
    a = load_assignment(path)
    assert assignment_to_dict(a) == assignment_to_dict(d.assignment())
    assert a.title == "Slim LeNet" and a.locks == d.locks()
    assert [g.kind for g in a.goals] == ["max_params", "contains", "output_shape",
                                         "min_accuracy"]
    budget = a.goals[3].training
    assert (budget.dataset, budget.epochs, budget.optimizer, budget.lr, a.goals[3].value) == \
        ("digits28", 3, "sgd", 0.05, 0.95)
    assert json.loads(path.read_text())["fingerprint"] == a.fingerprint
    assert not list(tmp_path.glob("*.tmp*"))      # written atomically

    # the student opens it: the same locks hold in the window
    assert w.classroom.session.open_path(path, ask=False)
    w.canvas.select_node("conv1")
    assert not w.inspector.fields["kernel_size"].isEnabled()
    assert w.canvas.add_layer("Dropout") is None


def test_removing_a_goal_and_an_empty_title_is_refused_with_the_reason(make_window, tmp_path):
    w = make_window("mlp_digits")
    d = w.classroom.new_assignment()
    d.goal_form.set_kind("valid")
    d.add_goal_from_form()
    d.goal_form.set_kind("max_layers")
    d.goal_form.set_value("limit", 4)
    d.add_goal_from_form()
    d.goal_list.setCurrentRow(0)
    d.remove_selected_goal()
    assert [g.kind for g in d.goals] == ["max_layers"]
    d.title.setText("   ")
    assert not d.save_to(tmp_path / "x.json")
    assert '"title": expected a non-empty string' in d.error.text()
    assert not (tmp_path / "x.json").exists()


def test_a_grader_seed_is_kept_out_of_the_students_copy(make_window, tmp_path):
    w = make_window("mlp_digits")
    d = w.classroom.new_assignment()
    d.goal_form.set_kind("min_accuracy")
    d.add_goal_from_form()
    d.hidden_seed_box.setChecked(True)
    d.hidden_seed.setValue(1234)
    path = tmp_path / "digits.json"
    assert d.save_to(path)
    teacher = load_assignment(path)
    students = d.students_copy(path)
    assert students.name == "digits-students.json"
    handout = load_assignment(students)
    assert teacher.graded_seed == 1234 and handout.graded_seed is None
    assert "hidden" not in json.loads(students.read_text())
    assert handout.fingerprint == teacher.fingerprint       # submissions match either
    assert "1234" not in students.read_text()
