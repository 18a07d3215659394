"""Work off the GUI thread for the insight views: one job at a time per view, latest wins.

``Background.submit(key, fn)`` runs ``fn()`` on a worker thread and delivers
``done(key, result)`` or ``failed(key, message)`` in the GUI thread. A view that submits a
new job of the same key while one runs gets only the newest result for that key (older
ones are dropped), so a student clicking quickly never sees an old picture arrive last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    finished = Signal(int, object, object, str)    # serial, key, result, error


class _Job(QRunnable):
    def __init__(self, relay: _Relay, serial: int, key: Any, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.relay, self.serial, self.key, self.fn = relay, serial, key, fn

    def run(self) -> None:
        try:
            result, error = self.fn(), ""
        except Exception as exc:  # noqa: BLE001 - reported to the view as words, never lost
            result, error = None, f"{type(exc).__name__}: {exc}"
        try:
            self.relay.finished.emit(self.serial, self.key, result, error)
        except RuntimeError:      # the view went away while the job ran
            pass


class Background(QObject):
    done = Signal(object, object)
    failed = Signal(object, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._on_finished)
        self._serial = 0
        self._latest: dict[Any, int] = {}     # key -> serial of the newest job for it
        self._pending = 0

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, key: Any, fn: Callable[[], Any]) -> None:
        self._serial += 1
        self._latest[key] = self._serial
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Job(self._relay, self._serial, key, fn))

    def wait(self, ms: int = 30000) -> bool:
        return self._pool.waitForDone(ms)

    def _on_finished(self, serial: int, key: Any, result: Any, error: str) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        if serial != self._latest.get(key):
            return                      # a newer job of this kind was asked for: this is old
        if error:
            self.failed.emit(key, error)
        else:
            self.done.emit(key, result)
