"""Screenshots of the sample view after training the reconstruction and segmentation examples
(run offscreen): python tools/shoot_tasks.py OUTDIR

Opens each example in the window, trains it from the Training panel for a few epochs, and
grabs the window with the sample view showing input vs reconstruction (autoencoder_digits)
and input, true mask and predicted mask (unet_shapes).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from shooting import settle, start_app  # noqa: E402

# example: (file, epochs, validation sample shown, 0-based)
SHOTS = {"autoencoder_digits": ("sample_view_autoencoder.png", 30, 4),
         "unet_shapes": ("sample_view_unet_shapes.png", 20, 1)}




def shoot(app: QApplication, out: str, example: str) -> str:
    from netbuilder.ui.main_window import MainWindow

    name, epochs, sample = SHOTS[example]
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
    w.resizeDocks([w.insight_dock], [520], Qt.Orientation.Vertical)
    settle(view.refreshed)
    view.show_sample(sample)
    settle(view.refreshed)
    settle()
    path = os.path.join(out, name)
    w.grab().save(path)
    tp.shutdown(10)
    return path


def main(out: str) -> None:
    app, tmp = start_app()

    for example in SHOTS:
        print("wrote", shoot(app, out, example), flush=True)
    os._exit(0)      # the windows hold edited documents: skip the questions on closing


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
