"""Screenshots of the insight views for the README (run offscreen): python tools/shoot_insight.py OUTDIR"""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(out: str, example: str = "lenet5", epochs: int = 3) -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    tmp = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
    os.environ["NETBUILDER_RECOVERY_DIR"] = tmp
    from netbuilder.ui.appearance import apply_base_font, apply_theme
    from netbuilder.ui.main_window import MainWindow

    apply_theme(app, "light")
    apply_base_font(app)
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

    def settle(signal=None, ms=300):
        from PySide6.QtCore import QEventLoop, QTimer
        loop = QEventLoop()
        if signal is not None:
            signal.connect(loop.quit)
        QTimer.singleShot(ms if signal is None else 20000, loop.quit)
        loop.exec()

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
