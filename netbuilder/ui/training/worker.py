"""Where training and its checks run: worker objects moved to their own QThreads.

``TrainingRun`` iterates a plan's event generator on a QThread and hands the GUI *batches*
of plain events, at most ``FLUSH_HZ`` times a second (a queued signal per step would back the
GUI's queue up). Rare events (start, pause, the end) go out at once. ``PlanChecker`` runs
``plan_training`` off the GUI thread, because reading a dataset can take seconds; it keeps
the last few datasets it read so a second check of the same data is instant.

A QThread destroyed while it runs aborts the process, so every live thread is also held in
``_LIVE`` until it has finished, whatever happens to the widget that started it.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from netbuilder.graph.model import Graph
from netbuilder.runtime.events import Failed, Finished, Paused, Resumed, Started, Stopped

FLUSH_HZ = 30
URGENT = (Started, Paused, Resumed, Finished, Stopped, Failed)
_LIVE: set[Any] = set()


@atexit.register
def _stop_live_threads() -> None:
    """At interpreter exit (a window never closed, a test that forgot ``shutdown``): stop and
    join what still runs, so no QThread is destroyed while running (Qt would abort)."""
    for item in list(_LIVE):
        if isinstance(item, TrainingRun):
            item.stop()
            item.thread.wait(5000)
        elif isinstance(item, CheckerThread):
            item.thread.quit()
            item.thread.wait(5000)
    _LIVE.clear()


def snapshot(graph: Graph) -> Graph:
    """A frozen copy to train on: nodes, wires and block definitions, so no edit (even
    inside a block) can race the run."""
    return graph.copy(deep_blocks=True)


class TrainingWorker(QObject):
    """Iterates ``plan.run(...)`` in its thread; emits lists of events, then ``done``."""

    events = Signal(object)   # list of runtime events
    done = Signal()

    def __init__(self, plan: Any, control: Any, checkpoint_dir: str | None,
                 flush_hz: float = FLUSH_HZ, resume: str | None = None) -> None:
        super().__init__()
        self.plan, self.control, self.checkpoint_dir = plan, control, checkpoint_dir
        self.resume = resume          # a checkpoint file to continue from (None: fresh weights)
        self.interval = 1.0 / flush_hz
        self.batches = 0

    @Slot()
    def run(self) -> None:
        pending: list[Any] = []
        last = 0.0
        try:
            for event in self.plan.run(self.control, resume=self.resume,
                                       checkpoint_dir=self.checkpoint_dir):
                pending.append(event)
                now = time.monotonic()
                if isinstance(event, URGENT) or now - last >= self.interval:
                    self._emit(pending)
                    pending, last = [], now
        except Exception as exc:  # noqa: BLE001 - the app must never crash for a run
            text = str(exc).strip().splitlines()
            pending.append(Failed(message=f"{type(exc).__name__}: {text[0] if text else ''}",
                                  kind="error"))
        finally:
            if pending:
                self._emit(pending)
            self.done.emit()

    def _emit(self, batch: list[Any]) -> None:
        self.batches += 1
        self.events.emit(batch)


class TrainingRun(QObject):
    """One run on its own thread (from fresh weights, or continuing the checkpoint file
    ``resume``). ``events(list)`` and ``finished()`` arrive in the GUI thread."""

    events = Signal(object)
    finished = Signal()

    def __init__(self, plan: Any, control: Any, checkpoint_dir: str | None,
                 parent: QObject | None = None, *, resume: str | None = None) -> None:
        super().__init__(parent)
        self.control = control
        self.thread = QThread()
        self.thread.setObjectName("netbuilder-training")
        self.worker = TrainingWorker(plan, control, checkpoint_dir, resume=resume)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.events.connect(self.events, Qt.ConnectionType.QueuedConnection)
        # direct: quit() is thread-safe, and join() blocks the GUI thread while it waits
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self.thread.finished.connect(self._on_thread_finished, Qt.ConnectionType.QueuedConnection)
        self._over = False

    def start(self) -> None:
        _LIVE.add(self)
        self.thread.start()

    def stop(self) -> None:
        self.control.stop()

    def join(self, timeout_s: float) -> bool:
        """Wait for the thread to end; True if it did within ``timeout_s``."""
        if self._over:
            return True
        ended = self.thread.wait(max(0, int(timeout_s * 1000)))
        if ended:
            self._on_thread_finished()
        return ended

    @Slot()
    def _on_thread_finished(self) -> None:
        if self._over:
            return
        self._over = True
        _LIVE.discard(self)
        self.finished.emit()


def dataset_key(settings: dict[str, Any]) -> str:
    """Identifies the data a check read: name or path (with its modification time), options."""
    name = str(settings.get("dataset", "digits"))
    try:
        stamp = os.stat(Path(name).expanduser()).st_mtime_ns
    except (OSError, ValueError):
        stamp = 0
    options = settings.get("dataset_options") or {}
    return json.dumps([name, stamp, options], sort_keys=True, default=str)


class PlanChecker(QObject):
    """Runs ``plan_training`` for ``(token, graph, settings)`` requests; answers ``checked``."""

    checked = Signal(object)   # (token, plan or None, error text or None)
    KEEP = 3

    def __init__(self) -> None:
        super().__init__()
        self._datasets: OrderedDict[str, Any] = OrderedDict()

    @Slot(object)
    def check(self, request: tuple[int, Graph, dict[str, Any]]) -> None:
        token, graph, settings = request
        try:
            from netbuilder.runtime.session import plan_training

            key = dataset_key(settings)
            plan = plan_training(graph, settings, dataset=self._datasets.get(key))
            if plan.dataset is not None:
                self._datasets[key] = plan.dataset
                self._datasets.move_to_end(key)
                while len(self._datasets) > self.KEEP:
                    self._datasets.popitem(last=False)
            self.checked.emit((token, plan, None))
        except Exception as exc:  # noqa: BLE001 - a check never takes the app down
            self.checked.emit((token, None, f"{type(exc).__name__}: {exc}"))


class CheckerThread(QObject):
    """The long-lived thread checks run on; ``request`` is thread-safe (a queued signal)."""

    submit = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("netbuilder-training-check")
        self.checker = PlanChecker()
        self.checker.moveToThread(self.thread)
        self.submit.connect(self.checker.check, Qt.ConnectionType.QueuedConnection)
        self.checked = self.checker.checked
        _LIVE.add(self)
        self.thread.start()

    def request(self, token: int, graph: Graph, settings: dict[str, Any]) -> None:
        self.submit.emit((token, graph, settings))

    def close(self, timeout_s: float = 5.0) -> bool:
        self.thread.quit()
        ended = self.thread.wait(max(0, int(timeout_s * 1000)))
        if ended:
            _LIVE.discard(self)
        return ended
