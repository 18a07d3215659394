"""The Histograms tab: one small histogram per layer, side by side, live while training."""

from __future__ import annotations

from pathlib import Path

import pytest
from insight_support import make_insight_fixture, train  # noqa: F401
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401

from netbuilder.graph.document import Document
from netbuilder.graph.project import load_project
from netbuilder.ui.insight.histogram_view import TRAINING, HistogramView
from netbuilder.ui.insight.source import NOT_TRAINED

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
TANH = [f"tanh{i}" for i in range(1, 11)]


def _document(name: str, epochs: int) -> Document:
    project = load_project(EXAMPLES / f"{name}.json")
    project.training = {**project.training, "epochs": epochs}
    return Document(project)


def _train_to_the_end(qtbot, panel, view) -> None:
    """Train, then wait for the histograms of the weights the run ended with."""
    with qtbot.waitSignal(view.refreshed, timeout=120_000,
                          check_params_cb=lambda *_: view.live_epoch is None and not panel.running):
        panel.start()
        qtbot.waitUntil(lambda: panel.running, timeout=10_000)


def test_init_demo_shows_one_histogram_per_tanh_layer_and_updates_while_training(make_insight, qtbot):
    host, panel, source, view = make_insight(_document("init_demo", 6), HistogramView, (1000, 600))
    assert view.message.text() == NOT_TRAINED             # before training: says what to do
    live: list[int] = []
    final: list[int] = []
    view.refreshed.connect(lambda: (live if view.live_epoch is not None else final).append(view.live_epoch))
    panel.start()
    qtbot.waitUntil(lambda: panel.running, timeout=10_000)
    assert view.message.text() == TRAINING or live
    qtbot.waitUntil(lambda: bool(live), timeout=60_000)   # a live snapshot, while it trains
    assert "live, during epoch" in view.caption.text()
    assert [nh.text for nh in view.shown()] == TANH        # the activation layers, in order
    qtbot.waitUntil(lambda: not panel.running, timeout=120_000)
    qtbot.waitUntil(lambda: bool(final), timeout=60_000)  # then the trained weights' own
    assert view.stack.currentWidget() is view.scroll
    assert "trained weights" in view.caption.text()
    assert view.updates >= 2                               # live, then the final weights
    # One panel per tanh layer, titled with its name and std; std 1.0 saturates them.
    grid = view.grid
    assert [title for title, _, _ in grid.panels] == TANH
    assert all(sub.startswith("std ") and "% at ±1" in sub for _, sub, _ in grid.panels)
    assert all(sum(counts) == view.current().samples * 64 for _, _, counts in grid.panels)
    # The shared axis is tanh's own range, with most values in its outermost bins.
    assert -1 <= grid.edges[0] < -0.99 and 0.99 < grid.edges[-1] <= 1
    assert all(sum(c[:2]) + sum(c[-2:]) > sum(c) / 2 for _, _, c in grid.panels)
    # The panels do not overlap and all fit the width (the rows scroll).
    rects = [grid.cell_rect(i) for i in range(len(grid.panels))]
    assert all(not a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert max(r.right() for r in rects) <= grid.width() + 0.5
    # All layers: Flatten, every Linear and Tanh, the output; gradients: the same panels.
    view.which.setCurrentIndex(view.which.findData("all"))
    assert len(grid.panels) == 1 + 10 + 10 + 1
    view.what.setCurrentIndex(1)
    assert grid.panels[-1][1].startswith("‖g‖") and "log10" in view.caption.text()
    assert len(grid.edges) == len(view.current().grad_edges)


def test_each_init_shows_what_the_lecture_says(make_insight, qtbot):
    """Collapsed to 0 (std 0.01), spread (Xavier): the figures the panels are titled with."""
    stds = {}
    for name in ("init_demo_small", "init_demo_xavier"):
        host, panel, source, view = make_insight(_document(name, 1), HistogramView)
        _train_to_the_end(qtbot, panel, view)
        stds[name] = [nh.std for nh in view.shown()]
    # std 0.01: each layer shrinks the signal; after an epoch the last layers' biases have
    # grown a little, but the middle of the stack is still all but zero.
    assert min(stds["init_demo_small"]) < 1e-4 < 1e-2 < stds["init_demo_small"][0]
    assert all(0.2 < s < 0.9 for s in stds["init_demo_xavier"])


@pytest.mark.parametrize("name", ["vanishing_gradients"])
def test_gradient_histograms_slide_left_through_the_sigmoids(make_insight, qtbot, name):
    host, panel, source, view = make_insight(_document(name, 1), HistogramView)
    _train_to_the_end(qtbot, panel, view)
    view.what.setCurrentIndex(1)
    norms = [nh.grad_norm for nh in view.shown()]
    assert len(norms) == 8 and norms[0] < 1e-3 * norms[-1]


def test_the_window_has_a_histograms_tab_in_the_inside_panel(make_window):
    w = make_window("init_demo")
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.views["histograms"]
    assert isinstance(view, HistogramView)
    assert panel.tabs.tabText(panel.tabs.indexOf(view)) == "Histograms"
    panel.tabs.setCurrentWidget(view)
    assert view.message.text() == NOT_TRAINED
