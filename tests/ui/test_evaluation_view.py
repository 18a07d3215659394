"""The evaluation view, as a student uses it after training LeNet-5 on the shipped digits."""

from __future__ import annotations

import numpy as np
import pytest
from insight_support import make_insight_fixture, train  # noqa: F401
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QPoint, Qt
from training_support import chain_project

from netbuilder.runtime.events import Epoch
from netbuilder.runtime.insight.evaluation import evaluate
from netbuilder.ui.insight.evaluation_view import TRAINING, EvaluationView, percent
from netbuilder.ui.insight.source import EDITED, NOT_TRAINED


def _judge(source):
    """The figures computed here, independently of the view."""
    ctx = source.context()
    data = ctx.eval_set()
    return data, evaluate(source.prober(), data, ctx.config.loss)


def _final(view) -> bool:
    ctx = view.source.context()
    return ctx is not None and view.context is ctx and view.live_epoch is None


@pytest.fixture
def trained(make_window, qtbot):
    """A window with LeNet-5 trained for one epoch and the Evaluation tab open."""
    w = make_window("lenet5")
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.views["evaluation"]
    panel.tabs.setCurrentWidget(view)
    assert view.stack.currentWidget() is view.message
    assert view.message.text() == NOT_TRAINED          # before training: says what to do
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    epochs: list[Epoch] = []
    tp.run_events.connect(lambda batch: epochs.extend(e for e in batch if isinstance(e, Epoch)))
    tp.form.epochs.setValue(1)
    w.training.start()
    qtbot.waitUntil(lambda: tp.running, timeout=10_000)
    qtbot.waitUntil(lambda: not tp.running, timeout=120_000)
    qtbot.waitUntil(lambda: _final(view), timeout=60_000)
    return w, panel, view, epochs


def test_the_confusion_matrix_counts_every_validation_sample_and_writes_each_count(trained):
    w, panel, view, epochs = trained
    assert view.stack.currentWidget() is view.page
    data, ev = _judge(view.source)
    m = view.matrix
    n = len(data.classes)
    written = np.array([[int(m.cell_text(r, c)) for c in range(n)] for r in range(n)])
    assert written.sum() == len(data) == 359            # 20% of the 1,797 digits
    assert (written == ev.confusion).all()
    # the accuracy written is the one the training panel reported for the same weights
    assert f"Accuracy {100 * epochs[-1].val_acc:.1f}%" in view.headline.text()
    assert f"{int(np.trace(written)):,} of {len(data):,}" in view.headline.text()
    # per class: one row per class, the supports add up to the validation size
    table = view.table
    assert table.rowCount() == n
    assert [table.item(i, 0).text() for i in range(n)] == data.classes
    assert sum(int(table.item(i, 4).text()) for i in range(n)) == len(data)


def test_sorting_the_table_by_recall_puts_the_hardest_class_first(trained, qtbot):
    w, panel, view, epochs = trained
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(2) + header.sectionSize(2) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))
    recalls = [float(view.table.item(i, 2).text().rstrip("%")) for i in range(view.table.rowCount())]
    assert recalls == sorted(recalls) or recalls == sorted(recalls, reverse=True)
    worst = min(view.evaluation.per_class, key=lambda c: c.recall)
    ends = {view.table.item(0, 0).text(), view.table.item(view.table.rowCount() - 1, 0).text()}
    assert worst.name in ends or recalls.count(min(recalls)) > 1


def test_normalised_writes_the_share_of_each_true_class(trained, qtbot):
    w, panel, view, epochs = trained
    m = view.matrix
    before = m.cell_text(0, 0)
    qtbot.mouseClick(view.normalised, Qt.MouseButton.LeftButton,
                     pos=view.normalised.rect().center())
    assert view.normalised.isChecked()
    counts = view.evaluation.confusion
    n = counts.shape[0]
    for r in range(n):
        row = [m.cell_text(r, c) for c in range(n)]
        assert all(t.endswith("%") for t in row)
        assert row == [percent(counts[r, c] / counts[r].sum()) for c in range(n)]
    assert m.cell_text(0, 0) != before
    view.normalised.setChecked(False)
    assert m.cell_text(0, 0) == before


