"""Presentation mode on a 1024x768 projector with ResNet-18 (issue 13): the canvas text stays
readable (card text at least 14 px on screen, labels 12 px), the rows wrap to fit the view,
the student scrolls to the rest, and the training panel keeps out of the way until training
starts. Leaving it gives back the stored layout, and nothing was edited."""

from __future__ import annotations

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QPoint, QPointF, Qt

from netbuilder.ui.theme import Theme


def _present(w, qtbot):
    w.ui_actions.presentation.trigger()
    assert w.presentation
    qtbot.waitUntil(lambda: not w.inspector_dock.isVisible())
    # the panels have gone: the canvas has (nearly) the whole window
    qtbot.waitUntil(lambda: w.canvas.height() > 0.75 * w.height())
    # the opening view is already readable ...
    qtbot.waitUntil(lambda: Theme.font("body").pixelSize() * w.canvas.zoom_level() >= 14 - 1e-6)
    w.ui_actions.fit.trigger()                   # ... and so is Fit, what a lecturer presses


def _on_screen_px(w, role: str) -> float:
    return Theme.font(role).pixelSize() * w.canvas.zoom_level()


def _cards(w):
    return w.canvas.graph_scene.nodes


def test_resnet18_reads_at_1024x768_after_fit(make_window, qtbot):
    w = make_window("resnet18", (1024, 768))
    stored = {nid: n.position for nid, n in w.document.graph.nodes.items()}
    _present(w, qtbot)
    canvas = w.canvas
    # text on screen, in pixels: cards 14, labels (ids, counts, the shapes on wires) 12
    for role in ("body", "shape", "title"):
        assert _on_screen_px(w, role) >= 14 - 1e-6, role
    for role in ("small", "wire"):
        assert _on_screen_px(w, role) >= 12 - 1e-6, role
    for wire in canvas.graph_scene.wires.values():     # no label shrunk to fit a short wire
        assert wire.label.font.pixelSize() * canvas.zoom_level() >= 12 - 1e-6, wire.text
    # blocks stay one card each (BasicBlock x2, DownBlock), at the network's top level
    assert not canvas.in_block()
    assert set(_cards(w)) == set(w.document.graph.nodes) and len(_cards(w)) == 15
    assert _cards(w)["layer1"].view.type == "BasicBlock"
    # fewer cards a row, so a row fits across the view: no row needs a sideways scroll
    rows: dict[float, list[float]] = {}
    for item in _cards(w).values():
        rows.setdefault(item.pos().y(), []).append(item.pos().x())
    assert max(len(xs) for xs in rows.values()) < 5                 # it was stored with 5
    view_w = canvas.viewport().width() / canvas.zoom_level()
    width = canvas.graph_scene.content_rect().width()
    assert width <= view_w
    # the view opens where the data enters; the rest is a scroll away
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(_cards(w)["input"].sceneBoundingRect())
    assert canvas.verticalScrollBar().maximum() > 0
    # the canvas has the height: no training panel before training starts
    assert not w.training_dock.isVisible()
    assert canvas.height() > 0.75 * w.height()
    # the model never moved: leaving gives back the stored layout, nothing to save
    assert {nid: n.position for nid, n in w.document.graph.nodes.items()} == stored
    assert not w.isWindowModified() and w.undo_stack.count() == 0
    w.ui_actions.presentation.trigger()
    assert not w.presentation
    for nid, item in _cards(w).items():
        assert (item.pos().x(), item.pos().y()) == tuple(stored[nid]), nid


def test_a_card_moved_while_presenting_moves_by_the_same_amount_in_the_model(make_window,
                                                                             qtbot):
    w = make_window("resnet18", (1024, 768))
    _present(w, qtbot)
    canvas = w.canvas
    item = _cards(w)["conv1"]
    before_model = w.document.graph.nodes["conv1"].position
    shown = item.pos()
    start = canvas.mapFromScene(item.sceneBoundingRect().center())
    end = start + QPoint(0, 40)
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas.viewport(), start + QPoint(0, 20))
    qtbot.mouseMove(canvas.viewport(), end)
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=end)
    moved = item.pos() - shown
    if moved == QPointF(0, 0):
        pytest.skip("this platform's offscreen mouse did not drag")
    after_model = w.document.graph.nodes["conv1"].position
    assert (after_model[0] - before_model[0], after_model[1] - before_model[1]) == \
        (moved.x(), moved.y())
    w.undo()
    assert w.document.graph.nodes["conv1"].position == before_model
    assert item.pos() == shown


def test_the_training_panel_comes_back_when_training_starts(make_window, qtbot):
    pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")
    w = make_window("perceptron", (1024, 768))
    settings = dict(w.document.project.training or {})
    settings["epochs"] = 2
    w.document.set_training(settings)
    _present(w, qtbot)
    assert not w.training_dock.isVisible()
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        w.start_training()
    assert w.training_dock.isVisible() and w.training.panel.isVisible()
    qtbot.waitUntil(lambda: w.training_dock.height() >= 0.38 * w.height(), timeout=3000)
    assert w.training.panel.plots.isVisible()
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        pass
    assert w.training_dock.isVisible()            # the final curves stay for the room
    assert _on_screen_px(w, "body") >= 14 - 1e-6      # the shorter canvas still reads
