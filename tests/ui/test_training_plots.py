"""The training plots' layout: readable in the short bottom dock of a laptop-sized window,
with the legend above the curves rather than on them, and plain numbers on the axes."""

from __future__ import annotations

import pytest

from netbuilder.ui.training.plots import TrainingPlots


@pytest.fixture
def plots(qtbot):
    p = TrainingPlots()
    qtbot.addWidget(p)
    p.show()
    return p


def item_rect(plots: TrainingPlots, item):
    return item.mapRectToScene(item.boundingRect())


def test_a_wide_short_area_puts_the_plots_side_by_side(qtbot, plots):
    plots.resize(900, 160)                   # the bottom dock of a 1400x900 window
    qtbot.waitUntil(lambda: plots.side_by_side is True)
    loss, metric = item_rect(plots, plots.loss_plot), item_rect(plots, plots.metric_plot)
    assert loss.right() <= metric.left() + 1 and abs(loss.top() - metric.top()) < 2
    assert metric.height() > 100             # each plot gets the whole height
    assert plots.loss_plot.getAxis("bottom").labelText == "epoch"   # each has its epoch axis

    plots.resize(600, 420)                   # a tall panel: metric under the loss
    qtbot.waitUntil(lambda: plots.side_by_side is False)
    loss, metric = item_rect(plots, plots.loss_plot), item_rect(plots, plots.metric_plot)
    assert loss.bottom() <= metric.top() + 1
    assert not plots.loss_plot.getAxis("bottom").style["showValues"]


@pytest.mark.parametrize("size", [(900, 160), (600, 420)])
def test_the_legend_sits_above_the_plots_and_covers_no_curve(qtbot, plots, size):
    plots.resize(*size)
    qtbot.wait(20)
    legend = item_rect(plots, plots.legend)
    for plot in (plots.loss_plot, plots.metric_plot):
        assert legend.bottom() <= item_rect(plots, plot.getViewBox()).top() + 1
    labels = [label.text for _sample, label in plots.legend.items]
    assert labels == ["train (per step)", "validation (per epoch)"]


def test_small_losses_are_shown_as_plain_numbers(qtbot, plots):
    plots.resize(900, 160)
    plots.reset(classification=True, epochs=3)
    for i in range(30):
        plots.add_step(i / 10, 0.002 - i * 5e-5, 0.5, None)
    plots.refresh()
    axis = plots.loss_plot.getAxis("left")
    assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()
