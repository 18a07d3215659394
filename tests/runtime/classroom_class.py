"""A generated class for the grading tests: an assignment on the digits MLP and 30 submissions
of every kind a grader meets, each with the verdict and reason it must get.

The assignment keeps the MLP's input and output (locked, with their parameters), forbids
new Conv2d layers, and asks for a valid network with a 10-way output, at most 5,000
trainable parameters, at most 8 layers and 70% validation accuracy after one epoch on the
8x8 digits (fixed optimiser; a hidden grading seed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from netbuilder.graph.assignment import (
    Assignment,
    assignment_from_dict,
    make_submission,
    save_assignment,
    starting_project,
)
from netbuilder.graph.examples import list_examples
from netbuilder.graph.model import Node
from netbuilder.graph.project import dumps_project, load_project, project_to_dict, save_project

BUDGET = {"dataset": "digits", "epochs": 1, "seed": 0, "optimizer": "adam", "lr": 0.01}
SCRIPT = "<script>alert('x')</script>"
FORMULA = "=HYPERLINK(\"http://evil\",\"click\")"


def digits_assignment_dict() -> dict:
    path = next(e.path for e in list_examples() if e.name == "mlp_digits")
    return {
        "format": "netbuilder-assignment", "version": 1, "title": "Digits with few parameters",
        "instructions": "# Make the MLP smaller\nKeep **input** and **out**; stay under 5,000 "
                        "parameters and reach 70% after one epoch.",
        "project": project_to_dict(load_project(path)),
        "locks": {"nodes": ["input", "out"], "params": {"input": ["*"], "out": ["out_features"]},
                  "no_new_types": ["Conv2d"]},
        "goals": [{"kind": "valid"}, {"kind": "output_shape", "shape": [10]},
                  {"kind": "max_params", "limit": 5000}, {"kind": "max_layers", "limit": 8},
                  {"kind": "min_accuracy", "value": 0.7, "points": 2, "training": dict(BUDGET)}],
        "hidden": {"seed": 3},
    }


@dataclass(frozen=True)
class Expected:
    file: str
    verdict: str
    reason: str          # a part of the row's reason
    student: str = ""


def _save(a: Assignment, project, folder: Path, name: str, student: str) -> Path:
    path = folder / f"{name}.json"
    save_project(make_submission(project, a, student), path)
    return path


def make_class(folder: Path) -> tuple[Path, list[Expected]]:
    """Write the assignment and 30 submissions into ``folder``; return the assignment's path
    and what each submission must get."""
    folder.mkdir(parents=True, exist_ok=True)
    a = assignment_from_dict(digits_assignment_dict())
    apath = folder.parent / f"{folder.name}-assignment.json"
    save_assignment(a, apath)
    exp: list[Expected] = []

    for i, width in enumerate((16, 20, 24, 28, 32, 36, 40, 44)):        # 8 correct
        p = starting_project(a)
        p.graph.set_param("hidden1", "out_features", width)
        p.graph.set_param("hidden2", "out_features", 16)
        _save(a, p, folder, f"correct_{i}", f"Correct Student {i}")
        exp.append(Expected(f"correct_{i}.json", "graded", "", f"Correct Student {i}"))
    for i, width in enumerate((64, 80, 96, 128)):                        # 4 over budget
        p = starting_project(a)
        p.graph.set_param("hidden1", "out_features", width)
        _save(a, p, folder, f"over_{i}", f"Over Budget {i}")
        exp.append(Expected(f"over_{i}.json", "graded", "goals not met", f"Over Budget {i}"))

    p = starting_project(a)                                              # 3 locked layer edited
    p.graph.remove_node("out")
    p.graph.add_node(Node("out2", "Linear", {"out_features": 10}))
    p.graph.connect("relu2", "out2")
    _save(a, p, folder, "locked_deleted", "Deleter")
    exp.append(Expected("locked_deleted.json", "tampered",
                        "the locked layer 'out' (Linear) was deleted", "Deleter"))
    p = starting_project(a)
    p.graph.remove_node("out")
    p.graph.add_node(Node("out", "ReLU"))
    _save(a, p, folder, "locked_retyped", "Retyper")
    exp.append(Expected("locked_retyped.json", "tampered",
                        "the locked layer 'out' was a Linear and is now a ReLU", "Retyper"))
    p = starting_project(a)
    p.graph.add_node(Node("conv", "Conv2d", {"out_channels": 2, "kernel_size": 3}))
    _save(a, p, folder, "new_conv", "Convolver")
    exp.append(Expected("new_conv.json", "tampered",
                        "'conv' is a new Conv2d layer; the assignment allows no new Conv2d",
                        "Convolver"))

    base = dumps_project(make_submission(starting_project(a), a, "Hand Editor"))
    for i, (old, new, said) in enumerate((                               # 3 locked params by hand
            ('"out_features": 10', '"out_features": 12', "out_features of the locked layer 'out' "
             "was changed from 10 to 12"),
            ('"shape": [1, 8, 8]', '"shape": [1, 8, 9]', "shape of the locked layer 'input' was "
             "changed from [1, 8, 8] to [1, 8, 9]"),
            ('"out_features": 10}', '"out_features": 10, "bias": false}', "bias of the locked "
             "layer 'out' was changed from true to false"))):
        assert old in base, old
        (folder / f"hand_{i}.json").write_text(base.replace(old, new), encoding="utf-8")
        exp.append(Expected(f"hand_{i}.json", "tampered", said, "Hand Editor"))
    # ("bias" is not locked on 'out': only out_features is; the third one must be graded)
    exp[-1] = Expected("hand_2.json", "graded", "goals not met", "Hand Editor")

    p = starting_project(a)                                              # 3 invalid graphs
    p.graph.add_node(Node("<img src=x onerror=alert(1)>", "ReLU"))
    _save(a, p, folder, "invalid_loose", "Loose Wire")
    exp.append(Expected("invalid_loose.json", "graded", "goals not met", "Loose Wire"))
    p = starting_project(a)
    p.graph.disconnect(next(e for e in p.graph.edges if e.target == "out"))
    _save(a, p, folder, "invalid_unwired", "No Wire")
    exp.append(Expected("invalid_unwired.json", "graded", "goals not met", "No Wire"))
    p = starting_project(a)
    p.graph.set_param("hidden2", "out_features", 0)
    _save(a, p, folder, "invalid_param", "Zero Width")
    exp.append(Expected("invalid_param.json", "graded", "goals not met", "Zero Width"))

    (folder / "malformed_truncated.json").write_text(base[: len(base) // 2], encoding="utf-8")
    exp.append(Expected("malformed_truncated.json", "refused", "not valid JSON"))
    (folder / "malformed_binary.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    exp.append(Expected("malformed_binary.json", "refused", "not a text file"))
    (folder / "malformed_nested.json").write_text("[" * 100_000 + "]" * 100_000)
    exp.append(Expected("malformed_nested.json", "refused", "nested too deeply"))

    for i, width in enumerate((10**7, 10**9)):                           # 2 huge networks
        p = starting_project(a)
        p.graph.set_param("hidden1", "out_features", width)
        _save(a, p, folder, f"huge_{i}", f"Huge {i}")
        exp.append(Expected(f"huge_{i}.json", "graded", "goals not met", f"Huge {i}"))

    p = starting_project(a)                                              # 2 hostile names
    p.graph.set_param("hidden1", "out_features", 32)
    _save(a, p, folder, "hostile_script", SCRIPT)
    exp.append(Expected("hostile_script.json", "graded", "", SCRIPT))
    p = starting_project(a)
    p.graph.set_param("hidden1", "out_features", 32)
    _save(a, p, folder, "hostile_formula", FORMULA)
    exp.append(Expected("hostile_formula.json", "graded", "", FORMULA))

    plain = json.loads(base)                                             # not a submission
    del plain["assignment"]
    (folder / "not_submission.json").write_text(json.dumps(plain), encoding="utf-8")
    exp.append(Expected("not_submission.json", "refused", "not a submission"))
    other = json.loads(base)                                             # another assignment
    other["assignment"]["fingerprint"] = "0123456789abcdef"
    (folder / "other_assignment.json").write_text(json.dumps(other), encoding="utf-8")
    exp.append(Expected("other_assignment.json", "refused", "made for another assignment",
                        "Hand Editor"))
    assert len(exp) == 30 and len(list(folder.glob("*.json"))) == 30
    return apath, exp
