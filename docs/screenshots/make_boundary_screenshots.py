"""Render the decision-boundary screenshots of the README offscreen (they really train):

    python docs/screenshots/make_boundary_screenshots.py [OUTDIR] [--theme dark] [--presenting]

boundary_moons.png: mlp_moons after its 30 epochs on the two moons. boundary_spirals_live.png
and boundary_spirals.png: a 2-16-16-1 Tanh MLP on the two spirals, while it trains (about
epoch 25) and after 150 epochs.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from netbuilder.graph.document import Document  # noqa: E402
from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project, project_from_dict  # noqa: E402
from netbuilder.ui.appearance import apply_base_font, apply_theme  # noqa: E402
from netbuilder.ui.insight.boundary_view import BoundaryView  # noqa: E402
from netbuilder.ui.insight.source import InsightSource  # noqa: E402
from netbuilder.ui.theme import Theme  # noqa: E402
from netbuilder.ui.training_host import TrainingHost  # noqa: E402

SPIRALS = [("input", "Input", {"shape": [2]}), ("hidden1", "Linear", {"out_features": 16}),
           ("tanh1", "Tanh", {}), ("hidden2", "Linear", {"out_features": 16}),
           ("tanh2", "Tanh", {}), ("out", "Linear", {"out_features": 1})]


def spirals_mlp() -> Document:
    return Document(project_from_dict({
        "format": "netbuilder", "version": 1, "name": "MLP on spirals",
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in SPIRALS],
        "edges": [{"source": a[0], "target": b[0]} for a, b in zip(SPIRALS, SPIRALS[1:], strict=False)],
        "training": {"dataset": "spirals", "loss": "bce_with_logits", "optimizer": "adam",
                     "lr": 0.01, "batch_size": 32, "epochs": 150, "seed": 0},
    }))


def pump(app: QApplication, condition, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def shoot(app: QApplication, doc: Document, epochs: int, final: Path,
          live: Path | None = None, live_epoch: int = 0) -> None:
    host = TrainingHost(doc)
    panel = host.ensure_panel()
    source = InsightSource(doc, host)
    view = BoundaryView(source)
    view.resize(1100, 720)
    view.show()
    pump(app, lambda: not panel.checking, 30)
    panel.form.epochs.setValue(epochs)
    panel.start()
    pump(app, lambda: panel.running, 30)
    if live is not None:
        pump(app, lambda: (view.live_epoch or 0) >= live_epoch or not panel.running, 300)
        view.grab().save(str(live))
    pump(app, lambda: not panel.running, 600)
    pump(app, lambda: view.context is not None and view.context is source.context()
         and view.live_epoch is None, 60)
    view.grab().save(str(final))
    print(final, view.redraws, "redraws,", view.live_redraws, "while training")
    panel.shutdown(10)
    view.deleteLater()
    host.deleteLater()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", type=Path, default=Path(__file__).parent)
    parser.add_argument("--theme", default="light")
    parser.add_argument("--presenting", action="store_true")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    apply_theme(app, args.theme)
    apply_base_font(app, args.presenting)
    Theme.set_presentation(args.presenting)
    suffix = ("_dark" if args.theme == "dark" else "") + ("_presenting" if args.presenting else "")
    out = args.outdir
    shoot(app, Document(load_project(example_path("mlp_moons"))), 30,
          out / f"boundary_moons{suffix}.png")
    shoot(app, spirals_mlp(), 150, out / f"boundary_spirals{suffix}.png",
          out / f"boundary_spirals_live{suffix}.png", 25)


if __name__ == "__main__":
    main()
