"""Training plots: the train/validation gap shaded, the best epoch marked, runs overlaid."""

from __future__ import annotations

from netbuilder.ui.training.plots import TrainingPlots

TRAIN = [1.0, 0.6, 0.4, 0.3, 0.2, 0.1]
VAL = [1.1, 0.7, 0.5, 0.45, 0.5, 0.6]


def test_the_gap_is_shaded_and_the_lowest_validation_epoch_marked(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.reset(True, 6)
    assert not plots.best_line.isVisible()
    for epoch, (t, v) in enumerate(zip(TRAIN, VAL, strict=True), start=1):
        plots.add_epoch(float(epoch), v, 0.5, None, train_loss=t)
    plots.refresh()
    assert plots.best_line.isVisible() and plots.best_line.value() == 4.0
    assert plots.best_line.label.format == "best val epoch 4"
    assert list(plots.gap_edge.xData) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert not plots.gap.path().isEmpty()
    plots.reset(True, 6)                   # a new run forgets the mark and the shading
    assert not plots.best_line.isVisible()
    assert plots.gap_edge.xData is None or len(plots.gap_edge.xData) == 0


def test_recorded_runs_are_overlaid_with_their_names_in_the_legend_and_removed_again(qtbot):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    history = [{"epoch": i + 1, "train_loss": t, "val_loss": v, "train_acc": 0.5,
                "val_acc": 0.4} for i, (t, v) in enumerate(zip(TRAIN, VAL, strict=True))]
    plots.show_runs([("plain", history), ("dropout", history[:3])])
    labels = [label.text for _sample, label in plots.legend.items]
    assert labels == ["train (solid)", "validation (dashed)", "plain", "dropout"]
    # per run: train and validation in both plots, and the shaded gap in the loss plot
    assert len(plots.run_items) == 2 * 5
    plots.show_runs([])
    assert [label.text for _s, label in plots.legend.items] == ["train (per step)",
                                                               "validation (per epoch)"]
    assert plots.run_items == []