def test_clicking_a_mistake_opens_a_sample_the_network_gets_wrong(trained, qtbot):
    w, panel, view, epochs = trained
    data, ev = _judge(view.source)
    wrong = np.nonzero(ev.predictions != ev.targets)[0]
    assert view.gallery.count() == min(len(wrong), 60)
    if not len(wrong):
        assert "No mistakes" in view.gallery_title.text()
        return
    shown = view.gallery_positions()
    conf = ev.confidence[shown]
    assert list(conf) == sorted(conf, reverse=True)      # most confident mistakes first
    item = view.gallery.item(0)
    names = data.classes
    t, p = int(data.y[shown[0]]), int(ev.predictions[shown[0]])
    assert item.text().replace("\n", " ") == (f"true {names[t]} → predicted {names[p]} "
                                              f"({100 * conf[0]:.0f}%)")
    rect = view.gallery.visualItemRect(item)
    with qtbot.waitSignal(view.sample_chosen, timeout=5000) as chosen:
        qtbot.mouseClick(view.gallery.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    position = chosen.args[0]
    assert ev.predictions[position] != int(data.y[position])
    # the Inside panel opens that very sample in the sample view
    assert panel.tabs.currentWidget() is panel.sample_view
    assert panel.sample_view.sample_box.value() == position + 1


def test_clicking_a_cell_shows_its_samples_in_the_gallery(trained, qtbot):
    w, panel, view, epochs = trained
    data, ev = _judge(view.source)
    cm = ev.confusion.copy()
    np.fill_diagonal(cm, -1)
    t, p = np.unravel_index(int(cm.argmax()), cm.shape)
    m = view.matrix
    qtbot.mouseClick(m, Qt.MouseButton.LeftButton, pos=m.cell_rect(t, p).center().toPoint())
    assert view.filter == (t, p)
    shown = view.gallery_positions()
    assert len(shown) == min(int(ev.confusion[t, p]), 60)
    assert all(int(data.y[i]) == t and ev.predictions[i] == p for i in shown)
    assert view.show_all.isVisible()
    # a diagonal cell: that class's right answers, the least sure first
    qtbot.mouseClick(m, Qt.MouseButton.LeftButton, pos=m.cell_rect(t, t).center().toPoint())
    shown = view.gallery_positions()
    assert shown and all(int(data.y[i]) == t and ev.predictions[i] == t for i in shown)
    assert list(ev.confidence[shown]) == sorted(ev.confidence[shown])
    qtbot.mouseClick(view.show_all, Qt.MouseButton.LeftButton)
    assert view.filter is None and not view.show_all.isVisible()
    assert len(view.gallery_positions()) == min(int((ev.predictions != ev.targets).sum()), 60)


def test_editing_the_network_replaces_the_figures_with_a_retrain_message(trained, qtbot):
    w, panel, view, epochs = trained
    w.canvas.select_node("relu3", center=False)
    w.canvas.delete_selection()
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.message, timeout=5000)
    assert view.message.text() == EDITED
    with qtbot.waitSignal(view.refreshed, timeout=30_000):
        w.undo_stack.undo()
    assert view.stack.currentWidget() is view.page


def test_a_loaded_checkpoint_is_judged_like_the_run_that_saved_it(trained, make_window, qtbot,
                                                                 tmp_path):
    w, panel, view, epochs = trained
    path = tmp_path / "lenet.pt"
    assert w.training.panel.save_checkpoint_to(path)
    w2 = make_window("lenet5")
    w2.show_insight()
    panel2 = w2.insight.ensure_panel()
    view2 = panel2.views["evaluation"]
    panel2.tabs.setCurrentWidget(view2)
    tp2 = w2.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp2.checking, timeout=20_000)
    with qtbot.waitSignal(view2.refreshed, timeout=30_000):
        assert tp2.load_checkpoint_from(path)
    assert (view2.evaluation.confusion == view.evaluation.confusion).all()
    assert view2.headline.text().split(":")[0] == view.headline.text().split(":")[0]


def test_during_training_the_figures_follow_each_epoch(make_window, qtbot):
    w = make_window("lenet5")
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.views["evaluation"]
    panel.tabs.setCurrentWidget(view)
    tp = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not tp.checking, timeout=20_000)
    epochs: list[Epoch] = []
    live: list[int] = []
    tp.run_events.connect(lambda batch: epochs.extend(e for e in batch if isinstance(e, Epoch)))
    view.refreshed.connect(lambda: live.append(view.live_epoch) if view.live_epoch else None)
    tp.form.epochs.setValue(20)
    w.training.start()
    qtbot.waitUntil(lambda: tp.running, timeout=10_000)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.message, timeout=5000)
    assert view.message.text() == TRAINING
    qtbot.waitUntil(lambda: bool(live), timeout=120_000)    # after the first epoch's end
    assert "live" in view.headline.text()
    assert view.evaluation.samples == 359
    tp.stop()
    qtbot.waitUntil(lambda: not tp.running, timeout=60_000)
    qtbot.waitUntil(lambda: _final(view), timeout=60_000)
    assert "live" not in view.headline.text()
    assert len(live) <= len(epochs) + 1       # once per epoch, never per step
    assert live == sorted(live)


def test_regression_shows_predicted_against_true_and_the_errors(make_insight, qtbot):
    doc = chain_project("sine", [("input", "Input", {"shape": [1]}),
                                 ("fc1", "Linear", {"out_features": 32}), ("act", "Tanh", {}),
                                 ("fc2", "Linear", {"out_features": 1})],
                        {"dataset": "sine", "loss": "mse"})
    host, tp, source, view = make_insight(doc, EvaluationView)
    assert view.message.text() == NOT_TRAINED
    with qtbot.waitSignal(view.refreshed, timeout=120_000):
        train(qtbot, tp, epochs=2)
    data, ev = _judge(source)
    assert view.body.currentWidget() is view.regression_plots
    assert not view.normalised.isVisible()
    text = view.headline.text()
    assert "MSE" in text and "MAE" in text and f"{len(data):,} validation samples" in text
    x, y = view.predicted_points.getData()
    assert len(x) == len(data)
    assert np.allclose(x, ev.targets.ravel()) and np.allclose(y, ev.predictions.ravel())
    rx, ry = view.residual_points.getData()
    assert np.allclose(ry, ev.predictions.ravel() - ev.targets.ravel())
    lx, ly = view.identity_line.getData()
    assert list(lx) == list(ly)                # the line where predicted equals true
