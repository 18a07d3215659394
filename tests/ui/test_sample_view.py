"""The sample view, as a student uses it after training LeNet-5 on the shipped digits."""

from __future__ import annotations

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QPoint, Qt

from netbuilder.runtime.insight.arithmetic import conv_arithmetic
from netbuilder.ui.insight.source import EDITED, NOT_TRAINED


@pytest.fixture
def trained(make_window, qtbot):
    """A window with LeNet-5 trained for one epoch and the Inside tab open."""
    w = make_window("lenet5")
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.sample_view
    assert view.message.text() == NOT_TRAINED          # before training: says what to do
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    tp.form.epochs.setValue(1)
    with qtbot.waitSignal(view.refreshed, timeout=120_000):
        w.training.start()
        qtbot.waitUntil(lambda: tp.running, timeout=10_000)
        qtbot.waitUntil(lambda: not tp.running, timeout=120_000)
    return w, view


def test_after_training_the_first_conv_layer_shows_its_maps_and_the_probabilities(trained):
    w, view = trained
    assert view.stack.currentIndex() == 1
    assert view.current_path == ("conv1",)
    conv1 = w.document.graph.nodes["conv1"].params["out_channels"]
    assert view.maps.count == conv1
    assert "feature maps" in view.node_info.text()
    verdict = view.verdict.text()
    assert verdict.startswith("True ") and "predicted" in verdict
    probs = view.bars._probs
    assert probs.shape == (10,) and abs(probs.sum() - 1) < 1e-4


def test_clicking_a_map_explains_one_value_with_numbers_that_add_up(trained, qtbot):
    w, view = trained
    with qtbot.waitSignal(view.arithmetic_shown, timeout=10_000):
        rect = view.maps.cell_rect(2)
        qtbot.mouseClick(view.maps, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    with qtbot.waitSignal(view.arithmetic_shown, timeout=10_000):
        point = view.picker.point_of(1, 3)
        qtbot.mouseClick(view.picker, Qt.MouseButton.LeftButton, pos=QPoint(int(point.x()), int(point.y())))
    a = conv_arithmetic(view.source.prober(), ("conv1",), view._result["x"], 2, 1, 3)
    text = view.arithmetic.text()
    assert "channel 2, row 1, column 3" in text
    assert f"= {a.value:.3f}" in text and f"computed {a.layer_value:.3f}" in text
    assert view.picture._patch is not None        # the patch is outlined on the input


def test_the_canvas_and_the_view_select_the_same_layer(trained, qtbot):
    w, view = trained
    w.canvas.select_node("fc1", center=False)
    assert view.current_path == ("fc1",)
    assert view.node_stack.currentWidget() is view.strip
    assert len(view.strip.values()) == w.document.analysis.nodes["fc1"].output.shape[0]
    index = [t.path for t in view._targets].index(("pool2",))
    view.node_box.setCurrentIndex(index)
    assert w.canvas.selected_ids() == ["pool2"]


def test_a_misclassified_sample_is_one_the_network_gets_wrong(trained, qtbot):
    w, view = trained
    with qtbot.waitSignal(view.refreshed, timeout=20_000):
        view.show_misclassified()
    if "every validation sample right" in view.verdict.text():
        return
    assert view.verdict.text().endswith("wrong")


def test_a_drawn_digit_gets_an_answer(trained, qtbot):
    w, view = trained
    view.draw_button.setChecked(True)
    pic = view.picture
    with qtbot.waitSignal(view.refreshed, timeout=20_000):
        qtbot.mousePress(pic, Qt.MouseButton.LeftButton, pos=pic.rect().center())
        qtbot.mouseMove(pic, pic.rect().center() + QPoint(0, 30))
        qtbot.mouseRelease(pic, Qt.MouseButton.LeftButton, pos=pic.rect().center() + QPoint(0, 30))
    assert pic.raw().max() > 0
    assert view.verdict.text().startswith("The network says ")


def test_saliency_and_gradient_ascent_show_pictures(trained, qtbot):
    w, view = trained
    with qtbot.waitSignal(view.refreshed, timeout=20_000):
        view.saliency_box.setChecked(True)
    assert view.picture._overlay is not None
    with qtbot.waitSignal(view.ascent_shown, timeout=60_000):
        view.run_ascent()
    assert view.ascent.isVisibleTo(view) and view.ascent.count == 6   # made + 5 real ones


def test_editing_the_network_replaces_the_pictures_with_a_retrain_message(trained, qtbot):
    w, view = trained
    w.canvas.select_node("relu3", center=False)
    w.canvas.delete_selection()
    qtbot.waitUntil(lambda: view.stack.currentIndex() == 0, timeout=5000)
    assert view.message.text() == EDITED
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: view.stack.currentIndex() == 1, timeout=5000)
