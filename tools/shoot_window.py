"""The README's first picture: the window as it opens on LeNet-5, conv1 selected (offscreen).

    python tools/shoot_window.py OUTDIR

Writes OUTDIR/lenet5.png: shapes on every wire, conv1's settings and its output-size formula
in the inspector, the Summary tab below, every menu (File ... Classroom, Help) in the bar.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shooting import settle, start_app  # noqa: E402


def shoot(out: Path) -> Path:
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(persist=False, autosave=False)
    w.resize(1400, 900)
    w.show()
    w.files.open_example("lenet5", ask=False)
    settle()
    w.show_network()
    w.summary_dock.raise_()
    w.canvas.select_node("conv1", center=False)
    settle()
    path = out / "lenet5.png"
    w.grab().save(str(path))
    w.undo_stack.setClean()
    w.close()
    return path


def main(out: str) -> None:
    app, tmp = start_app()

    Path(out).mkdir(parents=True, exist_ok=True)
    print(shoot(Path(out)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
