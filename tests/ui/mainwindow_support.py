"""Helpers for the main-window tests: isolated settings, windows, and answering message boxes.

Import ``isolated_fixture`` and ``make_window_fixture`` into a test module to use the
fixtures ``isolated`` and ``make_window``. Every window test points QSettings and the recovery folder at a temporary directory, so no
test ever reads or writes the user's settings or recovery files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from netbuilder.ui.appearance import apply_base_font, apply_theme
from netbuilder.ui.main_window import MainWindow
from netbuilder.ui.recovery import ENV_DIR
from netbuilder.ui.settings import APPLICATION, ORGANISATION


@pytest.fixture(name="isolated")
def isolated_fixture(tmp_path: Path, monkeypatch, qapp) -> Path:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "recovery"))
    qapp.setOrganizationName(ORGANISATION)
    qapp.setApplicationName(APPLICATION)
    apply_theme(qapp, "light")
    apply_base_font(qapp)
    return tmp_path


class BoxAnswerer:
    """Click an answer on every message box that appears (as a user would), recording them.

    With several answers, each box gets the first one it has a button for.
    """

    def __init__(self, *answers: QMessageBox.StandardButton | str) -> None:
        self.answers = answers
        self.seen: list[dict[str, str]] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)

    def __enter__(self) -> BoxAnswerer:
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()

    def _poll(self) -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                self.seen.append({"title": w.windowTitle(), "text": w.text(),
                                  "info": w.informativeText(), "name": w.objectName(),
                                  "format": w.textFormat()})
                self._button(w).click()

    def _button(self, box: QMessageBox):
        for answer in self.answers:
            if isinstance(answer, QMessageBox.StandardButton):
                button = box.button(answer)
                if button is not None:
                    return button
            for b in box.buttons():
                if b.text().replace("&", "") == answer:
                    return b
        raise AssertionError(f"none of {self.answers!r} in {[b.text() for b in box.buttons()]}")

    @property
    def texts(self) -> str:
        return "\n".join(f"{s['title']}: {s['text']} {s['info']}" for s in self.seen)


@pytest.fixture(name="make_window")
def make_window_fixture(qtbot, isolated):
    """Windows as the app builds them; closed at the end, discarding any unsaved work."""
    made: list[MainWindow] = []

    def make(example: str | None = "lenet5", size: tuple[int, int] | None = (1400, 900),
             **kwargs) -> MainWindow:
        w = MainWindow(**kwargs)
        made.append(w)
        if example:
            w.files.open_example(example, ask=False)
        if size:
            w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()             # window shortcuts need the active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
        return w

    yield make
    from shiboken6 import isValid

    with BoxAnswerer(QMessageBox.StandardButton.Discard):
        for w in made:
            if isValid(w) and w.isVisible():
                w.close()
    for w in made:
        if isValid(w):
            w.deleteLater()
