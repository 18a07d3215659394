"""Screenshot of backprop step by step on ``mlp_moons`` (run offscreen).

    python tools/shoot_backprop.py OUTDIR [--phase backward] [--dark]

Writes OUTDIR/backprop_moons.png: the whole window, the canvas with every card's output
(blue) and gradient (vermillion) for the first sample, and the Backprop tab below it.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from shooting import settle, start_app  # noqa: E402


def main(out: str, phase: str = "backward", dark: bool = False) -> None:
    app, tmp = start_app(dark=dark)
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(persist=False, autosave=False)
    w.files.open_example("mlp_moons", ask=False)
    w.resize(1600, 1000)
    w.show()
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.views["backprop"]
    tp = w.training.ensure_panel()
    while tp.checking:
        app.processEvents()
    panel.tabs.setCurrentWidget(view)
    w.resizeDocks([w.insight_dock], [430], Qt.Orientation.Vertical)
    while view.phase != phase:
        view.next()
    settle()
    w.show_network()
    settle()
    suffix = "_dark" if dark else ""
    w.grab().save(os.path.join(out, f"backprop_moons{suffix}.png"))
    w.canvas.grab().save(os.path.join(out, f"backprop_canvas{suffix}.png"))
    panel.grab().save(os.path.join(out, f"backprop_tab{suffix}.png"))
    w.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    phase = args[args.index("--phase") + 1] if "--phase" in args else "backward"
    main(args[0] if args else ".", phase, "--dark" in args)
