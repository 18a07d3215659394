"""Training statistics on the cards while LeNet-5 trains, and gone after an edit."""

from __future__ import annotations

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401

from netbuilder.ui.insight.overlay import MIN_DECADES


def test_gauges_appear_on_every_card_with_parameters_and_go_when_the_network_changes(make_window, qtbot):
    w = make_window("lenet5")
    w.show_training_statistics(True)
    overlay = w.stats_overlay
    assert overlay.legend.isVisible()
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    tp.form.epochs.setValue(1)
    with qtbot.waitSignal(overlay.updated, timeout=120_000):
        w.training.start()
    qtbot.waitUntil(lambda: not tp.running, timeout=120_000)
    graph = w.document.graph
    weighted = [n for n, info in w.document.analysis.nodes.items() if info.params > 0]
    assert weighted
    for nid in weighted:
        g = overlay.gauge(nid)
        assert g is not None and g.isVisible() and g.fraction is not None, nid
        assert "gradient norm" in g.toolTip()
    assert "Gradient norm" in overlay.legend.scale.text()
    overlay.set_stat("dead")
    relu = next(n for n in graph.nodes if graph.nodes[n].type == "ReLU")
    assert overlay.gauge(relu).text.endswith("% dead")
    w.canvas.select_node("relu3", center=False)
    w.canvas.delete_selection()
    assert overlay.gauge("conv1") is None
    assert "train it again" in overlay.legend.scale.text()



def _trained_gauges(make_window, qtbot, example: str) -> dict[str, float]:
    """Open ``example``, show the statistics, train one epoch: each Linear's gauge fill."""
    w = make_window(example)
    w.show_training_statistics(True)
    overlay = w.stats_overlay
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    tp.form.epochs.setValue(1)
    with qtbot.waitSignal(overlay.updated, timeout=120_000):
        w.training.start()
    qtbot.waitUntil(lambda: not tp.running, timeout=120_000)
    assert "Gradient norm" in overlay.legend.scale.text()
    return {nid: overlay.gauge(nid).fraction for nid in [f"fc{i}" for i in range(1, 9)] + ["out"]}


def test_the_class_sees_the_gradient_fade_through_sigmoids_and_hold_with_relu_and_batchnorm(
        make_window, qtbot):
    faded = _trained_gauges(make_window, qtbot, "vanishing_gradients")
    assert faded["fc1"] < 0.1 and faded["fc8"] > 0.6        # empty at the input, full near the output
    assert list(faded.values()) == sorted(faded.values())   # fading all the way back
    held = _trained_gauges(make_window, qtbot, "vanishing_gradients_fixed")
    # The same shared log scale (at least MIN_DECADES wide) shows every layer well filled.
    assert min(held.values()) > 1 - 1.5 / MIN_DECADES
