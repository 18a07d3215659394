"""Stop and pause, pressed in another thread, take effect within one batch."""

from __future__ import annotations

import queue
import threading
import time

from runtime_models import CountingModel, small_cnn

from netbuilder.runtime import (
    Paused,
    Resumed,
    Started,
    Step,
    Stopped,
    TrainingConfig,
    TrainingControl,
    train,
)

SAFETY_TIMEOUT_S = 60  # only guards against a hang; no test asserts a duration


class Worker:
    """Iterates the trainer in a thread, as the UI does, and hands events over a queue."""

    def __init__(self, model, dataset, control, **settings):
        self.events: queue.Queue = queue.Queue()
        config = TrainingConfig(device="cpu", **settings)

        def run():
            for event in train(model, dataset, config, control=control):
                self.events.put(event)
            self.events.put(None)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait_for(self, kind):
        while True:
            event = self.events.get(timeout=SAFETY_TIMEOUT_S)
            assert event is not None, f"the run ended before a {kind.__name__} event"
            if isinstance(event, kind):
                return event

    def finish(self):
        self.thread.join(timeout=SAFETY_TIMEOUT_S)
        assert not self.thread.is_alive()


def test_pause_holds_within_one_batch_resume_continues_stop_ends_within_one_batch(digits):
    model = CountingModel(small_cnn())
    control = TrainingControl()
    worker = Worker(model, digits, control, epochs=200, batch_size=16)
    worker.wait_for(Step)

    control.pause()
    calls_at_pause = model.training_calls
    paused = worker.wait_for(Paused)
    calls_when_paused = model.training_calls
    assert calls_when_paused - calls_at_pause <= 1
    assert paused.step == calls_when_paused  # every finished batch was counted, none started
    time.sleep(0.3)  # give a wrongly running loop the chance to take more batches
    assert model.training_calls == calls_when_paused

    control.resume()
    resumed = worker.wait_for(Resumed)
    assert resumed.step == paused.step
    deadline = time.monotonic() + SAFETY_TIMEOUT_S
    while model.training_calls <= calls_when_paused + 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert model.training_calls > calls_when_paused + 2

    control.stop()
    calls_at_stop = model.training_calls
    stopped = worker.wait_for(Stopped)
    assert model.training_calls - calls_at_stop <= 1
    assert stopped.step == model.training_calls
    assert worker.events.get(timeout=SAFETY_TIMEOUT_S) is None
    worker.finish()


def test_stop_while_paused_wakes_the_blocked_generator(digits):
    model = CountingModel(small_cnn())
    control = TrainingControl()
    worker = Worker(model, digits, control, epochs=200, batch_size=16)
    worker.wait_for(Step)
    control.pause()
    paused = worker.wait_for(Paused)
    control.stop()
    stopped = worker.wait_for(Stopped)
    assert stopped.step == paused.step == model.training_calls
    worker.finish()


def test_stop_before_the_first_batch_trains_nothing(digits):
    model = CountingModel(small_cnn())
    control = TrainingControl()
    control.stop()
    events = list(train(model, digits, TrainingConfig(epochs=3, device="cpu"), control=control))
    assert isinstance(events[0], Started) and isinstance(events[-1], Stopped)
    assert events[-1].step == 0 and model.training_calls == 0 and events[-1].history == ()


def test_control_flags():
    control = TrainingControl()
    assert not control.pause_requested and not control.stop_requested
    control.pause()
    assert control.pause_requested
    assert control.wait_while_paused(timeout=0.01) is False  # timed out while still paused
    control.resume()
    assert control.wait_while_paused() is True
    control.pause()
    threading.Timer(0.05, control.stop).start()
    assert control.wait_while_paused() is False  # woken by stop from another thread
    assert control.stop_requested and not control.pause_requested
