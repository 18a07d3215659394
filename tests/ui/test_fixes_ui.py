"""One-click fixes in the window: the Fix button beside a problem (Problems list) and on the
card with the problem; one click applies a fix as one undo step, one Ctrl+Z takes it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import Qt

from netbuilder.graph.examples import example_path
from netbuilder.graph.fixes import Bypass, apply_edit
from netbuilder.graph.project import dumps_project, load_project, save_project


def _broken_lenet(tmp_path: Path, *, big_kernel: bool = False) -> Path:
    """LeNet-5 whose Flatten was deleted: Linear fc1 now sits right after a conv stack."""
    project = load_project(example_path("lenet5"))
    apply_edit(project.graph, (Bypass("flatten"),))
    if big_kernel:
        project.graph.set_param("conv2", "kernel_size", 17)
    path = tmp_path / "broken_lenet.json"
    save_project(project, path)
    return path


@pytest.fixture
def broken(make_window, tmp_path):
    w = make_window(example=None)
    assert w.open_path(_broken_lenet(tmp_path))
    return w


def _row(w, node: str) -> int:
    return next(i for i, r in enumerate(w.problems.rows()) if r[1] == node)


def test_a_broken_lenet_is_fixed_by_one_click_and_one_ctrl_z_undoes_it(broken, qtbot):
    w = broken
    before = dumps_project(w.document.project)
    assert "Linear sees 16x5x5" in w.problems.rows()[_row(w, "fc1")][3]
    button = w.problems.fix_buttons()[_row(w, "fc1")]
    assert button.text() == "Fix"
    assert "Insert a Flatten before fc1" in button.toolTip() and "fc1 → 120" in button.toolTip()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    g = w.document.graph
    assert [g.nodes[e.source].type for e in g.in_edges("fc1")] == ["Flatten"]
    assert w.document.analysis.valid and not w.document.analysis.warnings
    assert w.problems.rows() == []                        # the list says all clear
    assert w.undo_stack.count() == 1
    assert w.undo_stack.undoText() == "Fix fc1: insert a Flatten before fc1"

    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dumps_project(w.document.project) == before    # the file, exactly
    assert "fc1" in {r[1] for r in w.problems.rows()}
    qtbot.keyClick(w.canvas, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert w.document.analysis.valid and not w.document.analysis.warnings


def test_several_fixes_open_a_menu_whose_entries_show_the_shape_they_give(make_window, tmp_path,
                                                                         qtbot):
    w = make_window(example=None)
    assert w.open_path(_broken_lenet(tmp_path, big_kernel=True))
    before = dumps_project(w.document.project)
    button = w.problems.fix_buttons()[_row(w, "conv2")]
    assert button.text().startswith("Fix (") and button.menu() is not None
    entries = [a.text() for a in button.menu().actions()]
    assert any("keeps the size 14x14" in t and "conv2 → 16x14x14" in t for t in entries)
    assert any("Remove the pooling 'pool1'" in t for t in entries)
    remove = next(a for a in button.menu().actions() if "pool1" in a.text())
    remove.trigger()
    assert "pool1" not in w.document.graph.nodes
    assert not [d for d in w.document.analysis.errors if d.node == "conv2"]
    assert w.undo_stack.undoText() == "Fix conv2: remove the pooling 'pool1' that shrank the input too far"
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dumps_project(w.document.project) == before


def test_a_fix_while_training_runs_is_refused_and_changes_nothing(broken):
    w = broken
    before = dumps_project(w.document.project)
    w.document.set_locked("training is running; stop it to edit")
    try:
        w.problems.fix_buttons()[_row(w, "fc1")].click()
        assert dumps_project(w.document.project) == before
        assert w.undo_stack.count() == 0
    finally:
        w.document.set_locked(None)


def _click_scene_item(w, qtbot, item) -> None:
    canvas = w.canvas
    canvas.centerOn(item)
    pos = canvas.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_the_card_with_the_problem_has_a_fix_button_that_fixes_it_in_one_click(broken, qtbot):
    w = broken
    before = dumps_project(w.document.project)
    scene = w.canvas.graph_scene
    card = scene.nodes["fc1"]
    assert card.fix_button is not None and card.fix_button.isVisible()
    assert card.fix_button.text() == "Fix"
    assert "Fix: Insert a Flatten before fc1" in card.view.tooltip
    # the button sits under the card's message, not on the card
    assert card.fix_button.sceneBoundingRect().top() > card.sceneBoundingRect().top() + \
        card.card_height()
    assert scene.nodes["relu3"].fix_button is None          # no problem, no button

    _click_scene_item(w, qtbot, card.fix_button)

    assert w.document.analysis.valid and not w.document.analysis.warnings
    assert not w.canvas.graph_scene.nodes["fc1"].fix_button.isVisible()
    assert w.undo_stack.count() == 1
    w.canvas.setFocus()
    qtbot.keyClick(w.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert dumps_project(w.document.project) == before
    assert w.canvas.graph_scene.nodes["fc1"].fix_button.isVisible()


def test_a_card_with_several_fixes_offers_them_in_a_menu_and_on_right_click(make_window,
                                                                          tmp_path, qtbot):
    w = make_window(example=None)
    assert w.open_path(_broken_lenet(tmp_path, big_kernel=True))
    card = w.canvas.graph_scene.nodes["conv2"]
    assert card.fix_button.text().startswith("Fix (") and card.fix_button.text().endswith("▾")
    menu = w.canvas.fix_node("conv2")
    texts = [a.text() for a in menu.actions()]
    assert texts[0].startswith("Set padding to 8") and "(conv2 → 16x14x14, network valid" in texts[0]
    assert w.undo_stack.count() == 0                          # a menu: nothing applied yet
    context = w.canvas.context_menu_at(w.canvas.mapFromScene(card.sceneBoundingRect().center()))
    fix_entries = [a for a in context.actions() if a.text().startswith("Fix: ")]
    assert [a.text() for a in fix_entries] == ["Fix: " + t for t in texts]
    menu.actions()[0].trigger()
    assert w.document.graph.nodes["conv2"].params["padding"] == 8
    assert w.document.analysis.nodes["conv2"].output.shape[1:] == (14, 14)


def test_the_training_panel_offers_out_features_for_the_class_count(make_window, qtbot):
    from netbuilder.ui.commands import SetParam

    w = make_window()                                  # LeNet-5 on the digits (10 classes)
    w.show_training_panel()
    panel = w.training.panel
    qtbot.waitUntil(lambda: panel.plan is not None and not panel.checking, timeout=20_000)
    assert panel.fix_output_button.isHidden()          # it fits: nothing offered
    w.undo_stack.push(SetParam(w.document, "fc3", "out_features", 7))
    qtbot.waitUntil(lambda: not panel.checking and panel.plan is not None
                    and bool(panel.plan.errors), timeout=20_000)
    assert "has 10 classes" in panel.problems.plain_text()
    button = panel.fix_output_button
    assert not button.isHidden()
    assert button.text() == "Fix: set out_features of 'fc3' to 10, one output per class"
    assert "fc3 → 10" in button.toolTip()

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    assert w.document.graph.nodes["fc3"].params["out_features"] == 10
    assert w.undo_stack.undoText() == "Fix fc3: set out_features of 'fc3' to 10"
    qtbot.waitUntil(lambda: not panel.checking and panel.plan is not None and panel.plan.ok,
                    timeout=20_000)
    assert button.isHidden()
    w.undo_stack.undo()
    assert w.document.graph.nodes["fc3"].params["out_features"] == 7
