"""Stop / pause / resume flags shared between the UI thread and the training generator."""

from __future__ import annotations

import threading


class TrainingControl:
    """Thread-safe flags the trainer checks before every batch.

    ``pause()`` makes the generator block (after yielding a Paused event) until ``resume()``
    or ``stop()``; ``stop()`` ends the run after the current batch, also while paused.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._stop = False
        self._pause = False
        self._snapshot = False

    def stop(self) -> None:
        with self._changed:
            self._stop = True
            self._changed.notify_all()

    def pause(self) -> None:
        with self._changed:
            self._pause = True
            self._changed.notify_all()

    def resume(self) -> None:
        with self._changed:
            self._pause = False
            self._changed.notify_all()

    def request_snapshot(self) -> None:
        """Ask for a copy of the weights: the trainer yields one WeightsSnapshot after the
        next batch (views that show the network while it learns call this a few times a
        second; nobody asking costs nothing)."""
        self._snapshot = True

    def take_snapshot_request(self) -> bool:
        """True once per request (the trainer's side)."""
        if self._snapshot:
            self._snapshot = False
            return True
        return False

    @property
    def stop_requested(self) -> bool:
        return self._stop

    @property
    def pause_requested(self) -> bool:
        return self._pause and not self._stop

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Block while paused. True: go on (resumed, or never paused); False: stop was
        requested, or ``timeout`` seconds passed while still paused."""
        with self._changed:
            self._changed.wait_for(lambda: not self._pause or self._stop, timeout=timeout)
            return not self._stop and not self._pause
