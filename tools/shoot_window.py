"""The README's first picture: the window as it opens on LeNet-5, conv1 selected (offscreen).

    python tools/shoot_window.py OUTDIR

Writes OUTDIR/lenet5.png: shapes on every wire, conv1's settings and its output-size formula
in the inspector, the Summary tab below, every menu (File ... Classroom, Help) in the bar.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def settle(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


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
    app = QApplication.instance() or QApplication(sys.argv)
    tmp = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
    os.environ["NETBUILDER_RECOVERY_DIR"] = tmp
    from netbuilder.ui.appearance import apply_base_font, apply_theme

    apply_theme(app, "light")
    apply_base_font(app)
    Path(out).mkdir(parents=True, exist_ok=True)
    print(shoot(Path(out)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
