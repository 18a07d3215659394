"""Screenshots of the deep-network examples for the README (offscreen):

    python tools/shoot_deep_examples.py [OUTDIR]     (default docs/screenshots)

* ``init_demo.png``: the Histograms tab of init_demo, init_demo_small and init_demo_xavier,
  each after one epoch, side by side (the three starts of the same 10-layer tanh MLP);
* ``vanishing_gradients.png``: the window with the gradient-norm overlay after training
  vanishing_gradients, and the same for vanishing_gradients_fixed below it;
* ``vanishing_gradients_histograms.png``: the Histograms tab of vanishing_gradients showing
  log10 |gradient| of every layer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from shooting import settle, start_app  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"




def window(example: str, epochs: int):
    from netbuilder.ui.main_window import MainWindow

    app = QApplication.instance()
    w = MainWindow(persist=False, autosave=False)
    w.files.open_example(example, ask=False)
    w.resize(1400, 900)
    w.show()
    tp = w.training.ensure_panel()
    while tp.checking:
        app.processEvents()
    tp.form.epochs.setValue(epochs)
    return w, tp


def train(tp) -> None:
    app = QApplication.instance()
    tp.start()
    while not tp.running:
        app.processEvents()
    while tp.running:
        app.processEvents()


def histograms(example: str, size=(760, 760), gradients: bool = False) -> QImage:
    w, tp = window(example, 1)
    w.show_insight()
    panel = w.insight.ensure_panel()
    view = panel.views["histograms"]
    panel.tabs.setCurrentWidget(view)
    train(tp)
    settle(view.refreshed)
    if gradients:
        view.what.setCurrentIndex(view.what.findData("gradients"))
        view.which.setCurrentIndex(view.which.findData("all"))
    panel.resize(*size)
    panel.setParent(None)
    panel.resize(*size)
    panel.show()
    settle()
    image = panel.grab().toImage()
    tp.shutdown(10)
    w.hide()                  # closing would ask to save the changed epochs
    return image


def side_by_side(images: list[QImage], titles: list[str]) -> QImage:
    head = 44
    width = sum(i.width() for i in images) + 12 * (len(images) - 1)
    out = QImage(width, head + max(i.height() for i in images), QImage.Format.Format_RGB32)
    out.fill(QColor("white"))
    p = QPainter(out)
    font = QFont()
    font.setPointSizeF(15)
    font.setBold(True)
    p.setFont(font)
    x = 0
    for image, title in zip(images, titles, strict=True):
        p.drawText(x + 8, 0, image.width(), head, Qt.AlignmentFlag.AlignVCenter, title)
        p.drawImage(x, head, image)
        x += image.width() + 12
    p.end()
    return out


def overlay(example: str) -> QImage:
    w, tp = window(example, 3)
    w.stats_action.setChecked(True)
    train(tp)
    # The canvas and the inspector (whose description says what to look at), nothing else.
    for dock in (w.palette_dock, w.problems_dock, w.summary_dock, w.code_dock,
                 w.training_dock, w.insight_dock):
        dock.hide()
    settle(ms=500)
    w.fit_all()
    settle(ms=800)
    image = w.grab().toImage()
    tp.shutdown(10)
    w.hide()                  # closing would ask to save the changed epochs
    return image


def main(out: Path = OUT) -> None:
    app, tmp = start_app()

    out.mkdir(parents=True, exist_ok=True)
    names = ["init_demo", "init_demo_small", "init_demo_xavier"]
    titles = ["init_demo: normal, std 1.0", "init_demo_small: normal, std 0.01",
              "init_demo_xavier: Xavier (gain 5/3)"]
    side_by_side([histograms(n) for n in names], titles).save(str(out / "init_demo.png"))
    top, bottom = overlay("vanishing_gradients"), overlay("vanishing_gradients_fixed")
    both = QImage(top.width(), top.height() + bottom.height() + 8, QImage.Format.Format_RGB32)
    both.fill(QColor("white"))
    p = QPainter(both)
    p.drawImage(0, 0, top)
    p.drawImage(0, top.height() + 8, bottom)
    p.end()
    both.save(str(out / "vanishing_gradients.png"))
    histograms("vanishing_gradients", (1100, 740), gradients=True).save(
        str(out / "vanishing_gradients_histograms.png"))
    print("wrote", out / "init_demo.png", out / "vanishing_gradients.png",
          out / "vanishing_gradients_histograms.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
