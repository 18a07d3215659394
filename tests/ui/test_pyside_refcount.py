"""PySide6 6.12.0 on Python 3.11 drops a reference to ``True`` on every Signal.emit() until
Python aborts ("Fatal Python error: bool_dealloc"); a live plot alone triggers it within
minutes. pyproject pins PySide6 below 6.12; this test fails loudly if a leaking build returns.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

EMITS = 10_000


class _Emitter(QObject):
    plain = Signal()
    flag = Signal(bool)
    payload = Signal(object)


def test_emitting_signals_does_not_leak_references_to_true(qapp):
    emitter = _Emitter()
    received = [0]

    def count(*_args) -> None:               # keeps no reference to what it receives
        received[0] += 1

    emitter.plain.connect(count)
    emitter.flag.connect(count)
    emitter.payload.connect(count)
    payload = {"step": 1, "loss": 0.5}
    for _ in range(100):                       # warm up caches before measuring
        emitter.plain.emit()
        emitter.flag.emit(True)
        emitter.payload.emit(payload)

    before = sys.getrefcount(True)
    for _ in range(EMITS):
        emitter.plain.emit()
        emitter.flag.emit(True)
        emitter.payload.emit(payload)
    after = sys.getrefcount(True)

    assert received[0] == 3 * (EMITS + 100)
    assert after >= before, (
        f"sys.getrefcount(True) fell from {before} to {after} over {EMITS} emits: this PySide6 "
        "build leaks bool references and will abort Python 3.11 (keep PySide6 < 6.12)")
