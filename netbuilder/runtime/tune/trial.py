"""One trial of a search: the project with the trial's values applied, trained as
``netbuilder train`` trains it (``plan_training`` and the trainer), scored per epoch.

:func:`trial_run` is a generator: it yields a :class:`TrialEpoch` after every epoch and
takes back (``send``) whether to end the trial there (pruned, or out of time); its return
value is the :class:`TrialResult`. The same generator runs in the search's own process
(``--jobs 1``, the window) and in worker processes (``--jobs N``).

With ``history`` (the project file's path) the trial is recorded in the project's run
history the way every run is (``TrainingPlan.recorder``, runtime/runs), named after its
values, from the process that trains it (the store takes several writers at once). A pruned
trial ends through the trainer's own stop, so its run reads "stopped", renamed "(pruned)".
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Generator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from netbuilder.graph.errors import NetbuilderError
from netbuilder.graph.project import Project
from netbuilder.runtime.errors import NetbuilderRuntimeError
from netbuilder.runtime.tune.apply import applied

COMPLETE, PRUNED, FAILED, STOPPED = "complete", "pruned", "failed", "stopped"


@dataclass(frozen=True)
class TrialEpoch:
    """A trial's epoch ended: its validation figures and the search's score for it."""

    number: int
    epoch: int
    value: float | None
    val_loss: float | None
    val_acc: float | None
    train_loss: float | None


@dataclass(frozen=True)
class TrialResult:
    """How a trial ended. ``value`` is the objective at its best epoch (None if none ran);
    ``val_loss``/``val_acc`` are that epoch's. ``state``: complete, pruned (stopped early as
    poorer than the median), failed (``message`` says why) or stopped (by the user or the
    time limit)."""

    number: int
    values: dict[str, Any]
    state: str
    value: float | None = None
    val_loss: float | None = None
    val_acc: float | None = None
    epochs: int = 0
    best_epoch: int | None = None
    duration_s: float = 0.0
    message: str = ""
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    run_id: int | None = None       # its run in the project's history, when recorded

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["history"] = [dict(h) for h in self.history]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrialResult:
        return cls(**{**d, "history": tuple(d.get("history", ()))})


def trial_run(project: Project, number: int, values: Mapping[str, Any], *,
              epochs: int | None, objective: str, dataset: Any = None,
              cpu_threads: int | None = None, control: Any = None,
              history: str | os.PathLike[str] | None = None, run_name: str | None = None,
              ) -> Generator[TrialEpoch, bool | str | None, TrialResult]:
    """Train the project with ``values``; yield each epoch's score. Sent True: pruned; sent
    a reason (a string): stopped for it; both end the run after that epoch."""
    from netbuilder.runtime.events import Epoch, Failed, Finished, Stopped
    from netbuilder.runtime.session import plan_training

    started = time.monotonic()
    values = dict(values)
    recorder: Any = None

    def ended(state: str, message: str = "") -> TrialResult:
        best = _best(epochs_seen, objective)
        run_id = recorder.run_id if recorder is not None and not recorder.problem else None
        if run_id is not None and state == PRUNED:
            try:
                recorder.store.rename(run_id, f"{recorder.name} (pruned)")
            except NetbuilderRuntimeError:
                pass
        return TrialResult(number, values, state,
                           value=best.get(objective) if best else None,
                           val_loss=best.get("val_loss") if best else None,
                           val_acc=best.get("val_acc") if best else None,
                           epochs=len(epochs_seen), best_epoch=best.get("epoch") if best else None,
                           duration_s=time.monotonic() - started, message=message,
                           history=tuple(epochs_seen), run_id=run_id)

    epochs_seen: list[dict[str, Any]] = []
    try:
        trial_project = applied(project, values, epochs=epochs)
    except (NetbuilderError, NetbuilderRuntimeError) as e:
        return ended(FAILED, f"the settings do not apply: {e}")
    settings = dict(trial_project.training or {})
    if cpu_threads is not None and settings.get("cpu_threads") is None:
        settings["cpu_threads"] = cpu_threads
    plan = plan_training(trial_project.graph, settings, dataset=dataset)
    if not plan.ok:
        return ended(FAILED, "; ".join(plan.errors) or "the network cannot train")
    if plan.config is not None and plan.config.val_fraction == 0:
        return ended(FAILED, "a search scores trials on the validation split, but "
                             "val_fraction is 0: set it above 0 (e.g. 0.2)")
    if history is not None:
        from netbuilder.graph.project import project_to_dict
        from netbuilder.runtime.runs.recorder import RunRecorder
        from netbuilder.runtime.runs.store import RunStore

        recorder = plan.recorder = RunRecorder(
            RunStore(history), project_to_dict(trial_project),
            name=run_name or f"trial {number}: {_values_text(values)}")
    own = _TrialControl(control)
    why: bool | str | None = None     # what ended the trial early (sent in)
    events = plan.run(own)
    try:
        for ev in events:
            if isinstance(ev, Epoch):
                entry = ev.as_dict()
                epochs_seen.append(entry)
                value = entry.get(objective)
                if value is None:
                    return ended(FAILED, f"the run gives no {objective} (a regression task "
                                 "has no accuracy: use the objective val_loss)")
                why = yield TrialEpoch(number, ev.epoch, value, ev.val_loss, ev.val_acc,
                                       ev.train_loss)
                if why:
                    own.stop()          # the trainer stops now, with a Stopped event
            elif isinstance(ev, Failed):
                return ended(FAILED, ev.message)
            elif isinstance(ev, Stopped):
                if why is True:
                    return ended(PRUNED)
                return ended(STOPPED, str(why) if why else "stopped")
            elif isinstance(ev, Finished):
                return ended(COMPLETE)
    finally:
        events.close()
    return ended(COMPLETE)


class _TrialControl:
    """The trainer's control for one trial: stopped by the search (pruning, time) or by the
    caller's own control (the user's Stop)."""

    def __init__(self, outer: Any) -> None:
        from netbuilder.runtime.control import TrainingControl

        self.own = TrainingControl()
        self.outer = outer

    def stop(self) -> None:
        self.own.stop()

    @property
    def stop_requested(self) -> bool:
        return self.own.stop_requested or (self.outer is not None and self.outer.stop_requested)

    @property
    def pause_requested(self) -> bool:
        return False

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        return not self.stop_requested

    def take_snapshot_request(self) -> bool:
        return False


def _values_text(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in values.items())


def _best(history: list[dict[str, Any]], objective: str) -> dict[str, Any] | None:
    scored = [h for h in history if isinstance(h.get(objective), float | int)
              and math.isfinite(h[objective])]
    if not scored:
        return None
    if objective == "val_acc":
        return max(scored, key=lambda h: h[objective])
    return min(scored, key=lambda h: h[objective])
