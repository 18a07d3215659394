"""The issue's "done when", in the window: an instructor makes an assignment from lenet5, a
student completes it with the checklist and saves a submission, and the grader (the same
code as ``netbuilder grade``) scores it full marks; the same file with a locked parameter
edited by hand is caught."""

from __future__ import annotations

import json

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401

from netbuilder.graph.assignment import load_assignment
from netbuilder.graph.goals import MET
from netbuilder.runtime.classroom.grade import GRADED, TAMPERED, GradeOptions, grade_submission


def test_instructor_to_student_to_grader(make_window, tmp_path):
    w = make_window("lenet5")
    d = w.classroom.new_assignment()
    d.title.setText("Slim LeNet")
    d.set_node_locked("input")
    d.set_node_locked("fc3")
    d.set_param_locked("fc3", "out_features")
    d.set_type_forbidden("Dropout")
    for kind, key, value in (("max_params", "limit", 50_000),
                             ("contains", "type", "BatchNorm2d"),
                             ("output_shape", "shape", "10")):
        d.goal_form.set_kind(kind)
        d.goal_form.set_value(key, value)
        assert d.add_goal_from_form() is not None
    assignment_path = tmp_path / "slim-lenet.json"
    assert d.save_to(assignment_path)
    d.close()

    assert w.open_path(assignment_path)               # the student's side, same window
    session = w.classroom.session
    w.canvas.select_node("fc1")
    w.inspector._on_param_edited("out_features", 64)
    w.canvas.select_node("conv2")
    bn = w.canvas.add_layer("BatchNorm2d")
    assert w.canvas.connect_nodes(bn, "relu2")
    assert all(s == MET for _l, s in session.panel.checklist.states())
    session.student = "Grace Hopper"
    submission = tmp_path / "grace.json"
    assert session.save_submission_to(submission, "Grace Hopper")

    assignment = load_assignment(assignment_path)
    row = grade_submission(assignment, submission, GradeOptions(train=False))
    assert (row.verdict, row.student, row.score, row.max_score) == \
        (GRADED, "Grace Hopper", 3.0, 3.0), row.reason
    assert row.reason == "all goals met"

    data = json.loads(submission.read_text())         # a locked parameter edited by hand
    next(n for n in data["nodes"] if n["id"] == "fc3")["params"]["out_features"] = 12
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data))
    row = grade_submission(assignment, tampered, GradeOptions(train=False))
    assert row.verdict == TAMPERED and "out_features of the locked layer 'fc3'" in row.reason
