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
