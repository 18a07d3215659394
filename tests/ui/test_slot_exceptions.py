"""An exception raised inside a Qt slot or virtual (a paintEvent, a slot reaching a deleted
widget) fails the UI test it happens in: pytest-qt captures it through sys.excepthook. Qt
itself only prints such a traceback and goes on, so without this a test passes while the
app sprays tracebacks on stderr (issue 13: set_locked on a deleted QLineEdit)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("slot_exception_probe.py")


def test_exception_capture_is_on_for_the_ui_tests(request):
    assert not request.config.getini("qt_no_exception_capture")
    assert request.config.pluginmanager.hasplugin("pytest-qt")


def test_an_exception_in_a_slot_or_a_virtual_fails_the_test():
    """The probe runs under this project's own pytest configuration and conftests."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-q",
         "-rf", str(PROBE.relative_to(ROOT))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "2 failed, 1 passed" in out, out
    assert "FAILED tests/ui/slot_exception_probe.py::test_slot_touches_a_deleted_widget" in out
    assert "FAILED tests/ui/slot_exception_probe.py::test_virtual_raises" in out
    assert "already deleted" in out and "raised in a virtual: paintEvent" in out
    assert "Exceptions caught in Qt event loop" in out
