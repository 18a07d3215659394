"""Run only by test_slot_exceptions.py (the name keeps pytest from collecting it): tests that
raise inside Qt, where Python's own `raise` never reaches the test function. Under the
project's pytest configuration the two raising tests must fail and the clean one pass."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit, QWidget


class Sender(QObject):
    fired = Signal()


def test_clean(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    w.show()


def test_slot_touches_a_deleted_widget(qtbot):
    # the shape of the inspector's set_locked crash: a slot reaching a deleted QLineEdit
    edit = QLineEdit()
    shiboken6.delete(edit)
    sender = Sender()
    sender.fired.connect(lambda: edit.setEnabled(False))
    sender.fired.emit()


class PaintRaises(QWidget):
    def paintEvent(self, event) -> None:
        raise ValueError("raised in a virtual: paintEvent")


def test_virtual_raises(qtbot):
    w = PaintRaises()
    qtbot.addWidget(w)
    w.resize(50, 50)
    w.show()
    qtbot.waitExposed(w)
    w.grab()          # renders the widget: paintEvent runs
