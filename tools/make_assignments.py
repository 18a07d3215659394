"""Writes the example assignment files in assets/assignments/ from readable Python.

Run ``python tools/make_assignments.py`` after changing one; the files are committed and
tests/runtime/test_example_assignments.py checks that each is what this script writes, that
it loads, and that a solution meets its goals when graded.

* shrink_lenet5: LeNet-5 under 20,000 trainable parameters and 300,000 MACs, still 90% on
  the 28x28 digits after 5 epochs; its input and output layers are locked and no new Linear
  layer may be added (the saving must come from the existing layers).
"""

from __future__ import annotations

import sys
from pathlib import Path

from netbuilder.graph.assignment import Assignment, assignment_from_dict, save_assignment
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project, project_to_dict

OUT = Path(__file__).resolve().parent.parent / "assets" / "assignments"

SHRINK_LENET5_TEXT = """\
# Shrink LeNet-5

LeNet-5 reads the handwritten digits well, but it has 61,706 parameters. Make it **smaller
and cheaper** while it still reads the digits.

- Keep the `input` layer and the last layer `fc3` as they are (they are locked).
- You may not add new `Linear` layers: save on the layers that are there.
- Make the other layers narrower: the Summary tab shows where the parameters are.
- The training budget is fixed: 5 epochs on the digits at 28x28, seed 0. You choose the
  optimiser and the learning rate in the Training panel.

Press **Check my work** to train with the budget and see the checklist turn green, then
**Save submission** with your name.
"""


def shrink_lenet5() -> Assignment:
    start = load_project(example_path("lenet5"))
    budget = {"dataset": "digits28", "epochs": 5, "seed": 0, "optimizer": "free"}
    return assignment_from_dict({
        "format": "netbuilder-assignment", "version": 1,
        "title": "Shrink LeNet-5", "instructions": SHRINK_LENET5_TEXT,
        "project": project_to_dict(start),
        "locks": {"nodes": ["input", "fc3"], "params": {"input": ["*"], "fc3": ["*"]},
                  "no_new_types": ["Linear"]},
        "goals": [
            {"kind": "valid"},
            {"kind": "output_shape", "shape": [10]},
            {"kind": "contains", "type": "Conv2d"},
            {"kind": "max_params", "limit": 20000, "count": "trainable"},
            {"kind": "max_macs", "limit": 300000},
            {"kind": "min_accuracy", "value": 0.9, "points": 3, "training": budget},
        ],
        "hidden": {"seed": 1},
    })


ASSIGNMENTS = {"shrink_lenet5": shrink_lenet5}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in ASSIGNMENTS.items():
        save_assignment(make(), OUT / f"{name}.json")
        print(f"wrote {OUT / f'{name}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
