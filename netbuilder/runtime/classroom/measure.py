"""Train a network with an assignment's training budget and say what it measured.

``measure(graph, student_settings, budget, ...)`` builds the settings the assignment allows
(graph/goals.py ``training_settings``: the assignment's dataset, epochs and seed, the
student's optimiser only when the budget leaves it free; on the CPU with one thread, so the
same run gives the same figures every time) and returns the final validation metrics. Numbers stored in a submission are never read: everything is measured here.

Caps: a network whose training would need more than ``memory_cap_bytes`` (the estimate of
runtime/memory.py: weights, gradients, optimiser state, a batch of activations) is refused
before a weight exists; a run longer than ``time_limit_s`` is stopped at the next batch and
counts as not finished. Both are reported as a sentence in ``Measured.failure``. Both the
window's "Check my work" and ``netbuilder grade`` use this, so they agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netbuilder.graph.goals import TrainingBudget, training_settings
from netbuilder.graph.model import Graph

DEFAULT_MEMORY_CAP = 2 * 1024**3
DEFAULT_TIME_LIMIT = 300.0


@dataclass
class Measured:
    """What one training run measured (or why there is nothing)."""

    metrics: dict[str, Any] = field(default_factory=dict)   # val_acc, val_loss, ...
    history: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    epochs_run: int = 0
    failure: str | None = None        # the reason no figure counts, in one sentence
    plan: Any = None                  # the TrainingPlan (its model holds the trained weights)
    normalization: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def grader_settings(budget: TrainingBudget, student: dict[str, Any] | None,
                    seed: int | None = None) -> dict[str, Any]:
    """The settings a training goal is measured with (graph/goals.py ``training_settings``:
    the assignment's budget, on the CPU with one thread, the same for the student's check)."""
    return training_settings(budget, student, seed)


def check_budget(budget: TrainingBudget) -> str | None:
    """Why the assignment's own budget cannot train anything (unknown dataset or optimiser);
    None when it can. Checked once before grading a class."""
    from netbuilder.runtime.config import config_from_dict
    from netbuilder.runtime.datasets import load_dataset
    from netbuilder.runtime.errors import ConfigError, DatasetError

    try:
        config = config_from_dict(grader_settings(budget, None))
        load_dataset(config.dataset, **dict(config.dataset_options))
    except (ConfigError, DatasetError) as e:
        return str(e)
    return None


def measure(graph: Graph, student: dict[str, Any] | None, budget: TrainingBudget, *,
            seed: int | None = None, time_limit_s: float = DEFAULT_TIME_LIMIT,
            memory_cap_bytes: int = DEFAULT_MEMORY_CAP, dataset: Any = None,
            control: Any = None, on_event: Callable[[Any], None] | None = None) -> Measured:
    """Train ``graph`` with the budget; never raises for a bad network or bad settings.

    ``control`` (a runtime.control.TrainingControl) lets a window stop the run (it then
    counts as not finished); ``on_event`` sees every trainer event (progress bars)."""
    from netbuilder.runtime.control import TrainingControl
    from netbuilder.runtime.events import Failed, Finished, Stopped
    from netbuilder.runtime.memory import estimate, human
    from netbuilder.runtime.session import plan_training

    out = Measured()
    settings = grader_settings(budget, student, seed)
    plan = plan_training(graph, settings, dataset=dataset)
    out.plan = plan
    if plan.config is not None:
        need = estimate(plan.analysis, plan.config.batch_size)
        if need.total_bytes > memory_cap_bytes:
            out.failure = (f"too large to train within the grader's memory cap: about "
                           f"{human(need.total_bytes)} for {need.parameters:,} parameters and a "
                           f"batch of {plan.config.batch_size}, the cap is "
                           f"{human(memory_cap_bytes)}")
            return out
    if not plan.ok:
        out.failure = "cannot train: " + "; ".join(plan.errors)
        return out
    control = control if control is not None else TrainingControl()
    start = time.perf_counter()
    timed_out = False
    try:
        for ev in plan.run(control):
            if on_event is not None:
                on_event(ev)
            if not timed_out and time.perf_counter() - start > time_limit_s:
                timed_out = True
                control.stop()
            if isinstance(ev, Finished):
                out.metrics, out.history = dict(ev.metrics), list(ev.history)
                out.epochs_run, out.normalization = ev.epochs_run, ev.normalization
            elif isinstance(ev, Stopped):
                out.history = list(ev.history)
                out.epochs_run = len(ev.history)
                done = f"{out.epochs_run} of {budget.epochs} epochs done"
                out.failure = (f"training did not finish within the time limit of "
                               f"{time_limit_s:g} s ({done})" if timed_out
                               else f"training was stopped before the budget's end ({done})")
            elif isinstance(ev, Failed):
                out.failure = f"training failed: {ev.message}"
    except MemoryError:
        out.failure = "ran out of the grader's memory while training"
    except RuntimeError as e:       # an allocation the memory cap refused, inside torch
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        out.failure = f"training stopped with an error: {first[:300]}"
    out.seconds = time.perf_counter() - start
    if out.failure is None and not out.metrics:
        out.failure = "training ended without validation figures"
    return out
