"""Backprop step by step on mlp_moons in a real window: the tab and the numbers on the cards."""

from __future__ import annotations

import re

import pytest
import torch
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import Qt

from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.runtime.insight.backprop import stepper_for
from netbuilder.ui.insight.backprop_overlay import StepTag

SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def shown_numbers(texts: list[str], heading: str) -> list[float]:
    """The numbers a student reads in a tag's block under ``heading``, with its power of ten."""
    start = next(i for i, t in enumerate(texts) if t.startswith(heading))
    power = re.search(r"×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", texts[start])
    exp = int(power.group(1).translate(SUPERSCRIPT)) if power else 0
    numbers = []
    for line in texts[start + 1:]:
        if not re.fullmatch(r"[+\-]\d+\.\d\d( [+\-]\d+\.\d\d)*", line):
            break
        numbers += [float(v) * 10.0 ** exp for v in line.split()]
    return numbers, 10.0 ** exp


def assert_tag_shows(tag: StepTag, heading: str, expected: torch.Tensor) -> None:
    numbers, unit = shown_numbers(tag.texts(), heading)
    assert len(numbers) == expected.numel(), (heading, tag.texts())
    for shown, true in zip(numbers, expected.tolist(), strict=True):
        assert shown == pytest.approx(true, abs=0.0051 * unit), (heading, tag.texts())


@pytest.fixture(name="stepping")
def stepping_fixture(make_window, qtbot):
    w = make_window("mlp_moons")
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.views["backprop"]
    panel.tabs.setCurrentWidget(view)
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    return w, view


