"""Screenshots of the classroom (run offscreen).

    python tools/shoot_classroom.py OUTDIR [--size 1400x900]

Writes OUTDIR/classroom_student.png: a student halfway through a LeNet assignment (the
Assignment panel with its instructions and checklist, a padlocked card selected with its
locked field in the Inspector); and OUTDIR/classroom_instructor.png: the "New Assignment
from This Project" dialog on its Goals tab, with a lock tree and goals filled in.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shooting import settle, start_app  # noqa: E402

INSTRUCTIONS = """LeNet-5 has **61,706** parameters. Make it fit in **50,000** and train faster:

1. Keep the *Input* and the last layer `fc3` (they carry a padlock).
2. Add **batch normalisation** after a convolution.
3. Press **Check my work**: it trains 3 epochs on the digits.

No Dropout this time.
"""




def main(out: str, size: tuple[int, int] = (1400, 900)) -> None:
    app, tmp = start_app()
    from netbuilder.graph.assignment import Assignment, save_assignment
    from netbuilder.graph.examples import example_path
    from netbuilder.graph.goals import goal_from_dict
    from netbuilder.graph.locks import Locks
    from netbuilder.graph.project import load_project
    from netbuilder.ui.main_window import MainWindow

    project = load_project(example_path("lenet5"))
    goals = [goal_from_dict(d, "goal", project.graph) for d in (
        {"kind": "valid"}, {"kind": "output_shape", "shape": [10]},
        {"kind": "max_params", "limit": 50_000},
        {"kind": "contains", "type": "BatchNorm2d"},
        {"kind": "min_accuracy", "value": 0.9,
         "training": {"dataset": "digits28", "epochs": 3, "seed": 0, "optimizer": "free"}},
    )]
    a = Assignment("Slim LeNet", INSTRUCTIONS, project,
                   Locks(("input", "fc3"), {"fc3": ("out_features",)}, ("Dropout",)), goals)
    path = os.path.join(tmp, "slim-lenet.json")
    save_assignment(a, path)

    w = MainWindow(persist=False, autosave=False)
    w.resize(*size)
    w.show()
    w.open_path(path)
    w.canvas.select_node("fc1")
    w.inspector._on_param_edited("out_features", 64)       # one goal met by the student
    w.canvas.select_node("fc3")
    settle()
    w.inspector._scroll.ensureWidgetVisible(w.inspector.fields["out_features"])
    w.show_network()
    settle()
    w.grab().save(os.path.join(out, "classroom_student.png"))

    w.files.open_example("lenet5", ask=False)
    d = w.classroom.new_assignment()
    d.title.setText("Slim LeNet")
    for nid in ("input", "fc3"):
        d.set_node_locked(nid)
    d.set_param_locked("fc3", "out_features")
    d.set_type_forbidden("Dropout")
    for goal in goals:
        d.add_goal(goal)
    d.goal_form.set_kind("min_accuracy")
    d.goal_form.set_value("accuracy", 90.0)
    d.goal_form.set_value("epochs", 3)
    d.instructions.setPlainText(INSTRUCTIONS)
    d._render()
    d.lock_tree.expandItem(d._node_item("fc3"))
    d.resize(960, 640)
    d.tabs.setCurrentIndex(1)
    settle()
    d.grab().save(os.path.join(out, "classroom_instructor.png"))
    d.tabs.setCurrentIndex(0)
    settle()
    d.grab().save(os.path.join(out, "classroom_instructor_locks.png"))
    d.tabs.setCurrentIndex(2)
    settle()
    d.grab().save(os.path.join(out, "classroom_instructor_instructions.png"))
    d.close()
    w.files.undo_stack.setClean()
    w.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    size = (1400, 900)
    if "--size" in args:
        i = args.index("--size")
        size = tuple(int(v) for v in args[i + 1].split("x"))  # type: ignore[assignment]
        del args[i:i + 2]
    main(args[0] if args else ".", size)
