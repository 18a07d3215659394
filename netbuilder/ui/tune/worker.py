"""The thread a search runs on: ``SearchRun`` iterates ``runtime.tune.search`` on a QThread
and hands the GUI batches of its plain events (at most ``FLUSH_HZ`` a second; the start and
end of trials and of the search go out at once), as the Training panel's worker does."""

from __future__ import annotations

import atexit
import time
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from netbuilder.runtime.tune.search import SearchEnded, SearchStarted, TrialEnded, search

FLUSH_HZ = 20
URGENT = (SearchStarted, TrialEnded, SearchEnded)
_LIVE: set[SearchRun] = set()


@atexit.register
def _stop_live() -> None:
    for run in list(_LIVE):
        run.stop()
        run.thread.wait(10_000)
    _LIVE.clear()


class _Worker(QObject):
    events = Signal(object)      # list of search events
    failed = Signal(str)
    done = Signal()

    def __init__(self, kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.kwargs = kwargs

    @Slot()
    def run(self) -> None:
        pending: list[Any] = []
        last = 0.0
        try:
            for ev in search(**self.kwargs):
                pending.append(ev)
                now = time.monotonic()
                if isinstance(ev, URGENT) or now - last >= 1.0 / FLUSH_HZ:
                    self.events.emit(pending)
                    pending, last = [], now
        except Exception as exc:  # noqa: BLE001 - a search never takes the window down
            text = str(exc).strip()
            self.failed.emit(text if text else type(exc).__name__)
        finally:
            if pending:
                self.events.emit(pending)
            self.done.emit()


class SearchRun(QObject):
    """One search on its own thread; ``events(list)``, ``failed(str)`` and ``finished()``
    arrive in the GUI thread. ``kwargs`` are ``search()``'s (``control`` included)."""

    events = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, kwargs: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = kwargs.get("control")
        self.thread = QThread()
        self.thread.setObjectName("netbuilder-tune")
        self.worker = _Worker(kwargs)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.events.connect(self.events, Qt.ConnectionType.QueuedConnection)
        self.worker.failed.connect(self.failed, Qt.ConnectionType.QueuedConnection)
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._over = False

    def start(self) -> None:
        _LIVE.add(self)
        self.thread.start()

    def stop(self) -> None:
        if self.control is not None:
            self.control.stop()

    @property
    def over(self) -> bool:
        return self._over

    def join(self, timeout_s: float) -> bool:
        if self._over:
            return True
        ended = self.thread.wait(max(0, int(timeout_s * 1000)))
        if ended:
            self._on_finished()
        return ended

    @Slot()
    def _on_finished(self) -> None:
        if self._over:
            return
        self._over = True
        _LIVE.discard(self)
        self.finished.emit()