def press(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_stepping_through_mlp_moons_shows_the_steppers_numbers_phase_by_phase(stepping, qtbot):
    w, view = stepping
    project = load_project(example_path("mlp_moons"))
    expected = stepper_for(project.graph, project.training, batch_size=view.batch.value())
    first = expected.step(1)
    nodes = list(w.document.graph.nodes)

    press(qtbot, view.next_button)                       # Forward
    assert view.phase == "forward" and "<u>Forward</u>" in view.phases.text()
    overlay = view.overlay
    for nid in nodes:
        tag = overlay.tag(nid)
        assert tag is not None and tag.isVisible()
        assert_tag_shows(tag, nid, first.node(nid).value[0])
        assert not any(t.startswith("∂L/∂") for t in tag.texts())
    assert "after Backward" in view.table.item(0, 3).text()
    assert not view.previous_button.isEnabled()

    press(qtbot, view.next_button)                       # Loss
    assert f"loss L = {first.loss:.4f}" in view.loss.text()
    assert f"loss L = {first.loss:.4f} (batch mean)" in overlay.tag("out").texts()

    press(qtbot, view.next_button)                       # Backward
    assert "<u>Backward</u>" in view.phases.text()
    for nid in nodes:
        tag = overlay.tag(nid)
        if nid == "input":
            assert not any(t.startswith("∂L/∂") for t in tag.texts())   # data gets no gradient
            continue
        assert_tag_shows(tag, nid, first.node(nid).value[0])
        assert_tag_shows(tag, f"∂L/∂{nid}", first.node(nid).grad[0])
    names = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    assert names == [p.name for p in first.params]
    assert "after Update" in view.table.item(0, 4).text()
    view.table.selectRow(names.index("out.bias"))
    grad = first.params[names.index("out.bias")].grad
    assert view.grad_grid.values == [pytest.approx(grad.tolist(), abs=1e-7)]
    assert view.table.item(names.index("out.bias"), 3).text().strip("[]").startswith(f"{float(grad):+.2f}")

    press(qtbot, view.next_button)                       # Update
    view.table.selectRow(names.index("hidden1.weight"))
    update = first.params[names.index("hidden1.weight")].update
    assert torch.allclose(torch.tensor(view.update_grid.values), update, atol=1e-7)
    assert any(t.startswith("Δweight: largest change") for t in overlay.tag("hidden1").texts())

    press(qtbot, view.next_button)                       # step 2, Forward: new samples
    second = expected.step(2)
    assert "Step 2" in view.phases.text()
    assert_tag_shows(overlay.tag("hidden1"), "hidden1", second.node("hidden1").value[0])
    for _ in range(4):
        press(qtbot, view.previous_button)               # back to step 1, Forward
    assert "Step 1" in view.phases.text() and view.phase == "forward"
    assert_tag_shows(overlay.tag("relu2"), "relu2", first.node("relu2").value[0])

    view.sample.setValue(3)                              # another sample of the batch
    assert_tag_shows(overlay.tag("hidden2"), "hidden2", first.node("hidden2").value[2])
    assert f"dataset row {first.positions[2]}" in view.loss.text()

    view.on_canvas.setChecked(False)
    assert not [i for i in w.canvas.graph_scene.items() if isinstance(i, StepTag)]
    view.on_canvas.setChecked(True)
    assert overlay.tag("hidden2").isVisible()


def test_the_numbers_leave_the_canvas_when_the_network_is_edited(stepping, qtbot):
    w, view = stepping
    for _ in range(3):
        press(qtbot, view.next_button)
    assert [i for i in w.canvas.graph_scene.items() if isinstance(i, StepTag)]
    w.canvas.select_node("relu2", center=False)
    w.canvas.delete_selection()
    assert not [i for i in w.canvas.graph_scene.items() if isinstance(i, StepTag)]
    assert view.overlay.tag("hidden1") is None
    assert "network changed" in view.explain.text()
    assert view.table.rowCount() == 0
    w.undo_stack.undo()                                  # stepping again works on the network as it is
    press(qtbot, view.next_button)
    assert view.phase == "forward" and view.overlay.tag("relu2").isVisible()


def test_a_large_network_is_refused_in_words(make_window, qtbot):
    w = make_window("lenet5")
    w.show_insight()
    view = w.insight.ensure_panel().views["backprop"]
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    press(qtbot, view.next_button)
    assert "made for small networks" in view.explain.text()
    assert "MLP on moons" in view.explain.text()
    assert view.record is None
    assert not [i for i in w.canvas.graph_scene.items() if isinstance(i, StepTag)]


def test_inside_a_block_the_cards_show_the_numbers_of_that_use(stepping, qtbot):
    w, view = stepping
    w.canvas.select_nodes(["hidden2", "relu2"])
    dialog = w.canvas.make_block_dialog()
    dialog.name_edit.setText("Hidden")
    dialog.accept()
    qtbot.waitUntil(lambda: "hidden" in w.document.graph.nodes)
    for _ in range(3):                                   # Forward, Loss, Backward
        press(qtbot, view.next_button)
    record = view.record
    assert record is not None, view.explain.text()
    assert_tag_shows(view.overlay.tag("hidden"), "∂L/∂hidden", record.node("hidden").grad[0])
    assert w.canvas.open_block("hidden")
    inner = view.overlay.tag("hidden2")
    assert inner is not None and inner.scene() is w.canvas.graph_scene
    assert_tag_shows(inner, "hidden2", record.node("hidden/hidden2").value[0])
    assert_tag_shows(inner, "∂L/∂hidden2", record.node("hidden/hidden2").grad[0])
    assert w.canvas.go_up()
    assert_tag_shows(view.overlay.tag("hidden1"), "hidden1", record.node("hidden1").value[0])


def test_stepping_can_start_from_the_trained_weights(stepping, qtbot):
    w, view = stepping
    assert not view.trained.isEnabled()                  # nothing trained yet
    tp = w.training.ensure_panel()
    tp.form.epochs.setValue(1)
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    tp.start()
    qtbot.waitUntil(lambda: tp.running, timeout=10_000)
    qtbot.waitUntil(lambda: not tp.running, timeout=60_000)
    qtbot.waitUntil(view.trained.isEnabled, timeout=5_000)
    trained = tp.current_weights()
    press(qtbot, view.next_button)
    fresh = {p.name: p.before for p in view.record.params}
    view.trained.setChecked(True)                        # starts over from the trained ones
    assert view.record is None
    press(qtbot, view.next_button)
    for prm in view.record.params:
        assert torch.equal(prm.before, trained[prm.name]), prm.name
        assert not torch.equal(prm.before, fresh[prm.name]), prm.name
