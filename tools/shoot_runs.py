"""Screenshot of the Runs panel: mlp_digits trained with and without dropout, compared.

    python tools/shoot_runs.py OUTDIR

Writes OUTDIR/runs_panel.png (the window with the Runs tab: both runs listed with their
verdicts, overlaid in the plots with the gap shaded, the settings and network that differ)
and OUTDIR/training_gap.png (the Training tab after the plain run: the gap shaded and the
best validation epoch marked).
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from shooting import settle, start_app  # noqa: E402


def train(w) -> None:
    panel = w.training.ensure_panel()
    while panel.checking or panel.plan is None:
        settle(100)
    assert w.training.start() is None
    while not panel.running:
        settle(50)
    while panel.running:
        settle(100)
    settle(300)


def main(out: str) -> None:
    app, tmp = start_app()
    from netbuilder.graph.examples import example_path
    from netbuilder.ui.commands import AddNode, Connect, Disconnect, push
    from netbuilder.ui.main_window import MainWindow

    data = json.loads(example_path("mlp_digits").read_text())
    data["training"].update(val_fraction=0.8, lr=0.01, epochs=25, device="cpu")
    data["nodes"][2]["params"]["out_features"] = 256
    project = tmp / "digits.json"
    project.write_text(json.dumps(data))
    w = MainWindow(persist=False, autosave=False)
    w.files.open_path(project, ask=False)
    w.resize(1600, 1000)
    w.show()
    train(w)
    w.training_dock.show()
    w.training_dock.raise_()
    settle(300)
    w.resizeDocks([w.training_dock], [560], Qt.Orientation.Vertical)
    settle(600)
    w.training.panel.plots.grab().save(os.path.join(out, "training_gap.png"))
    doc, stack = w.document, w.undo_stack
    push(stack, AddNode(doc, "Dropout", (1040, 0), after="relu1", params={"p": 0.5}))
    wire = next(e for e in doc.graph.edges if (e.source, e.target) == ("relu1", "hidden2"))
    push(stack, Disconnect(doc, [wire]))
    push(stack, Connect(doc, "dropout", "hidden2"))
    train(w)
    panel = w.runs.panel or w.runs.ensure_panel()
    w.show_runs()
    panel.refresh()
    panel.rename_run(1, "plain")
    panel.rename_run(2, "dropout 0.5")
    panel.select_runs([1, 2])
    w.resizeDocks([w.runs_dock], [560], Qt.Orientation.Vertical)
    w.show_network()
    settle(600)
    w.grab().save(os.path.join(out, "runs_panel.png"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
