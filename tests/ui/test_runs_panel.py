"""The Runs panel in the window: mlp_digits trained with and without dropout, compared.

Real window, real training on the shipped digits, a real SQLite history beside the saved
project. Short runs on a small training part (80 % held out) so the plain network visibly
over-fits within seconds.
"""

from __future__ import annotations

import csv
import io
import json

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtGui import QImage

from netbuilder.graph.examples import example_path
from netbuilder.graph.project import fingerprint
from netbuilder.ui.commands import AddNode, Connect, Disconnect, push


def _project(tmp_path):
    data = json.loads(example_path("mlp_digits").read_text())
    data["training"].update(val_fraction=0.8, lr=0.01, epochs=25, device="cpu", cpu_threads=1)
    data["nodes"][2]["params"]["out_features"] = 256
    path = tmp_path / "digits.json"
    path.write_text(json.dumps(data))
    return path


def _train(qtbot, w):
    panel = w.training.ensure_panel()
    qtbot.waitUntil(lambda: not panel.checking and panel.plan is not None, timeout=30_000)
    assert w.training.start() is None
    qtbot.waitUntil(lambda: panel.running, timeout=5_000)
    qtbot.waitUntil(lambda: not panel.running, timeout=90_000)
    return panel


def test_two_runs_with_and_without_dropout_are_overlaid_with_the_diff_and_the_verdict(
        qtbot, make_window, tmp_path):
    w = make_window(example=None)
    assert w.files.open_path(_project(tmp_path), ask=False)
    plain_graph = w.document.graph.copy()
    _train(qtbot, w)
    # the student adds Dropout after relu1 (three undoable steps, as on the canvas)
    doc, stack = w.document, w.undo_stack
    assert push(stack, AddNode(doc, "Dropout", (900, 0), after="relu1", params={"p": 0.5})) is None
    wire = next(e for e in doc.graph.edges if (e.source, e.target) == ("relu1", "hidden2"))
    assert push(stack, Disconnect(doc, [wire])) is None
    assert push(stack, Connect(doc, "dropout", "hidden2")) is None
    _train(qtbot, w)

    w.show_runs()
    panel = w.runs.panel
    qtbot.waitUntil(lambda: len(panel.runs) == 2, timeout=5_000)
    newer, older = panel.runs
    assert older.graph["nodes"] != newer.graph["nodes"]
    assert [panel.table.item(i, 0).text() for i in range(2)] == ["run 2", "run 1"]
    assert panel.table.item(1, 5).text() == "over-fits"          # the plain network
    panel.select_runs([older.id, newer.id])
    # both runs overlaid in the plots, each named in the legend, the gap shaded
    assert panel.plots.run_names == ["run 1", "run 2"]
    legend = [label.text for _sample, label in panel.plots.legend.items]
    assert "run 1" in legend and "run 2" in legend
    text = panel.comparison.toPlainText()
    assert "added Dropout 'dropout' after 'relu1'" in text
    assert "run 1: validation loss rose after epoch" in text and "over-fits" in text
    assert "run 2: " in text
    # the exports: a picture of the curves and a tidy table
    assert panel.export_png(tmp_path / "cmp.png") is None
    assert not QImage(str(tmp_path / "cmp.png")).isNull()
    assert panel.export_csv(tmp_path / "cmp.csv") is None
    rows = list(csv.DictReader(io.StringIO((tmp_path / "cmp.csv").read_text())))
    assert len(rows) == 50 and {r["run"] for r in rows} == {"run 1", "run 2"}
    assert rows[0]["verdict"] in ("overfits", "underfits", "fits")

    # the two averaged on the validation set, against each alone
    assert panel.run_ensemble() is None
    assert panel.message.text().startswith("ensemble of 2 runs: validation accuracy")
    assert "run 1: " in panel.message.text() and "run 2: " in panel.message.text()

    # Open run 1: the network without dropout and its best weights; one undo step back
    panel.select_runs([older.id])
    assert panel.open_run(older.id) is None
    assert "dropout" not in w.document.graph.nodes
    assert fingerprint(w.document.graph) == fingerprint(plain_graph)
    held = w.training.panel.held_weights
    assert held is not None and held.fingerprint == fingerprint(plain_graph)
    assert held.epoch == older.final_metrics["best_epoch"]
    assert w.undo_stack.undoText() == "Open run 'run 1'"
    w.undo_stack.undo()
    assert "dropout" in w.document.graph.nodes

    # rename and delete
    assert panel.rename_run(newer.id, "with dropout") is None
    assert panel.table.item(0, 0).text() == "with dropout"
    assert panel.delete_runs([older.id]) is None
    assert [r.name for r in panel.runs] == ["with dropout"]
    assert not older.best_checkpoint.exists()
