""""Check my work": train a frozen copy of the student's network with the assignment's budget,
in the background, and judge the training goals from what the run measured.

It runs on the Training panel's machinery (``TrainingRun``: a worker on its own QThread,
events batched to the GUI thread), one run per distinct budget among the goals, one after the
other. Reading the dataset and building the model happen on that thread too, so the window
never waits. The results are the grader's (``goals.training_goal_result``) from the same
settings (``goals.training_settings``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal

from ...graph.goals import PENDING, Goal, GoalResult, TrainingBudget, training_goal_result
from ...graph.model import Graph
from ...runtime.control import TrainingControl
from ...runtime.events import Epoch, Failed, Finished, Stopped
from ..training.worker import TrainingRun, snapshot


class _BudgetPlan:
    """What ``TrainingRun`` iterates: plans the run on the worker thread (the dataset is read
    there), then yields the trainer's events, or one ``Failed`` saying why it cannot train."""

    def __init__(self, graph: Graph, settings: dict[str, Any]) -> None:
        self.graph, self.settings = graph, settings

    def run(self, control: TrainingControl, *, resume: Any = None,
            checkpoint_dir: Any = None) -> Iterator[Any]:
        from ...runtime.session import plan_training

        plan = plan_training(self.graph, self.settings)
        if control.stop_requested:        # stopped while the data was being read
            return
        if not plan.ok:
            yield Failed(message="cannot train it: " + "; ".join(plan.errors or ["unknown"]),
                         kind="config")
            return
        yield from plan.run(control)


class GoalCheck(QObject):
    """One "Check my work": ``progress(fraction, text)`` while it trains, then
    ``finished(results)`` with a result for every training goal (in the goals' order)."""

    progress = Signal(float, str)
    finished = Signal(object)

    def __init__(self, graph: Graph, goals: list[Goal], student_settings: dict | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        from ...graph.goals import training_settings

        self.graph = snapshot(graph)
        self.goals = [g for g in goals if g.needs_training]
        self.budgets: list[TrainingBudget] = list(dict.fromkeys(
            g.training for g in self.goals if g.training is not None))
        self.settings = [training_settings(b, student_settings) for b in self.budgets]
        self.results: dict[int, GoalResult] = {}
        self.run: TrainingRun | None = None
        self._index = -1
        self._stopped = False
        self.over = False

    def start(self) -> None:
        self._next()

    def stop(self) -> None:
        self._stopped = True
        if self.run is not None:
            self.run.stop()

    def join(self, timeout_s: float) -> bool:
        return self.run is None or self.run.join(timeout_s)

    # -- one run per budget ----------------------------------------------------------------
    def _next(self) -> None:
        self._index += 1
        if self._stopped or self._index >= len(self.budgets):
            self._finish()
            return
        b = self.budgets[self._index]
        self.progress.emit(self._index / len(self.budgets),
                           f"Checking: training on {b.dataset} for {b.epochs} epochs...")
        self.run = TrainingRun(_BudgetPlan(self.graph, self.settings[self._index]),
                               TrainingControl(), None, self)
        self.run.events.connect(self._on_events)
        self.run.finished.connect(self._next)
        self.run.start()

    def _on_events(self, events: list) -> None:
        b = self.budgets[self._index]
        for ev in events:
            if isinstance(ev, Epoch):
                frac = (self._index + ev.progress) / len(self.budgets)
                acc = f", validation accuracy {100 * ev.val_acc:.1f}%" \
                    if ev.val_acc is not None else ""
                self.progress.emit(frac, f"Checking: epoch {ev.epoch} of {b.epochs} on "
                                   f"{b.dataset}{acc}")
            elif isinstance(ev, Finished):
                self._judge(b, ev.metrics, None)
            elif isinstance(ev, Failed):
                self._judge(b, None, f"the check could not train: {ev.message}")
            elif isinstance(ev, Stopped):
                self._stopped = True

    def _judge(self, budget: TrainingBudget, metrics: dict | None, failure: str | None) -> None:
        for i, g in enumerate(self.goals):
            if g.training == budget:
                self.results[i] = training_goal_result(g, metrics, failure)

    def _finish(self) -> None:
        if self.over:
            return
        self.over = True
        out = [self.results.get(i) or GoalResult(g, PENDING, "the check was stopped: press "
                                                 "Check my work again")
               for i, g in enumerate(self.goals)]
        self.finished.emit(out)
