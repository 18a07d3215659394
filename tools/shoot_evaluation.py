"""Screenshots of the evaluation and embedding views after training LeNet-5 (run offscreen).

    python tools/shoot_evaluation.py OUTDIR [epochs] [--dark] [--presentation]

Writes OUTDIR/evaluation.png and OUTDIR/embedding_tsne.png (with a suffix for dark or
presentation mode), grabbed from the Inside dock of a real window.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from shooting import settle, start_app  # noqa: E402


def main(out: str, epochs: int = 3, dark: bool = False, presentation: bool = False) -> None:
    app, tmp = start_app(dark=dark)
    from netbuilder.ui.main_window import MainWindow
    from netbuilder.ui.theme import Theme

    Theme.set_presentation(presentation)
    w = MainWindow(persist=False, autosave=False)
    w.files.open_example("lenet5", ask=False)
    w.resize(1400, 900)
    w.show()
    w.show_insight()
    panel = w.insight.ensure_panel()
    evaluation, embedding = panel.views["evaluation"], panel.views["embedding"]
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
    w.resizeDocks([w.insight_dock], [560], Qt.Orientation.Vertical)
    suffix = ("_dark" if dark else "") + ("_presentation" if presentation else "")
    panel.tabs.setCurrentWidget(evaluation)
    settle(evaluation.refreshed)
    settle()
    panel.grab().save(os.path.join(out, f"evaluation{suffix}.png"))
    evaluation.normalised.setChecked(True)
    wrong = evaluation.evaluation.misclassified()
    if wrong:
        ev = evaluation.evaluation
        evaluation.set_filter(int(ev.targets[wrong[0]]), int(ev.predictions[wrong[0]]))
    settle()
    panel.grab().save(os.path.join(out, f"evaluation_normalised{suffix}.png"))
    panel.tabs.setCurrentWidget(embedding)
    settle(embedding.computed)
    embedding.set_node(("relu4",))      # the last hidden layer (the sample view picks conv1)
    settle(embedding.computed)
    panel.grab().save(os.path.join(out, f"embedding_pca{suffix}.png"))
    embedding.set_method("tsne")
    settle()
    panel.grab().save(os.path.join(out, f"embedding_busy{suffix}.png"))
    settle(embedding.computed)
    settle()
    panel.grab().save(os.path.join(out, f"embedding_tsne{suffix}.png"))
    tp.shutdown(10)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(args[0] if args else ".", int(args[1]) if len(args) > 1 else 3,
         dark="--dark" in sys.argv, presentation="--presentation" in sys.argv)
