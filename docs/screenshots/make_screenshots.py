"""Render the README screenshots offscreen:

    python docs/screenshots/make_screenshots.py [OUTDIR] [--only NAME.png ...]

LeNet-5 and ResNet-18 in light and dark at 1400x900, ResNet-18 built from blocks, and
presentation mode at 1024x768 after LeNet-5 has trained on the shipped digits (its live
plots; this one takes a minute: it really trains). ``--only`` renders just the named images.
Settings go to a temporary folder; nothing of the user's is read or written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from netbuilder.ui.app import create_application, settle  # noqa: E402
from netbuilder.ui.appearance import apply_theme  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402

SHOTS = [  # file, example, theme, size, presentation, selected node, raised tab
    ("lenet5.png", "lenet5", "light", (1400, 900), False, "conv1", "summary"),
    ("lenet5_dark.png", "lenet5", "dark", (1400, 900), False, "conv1", "summary"),
    ("resnet18.png", "resnet18_flat", "light", (1400, 900), False, "conv1", "code"),
    ("resnet18_dark.png", "resnet18_flat", "dark", (1400, 900), False, None, "problems"),
    ("resnet18_blocks.png", "resnet18", "light", (1400, 900), False, "layer1", "summary"),
    ("presentation_1024x768.png", "lenet5", "light", (1024, 768), True, None, "train"),
    # issue 13's look-again shots: a block's inside in a student's words, ResNet-18 presented
    # at 1024x768, the training panel after Stop (its buttons where they were)
    ("inception_block.png", "googlenet", "light", (1400, 900), False, "open:inception3a", "summary"),
    ("presentation_resnet18_1024x768.png", "resnet18", "light", (1024, 768), True, None, None),
    ("training_stopped.png", "lenet5", "light", (1400, 900), False, None, "stop"),
    # issue 15: the transformer that sees order, its positional encoding's class in the code
    ("transformer_waveforms.png", "transformer_waveforms", "light", (1400, 900), False,
     "position", "code"),
    ("maxout_mlp.png", "maxout_mlp", "light", (1400, 900), False, "maxout1", "summary"),
]


def shoot(out: Path, name: str, example: str, theme: str, size, presentation: bool,
          select: str | None, tab: str | None) -> Path:
    app = create_application(theme=theme)
    apply_theme(app, theme)
    w = MainWindow(persist=False, autosave=False)
    w.files.open_example(example, ask=False)
    w.resize(*size)
    w.show()
    settle(app)
    if tab == "train":
        w.start_training()
        panel = w.training.panel
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not panel.status.text().startswith(
                ("Finished", "Stopped", "Training failed", "Cannot start")):
            app.processEvents()
            time.sleep(0.02)
    elif tab == "stop":                  # stopped by the user in its second epoch
        w.start_training()
        panel = w.training.panel
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and "epoch 2" not in panel.status.text().lower():
            app.processEvents()
            time.sleep(0.02)
        panel.stop()
        while time.monotonic() < deadline and not panel.status.text().startswith(
                ("Finished", "Stopped", "Training failed")):
            app.processEvents()
            time.sleep(0.02)
    elif tab:
        getattr(w, f"{tab}_dock").raise_()
    if presentation:
        w.set_presentation(True)
    settle(app)
    w.show_network()
    if select and select.startswith("open:"):
        w.canvas.open_block(select.removeprefix("open:"))
        settle(app)
        w.canvas.fit_all()
    elif select and select in w.document.graph.nodes:
        w.canvas.select_node(select, center=False)
    if tab == "code":                      # show the class, not the header comment
        w.code_view.regenerate()
        editor = w.code_view.editor
        if editor.find("class "):
            line = editor.textCursor().blockNumber()
            cursor = editor.textCursor()
            cursor.clearSelection()
            editor.setTextCursor(cursor)
            editor.verticalScrollBar().setValue(line - 1)
    settle(app)
    path = out / name
    image = w.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    image.save(str(path), "PNG", 0)
    if presentation:
        w.set_presentation(False)
    w.close()
    w.deleteLater()
    settle(app)
    return path


def main() -> int:
    args = sys.argv[1:]
    only = set(args[args.index("--only") + 1:]) if "--only" in args else set()
    args = args[:args.index("--only")] if "--only" in args else args
    out = Path(args[0]) if args else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    unknown = only - {shot[0] for shot in SHOTS}
    if unknown:
        print(f"no such screenshot: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        for shot in SHOTS:
            if only and shot[0] not in only:
                continue
            path = shoot(out, *shot)
            print(f"{path} {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
