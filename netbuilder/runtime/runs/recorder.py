"""Recording a training run into the history as the trainer's events go by.

``TrainingPlan.run`` wraps its events with a :class:`RunRecorder` when the plan has one
(``plan.recorder``), so the window and ``netbuilder train`` record the same way. The run is
begun before the first step (its folder is the trainer's checkpoint folder when the caller
gave none, so the best checkpoint is written straight into the history), each Epoch event is
one committed row, and the final event closes the run with its metrics, status and best
checkpoint. A history that cannot be written never stops training: the recorder says so
once (``problem``) and goes on without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from netbuilder.graph.project import fingerprint
from netbuilder.runtime.events import Epoch, Event, Failed, Finished, Started, Stopped
from netbuilder.runtime.runs.store import RunStore, RunStoreError, machine_info

_EPOCH_SKIP = ("progress",)


class RunRecorder:
    """Records one run of a plan into ``store`` (use one recorder per run)."""

    def __init__(self, store: RunStore, project_json: Mapping[str, Any], *,
                 name: str | None = None) -> None:
        self.store = store
        self.project_json = dict(project_json)
        self.name = name
        self.run_id: int | None = None
        self.problem: str | None = None     # why recording stopped, said once
        self._recorded: set[int] = set()

    def begin(self, plan: Any) -> int | None:
        """Record the run as started (settings, graph, fingerprint, machine); its id."""
        settings = plan.config.to_dict() if plan.config is not None else {}
        try:
            self.run_id = self.store.begin(settings, self.project_json, fingerprint(plan.graph),
                                           machine_info(), name=self.name)
        except RunStoreError as exc:
            self.problem = str(exc)
        return self.run_id

    def checkpoint_dir(self) -> Path | None:
        return self.store.run_folder(self.run_id) if self.run_id is not None else None

    def wrap(self, events: Iterator[Event]) -> Iterator[Event]:
        """Pass ``events`` through, recording them; a run cut short reads as interrupted."""
        closed = False
        try:
            for ev in events:
                if self.run_id is not None and self.problem is None:
                    closed = self._record(ev) or closed
                yield ev
        finally:
            if not closed and self.run_id is not None and self.problem is None:
                self._safely(self.store.finish, self.run_id, None, None, "interrupted",
                             "the run ended without a final result")

    def _record(self, ev: Event) -> bool:
        rid = self.run_id
        assert rid is not None
        if isinstance(ev, Started):
            self._safely(self.store.set_machine, rid, machine_info(ev.device_name))
            return False
        if isinstance(ev, Epoch):
            metrics = {k: v for k, v in ev.as_dict().items() if k not in _EPOCH_SKIP}
            self._safely(self.store.record_epoch, rid, ev.epoch, metrics)
            self._recorded.add(ev.epoch)
            return False
        if isinstance(ev, Finished | Stopped):
            for entry in ev.history:     # epochs of a resumed run that came before this one
                epoch = entry.get("epoch")
                if isinstance(epoch, int) and epoch not in self._recorded:
                    self._safely(self.store.record_epoch, rid, epoch, dict(entry))
                    self._recorded.add(epoch)
            best = ev.checkpoints.get("best")
            status = "finished" if isinstance(ev, Finished) else "stopped"
            self._safely(self.store.finish, rid, dict(ev.metrics), best, status, "")
            self._drop_last(ev.checkpoints.get("last"))
            return True
        if isinstance(ev, Failed):
            self._safely(self.store.finish, rid, None, None, "failed", ev.message)
            return True
        return False

    def _drop_last(self, last: str | None) -> None:
        """The trainer's ``last.pt`` in the run's own folder is only a working copy: the
        history keeps the best epoch (the caller's own files are left alone)."""
        folder = self.checkpoint_dir()
        if last and folder is not None and Path(last).parent == folder:
            try:
                os.unlink(last)
            except OSError:
                pass

    def _safely(self, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except RunStoreError as exc:
            self.problem = str(exc)
