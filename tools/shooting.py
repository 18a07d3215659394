"""What every screenshot script in tools/ shares (run them as ``python tools/shoot_X.py``).

``start_app()`` makes the offscreen application with settings and a recovery folder of its
own (a screenshot never reads or writes the user's), the light (or dark) theme and the base
font; ``settle()`` lets the window draw, or waits for a signal (a view refreshed, a run
ended) with a time limit.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def start_app(dark: bool = False) -> tuple[QApplication, Path]:
    """The application, and the scratch folder its settings and recovery files go to."""
    app = QApplication.instance() or QApplication(sys.argv)
    tmp = tempfile.mkdtemp()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
    os.environ["NETBUILDER_RECOVERY_DIR"] = tmp
    from netbuilder.ui.appearance import apply_base_font, apply_theme

    apply_theme(app, "dark" if dark else "light")
    apply_base_font(app)
    return app, Path(tmp)


def settle(signal=None, ms: int = 300, timeout_ms: int = 120_000) -> None:
    """Run the event loop ``ms`` milliseconds, or until ``signal`` fires (at most
    ``timeout_ms``); ``settle(600)`` is ``settle(ms=600)``."""
    if isinstance(signal, int):
        signal, ms = None, signal
    loop = QEventLoop()
    if signal is not None:
        signal.connect(loop.quit)
    QTimer.singleShot(ms if signal is None else timeout_ms, loop.quit)
    loop.exec()
