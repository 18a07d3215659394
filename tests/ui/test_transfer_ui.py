"""Transfer learning in the window: freezing from the canvas menu and the Inspector (frozen
cards look frozen, one undo step each), the Summary's trainable/frozen counts, File > Load
Weights... with its per-tensor report, Replace Head, and a run that starts from loaded
weights and leaves the frozen layers' exactly as loaded."""

from __future__ import annotations

import torch
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from training_support import digits_cnn, make_panel_fixture, run_to_end  # noqa: F401

from netbuilder.codegen.build import build_module
from netbuilder.graph.transfer import freeze_up_to
from netbuilder.ui.commands import SetTrainable, push

FROZEN = {"input", "conv1", "relu1", "pool1", "conv2", "relu2", "pool2"}


def _menu_action(w, nid: str, text: str):
    canvas = w.canvas
    at = canvas.mapFromScene(canvas.graph_scene.nodes[nid].sceneBoundingRect().center())
    return next(a for a in canvas.context_menu_at(at).actions() if a.text() == text)


def test_freeze_up_to_here_freezes_what_feeds_the_layer_and_the_cards_say_so(make_window):
    w = make_window("lenet5")
    _menu_action(w, "pool2", "Freeze up to here").trigger()
    graph = w.document.graph
    assert {nid for nid, n in graph.nodes.items() if not n.trainable} == FROZEN
    assert w.undo_stack.undoText() == "Freeze up to pool2"
    cards = w.canvas.graph_scene.nodes
    assert cards["conv1"].view.frozen and cards["conv1"].view.cost == "156 params, frozen"
    assert not cards["fc1"].view.frozen
    t = w.summary.totals_values()
    assert (t["trainable"], t["frozen"]) == (61_706 - 2_572, 2_572)
    assert "frozen:</b> 2,572" in w.summary.totals.text()
    _menu_action(w, "fc3", "Unfreeze all").trigger()
    assert all(n.trainable for n in graph.nodes.values())
    w.undo_stack.undo()
    w.undo_stack.undo()
    assert all(n.trainable for n in graph.nodes.values())


def test_the_inspector_checkbox_freezes_one_layer_and_follows_undo(make_window):
    w = make_window("lenet5")
    w.canvas.select_node("fc1")
    box = w.inspector.trainable_box
    assert box is not None and box.isChecked()
    box.setChecked(False)
    assert w.document.graph.nodes["fc1"].trainable is False
    assert w.canvas.graph_scene.nodes["fc1"].view.frozen
    w.undo_stack.undo()
    assert w.document.graph.nodes["fc1"].trainable and w.inspector.trainable_box.isChecked()


def test_load_weights_shows_the_report_and_training_starts_from_them(qtbot, make_window,
                                                                   tmp_path):
    w = make_window("lenet5")
    torch.manual_seed(5)
    state = build_module(w.document.graph).state_dict()
    renamed = {f"features.{i}.param": v for i, v in enumerate(state.values())}
    del renamed["features.9.param"]            # the head's bias is not in the file
    path = tmp_path / "pretrained.pth"
    torch.save(renamed, path)
    dialog = w.transfer.load_weights(path, show=False)
    assert dialog is not None
    assert dialog.report.summary().startswith("9 of 10 tensors loaded (9 by order); 1 not in")
    table = dialog.table
    assert table.item(2, 0).text() == "conv2.weight" and table.item(2, 3).text() == "features.2.param"
    assert table.item(9, 2).text() == "✗ not in the file"
    panel = w.training.panel
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    assert panel.status.text() == "Ready: Start (F5) begins from pretrained.pth (9 of 10 tensors)"
    assert torch.equal(panel.start_from[0]["conv1.weight"], state["conv1.weight"])


def test_a_file_that_fits_nothing_is_refused_and_nothing_changes(make_window, tmp_path):
    from mainwindow_support import BoxAnswerer
    from PySide6.QtWidgets import QMessageBox

    w = make_window("lenet5")
    path = tmp_path / "other.pt"
    torch.save({"w": torch.zeros(2, 2, 2)}, path)
    with BoxAnswerer(QMessageBox.StandardButton.Ok) as boxes:
        assert w.transfer.load_weights(path) is None
    assert "none of its 1 tensors fits this network" in boxes.texts
    assert w.training.panel is None or w.training.panel.start_from is None


def test_replace_head_sets_the_last_linear_to_the_dataset_classes(make_window):
    w = make_window("lenet5")
    w.document.set_training({**w.document.project.training, "dataset": "digits28_5to9"})
    assert w.transfer.class_count() == 5
    assert w.transfer.replace_head(5) is None
    assert w.document.graph.nodes["fc3"].params["out_features"] == 5
    assert w.undo_stack.undoText() == "Change out_features of fc3"


def test_a_run_from_start_weights_keeps_frozen_layers_exactly(qtbot, make_panel):
    doc = digits_cnn(epochs=1, batch_size=64)
    torch.manual_seed(9)
    start = build_module(doc.graph).state_dict()
    from PySide6.QtGui import QUndoStack

    push(QUndoStack(), SetTrainable(doc, freeze_up_to(doc.graph, "pool")))
    panel = make_panel(doc)
    panel.set_start_weights(start, "start.pt")
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    run_to_end(qtbot, panel)
    after = panel.current_weights()
    assert after is not None
    assert torch.equal(after["conv1.weight"], start["conv1.weight"])
    assert not torch.equal(after["fc.weight"], start["fc.weight"])


def test_fine_tune_in_the_window_from_the_last_run(qtbot, make_window):
    """The course recipe by the menus: 5-class head, train on 0-4, Fine-tune from the
    Trained Weights, freeze up to pool2, train on 5-9: the convolutions stay as trained."""
    w = make_window("lenet5")
    settings = {**w.document.project.training, "epochs": 1}
    w.document.set_training({**settings, "dataset": "digits28_0to4"})
    assert w.transfer.replace_head(w.transfer.class_count()) is None
    panel = w.training.ensure_panel()
    run_to_end(qtbot, panel, 60_000)
    trained = panel.held_state()[0]
    dialog = w.transfer.fine_tune_from_held(show=False)
    assert dialog.report.summary() == "10 of 10 tensors loaded (10 by name)"
    w.canvas.freeze_up_to("pool2")
    w.document.set_training({**settings, "dataset": "digits28_5to9"})
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    assert panel.start_from[1] == "the last run, epoch 1 (10 of 10 tensors)"
    run_to_end(qtbot, panel, 60_000)
    tuned = panel.current_weights()
    assert torch.equal(tuned["conv2.weight"], trained["conv2.weight"])
    assert not torch.equal(tuned["fc3.weight"], trained["fc3.weight"])
