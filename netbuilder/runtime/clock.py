"""Wall time of a run without its pauses: when a Step event is due, samples/s and ETA."""

from __future__ import annotations

import math
import time


class RunClock:
    """Throttles Step events to one per ``interval_s`` and measures rates between them."""

    def __init__(self, first_step: int, total_steps: int, interval_s: float) -> None:
        self.first_step = first_step
        self.total_steps = total_steps
        self.interval_s = interval_s
        self.run_start = time.perf_counter()
        self.paused_total = 0.0
        self.last_emit = -math.inf
        self.interval_start = self.epoch_start = self.run_start
        self.epoch_paused = 0.0
        self._pause_start = 0.0

    def start_epoch(self) -> None:
        self.epoch_start = self.interval_start = time.perf_counter()
        self.epoch_paused = 0.0

    def step_event_due(self) -> bool:
        return time.perf_counter() - self.last_emit >= self.interval_s

    def emitted(self, samples: int, step: int) -> tuple[float, float]:
        """Samples/s since the previous event and the ETA in seconds; restarts the interval."""
        now = time.perf_counter()
        rate = samples / max(now - self.interval_start, 1e-9)
        active = now - self.run_start - self.paused_total
        eta = active / max(step - self.first_step, 1) * (self.total_steps - step)
        self.last_emit = self.interval_start = now
        return rate, eta

    def pause(self) -> None:
        self._pause_start = time.perf_counter()

    def resume(self) -> None:
        paused = time.perf_counter() - self._pause_start
        self.paused_total += paused
        self.epoch_paused += paused
        self.interval_start = time.perf_counter()

    def epoch_time(self) -> float:
        """Seconds since the epoch started, pauses excluded."""
        return time.perf_counter() - self.epoch_start - self.epoch_paused
