"""One trial of a search: the project with the trial's values applied, trained as
``netbuilder train`` trains it (``plan_training`` and the trainer), scored per epoch.

:func:`trial_run` is a generator: it yields a :class:`TrialEpoch` after every epoch and
takes back (``send``) whether to end the trial there (pruned, or out of time); its return
value is the :class:`TrialResult`. The same generator runs in the search's own process
(``--jobs 1``, the window) and in worker processes (``--jobs N``).
"""

from __future__ import annotations

import math
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
              ) -> Generator[TrialEpoch, bool | None, TrialResult]:
    """Train the project with ``values``; yield each epoch's score, stop when sent True."""
    from netbuilder.runtime.events import Epoch, Failed, Finished, Stopped
    from netbuilder.runtime.session import plan_training

    started = time.monotonic()
    values = dict(values)

    def ended(state: str, message: str = "") -> TrialResult:
        best = _best(history, objective)
        return TrialResult(number, values, state,
                           value=best.get(objective) if best else None,
                           val_loss=best.get("val_loss") if best else None,
                           val_acc=best.get("val_acc") if best else None,
                           epochs=len(history), best_epoch=best.get("epoch") if best else None,
                           duration_s=time.monotonic() - started, message=message,
                           history=tuple(history))

    history: list[dict[str, Any]] = []
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
    events = plan.run(control)
    try:
        for ev in events:
            if isinstance(ev, Epoch):
                entry = ev.as_dict()
                history.append(entry)
                value = entry.get(objective)
                if value is None:
                    return ended(FAILED, f"the run gives no {objective} (a regression task "
                                 "has no accuracy: use the objective val_loss)")
                stop = yield TrialEpoch(number, ev.epoch, value, ev.val_loss, ev.val_acc,
                                        ev.train_loss)
                if stop:
                    return ended(PRUNED if stop is True else STOPPED,
                                 "" if stop is True else str(stop))
            elif isinstance(ev, Failed):
                return ended(FAILED, ev.message)
            elif isinstance(ev, Stopped):
                return ended(STOPPED, "stopped")
            elif isinstance(ev, Finished):
                return ended(COMPLETE)
    finally:
        events.close()
    return ended(COMPLETE)


def _best(history: list[dict[str, Any]], objective: str) -> dict[str, Any] | None:
    scored = [h for h in history if isinstance(h.get(objective), float | int)
              and math.isfinite(h[objective])]
    if not scored:
        return None
    if objective == "val_acc":
        return max(scored, key=lambda h: h[objective])
    return min(scored, key=lambda h: h[objective])
