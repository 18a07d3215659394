"""The embedding view on LeNet-5 trained on the shipped digits: PCA, t-SNE off the GUI thread."""

from __future__ import annotations

import numpy as np
import pytest
from insight_support import make_insight_fixture, train  # noqa: F401
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer

from netbuilder.graph.document import Document
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.ui.insight.embedding_view import EmbeddingView
from netbuilder.ui.insight.source import EDITED, NOT_TRAINED


@pytest.fixture
def trained(make_insight, qtbot):
    """LeNet-5 trained for one epoch; the view has computed its first (PCA) embedding."""
    doc = Document(load_project(example_path("lenet5")))
    host, tp, source, view = make_insight(doc, EmbeddingView)
    assert view.stack.currentWidget() is view.message
    assert view.message.text() == NOT_TRAINED
    with qtbot.waitSignal(view.computed, timeout=120_000):
        train(qtbot, tp, epochs=1)
    return doc, tp, source, view


def _screen_point(view, x: float, y: float) -> QPoint:
    scene = view.plot.vb.mapViewToScene(QPointF(x, y))
    p = view.plot_view.mapFromScene(scene)
    return QPoint(p.x(), p.y())


def test_pca_of_the_last_hidden_layer_has_one_point_per_validation_sample(trained):
    doc, tp, source, view = trained
    assert view.stack.currentWidget() is view.page
    assert view.current_path == ("relu4",)           # what fc3, the output layer, reads
    assert view.node_box.currentText().strip().startswith("relu4")
    assert view.method == "pca"
    n = len(source.context().eval_set())
    assert view.point_count() == n == 359
    assert view.result["coords"].shape == (n, 2)
    assert [label.text for _sample, label in view.legend.items] == [str(i) for i in range(10)]
    assert "84 values" in view.info.text() and "PCA" in view.info.text()
    assert not view.busy.isVisible()


def test_the_node_chooser_follows_set_node(trained, qtbot):
    doc, tp, source, view = trained
    with qtbot.waitSignal(view.computed, timeout=60_000):
        view.set_node(("fc1",))
    assert view.current_path == ("fc1",)
    assert view.node_box.currentText().strip().startswith("fc1")
    assert view.result["features"] == 120 and "fc1 (Linear)" in view.info.text()
    with qtbot.waitSignal(view.computed, timeout=60_000):
        view.set_node("pool2")                        # a bare id works too
    assert view.node_box.currentText().strip().startswith("pool2")
    assert view.result["features"] == 16 * 5 * 5


def test_tsne_computes_while_the_event_loop_keeps_running(trained, qtbot):
    doc, tp, source, view = trained
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    with qtbot.waitSignal(view.computed, timeout=300_000):
        view.set_method("tsne")
        timer.start()
        assert view.computing and view.busy.isVisible()
        assert view.status.text() == "Computing t-SNE of 359 points…"
    timer.stop()
    # a blocked GUI thread would let the timer fire once at most, after the computation
    assert len(ticks) >= 5
    assert not view.busy.isVisible() and view.result["method"] == "tsne"
    assert view.point_count() == 359 and "t-SNE" in view.info.text()


def test_choosing_again_drops_the_embedding_in_flight(trained, qtbot):
    doc, tp, source, view = trained
    shown: list[str] = []
    view.computed.connect(lambda: shown.append(view.result["method"]))
    view.set_method("tsne")
    with qtbot.waitSignal(view.computed, timeout=300_000):
        view.set_method("pca")                  # before the t-SNE came back
    qtbot.waitUntil(lambda: not view._bg.busy, timeout=300_000)   # the t-SNE job has ended
    assert shown == ["pca"] and view.result["method"] == "pca"
    view.set_method("tsne")
    view.cancel_button.click()
    assert not view.computing and view.status.text() == "Cancelled."
    qtbot.waitUntil(lambda: not view._bg.busy, timeout=300_000)
    assert view.result["method"] == "pca"      # the cancelled t-SNE never replaced it


def test_hovering_shows_the_sample_and_clicking_opens_it(trained, qtbot):
    doc, tp, source, view = trained
    data = source.context().eval_set()
    coords = view.result["coords"]
    position = int(np.argmin(coords[:, 0]))       # a point at the edge: nothing lies on it
    pos = _screen_point(view, *coords[position])
    qtbot.mouseMove(view.plot_view.viewport(), pos)
    tip = view.plot.vb.toolTip()
    true = data.classes[int(data.y[position])]
    assert f"sample {position + 1}</b>: true {true}, predicted " in tip
    assert "<img src='data:image/png;base64," in tip
    with qtbot.waitSignal(view.sample_chosen, timeout=5000) as chosen:
        qtbot.mouseClick(view.plot_view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert np.allclose(coords[chosen.args[0]], coords[position], atol=abs(coords).max() * 0.02)


def test_editing_the_network_replaces_the_points_with_a_retrain_message(trained, qtbot):
    doc, tp, source, view = trained
    doc.set_param("fc1", "out_features", 100)
    assert view.stack.currentWidget() is view.message and view.message.text() == EDITED
    assert view.point_count() == 0
    with qtbot.waitSignal(view.computed, timeout=60_000):
        doc.set_param("fc1", "out_features", 120)
    assert view.point_count() == 359
