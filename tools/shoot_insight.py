"""Screenshots of the insight views for the README (run offscreen): python tools/shoot_insight.py OUTDIR"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shooting import settle, start_app  # noqa: E402


def main(out: str, example: str = "lenet5", epochs: int = 3) -> None:
    app, tmp = start_app()
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(persist=False, autosave=False)
    w.files.open_example(example, ask=False)
    w.resize(1400, 900)
    w.show()
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.sample_view
    tp = w.training.ensure_panel()
    while tp.checking:
        app.processEvents()
    tp.form.epochs.setValue(epochs)
    w.training.start()
    while not tp.running:
        app.processEvents()
    while tp.running:
        app.processEvents()
    w.show_insight()
    w.resizeDocks([w.insight_dock], [520], __import__("PySide6.QtCore").QtCore.Qt.Orientation.Vertical)
    settle(view.refreshed)
    view.show_sample(7)
    settle(view.refreshed)
    view._on_map_clicked(2)
    view._on_position(5, 9)
    settle()
    w.grab().save(os.path.join(out, f"sample_view_{example}.png"))
    view.saliency_box.setChecked(True)
    settle(view.refreshed)
    view.select_path(("conv2",))
    view.run_ascent()
    settle(view.ascent_shown)
    settle()
    panel.grab().save(os.path.join(out, f"sample_view_{example}_conv2.png"))
    for name, v in panel.views.items():
        if name != "sample":
            panel.tabs.setCurrentWidget(v)
            settle(ms=3000)
            panel.grab().save(os.path.join(out, f"insight_{name}_{example}.png"))
    tp.shutdown(10)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".", *(sys.argv[2:3] or ["lenet5"]))
