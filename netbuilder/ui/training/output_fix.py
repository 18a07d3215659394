"""The training panel's one-click fix: the last Linear's ``out_features`` set to what the
chosen data needs (its class count, 1 for 'bce_with_logits', or its number of targets).

A button under the panel's problems, shown only while the check reports that the network's
output does not fit the data and a fix exists (``graph.fixes.output_size_fix``); a click
emits the panel's ``fix_requested(fix)`` and the window applies it as one undo step.
"""

from __future__ import annotations

from math import prod
from typing import Any

from PySide6.QtWidgets import QPushButton

from ...graph.fixes import Fix, output_size_fix


def attach_output_fix(panel: Any) -> None:
    """Put the (hidden) button under the panel's problems."""
    button = QPushButton(objectName="training_fix_output")
    button.hide()
    button.clicked.connect(lambda: panel.output_fix is not None
                           and panel.fix_requested.emit(panel.output_fix))
    column = panel.left.layout()
    column.insertWidget(column.indexOf(panel.problems) + 1, button)
    panel.fix_output_button = button
    panel.output_fix = None


def wanted_outputs(plan: Any) -> tuple[int, str] | None:
    """How many values per sample the data and loss need, and of what; None if unknown."""
    if plan is None or plan.dataset is None or plan.config is None:
        return None
    info = plan.dataset.info
    if plan.config.task != "auto" or not (info.is_classification or info.task == "regression"):
        return None      # reconstruction, segmentation: not a matter of out_features
    if info.is_classification:
        return (1, "sample") if plan.config.loss == "bce_with_logits" else (info.num_classes, "class")
    if info.target_shape:
        return prod(info.target_shape), "target"
    return None


def offer_output_fix(panel: Any) -> Fix | None:
    """Show the button when the check failed and setting out_features would mend it."""
    plan = panel.plan
    want = wanted_outputs(plan) if plan is not None and plan.errors else None
    doc = panel.document
    fix = output_size_fix(doc.graph, want[0], want[1], doc.analysis) if want else None
    panel.output_fix = fix
    button = panel.fix_output_button
    if fix is None:
        button.hide()
        return None
    button.setText(f"Fix: {fix.description[0].lower()}{fix.description[1:]}")
    button.setToolTip(f"After the fix: {fix.preview} (one undo step)")
    button.show()
    return fix
