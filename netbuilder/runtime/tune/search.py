"""The search: Optuna proposes settings, trials train them, the scores go back to Optuna.

:func:`search` is a generator of plain events (``SearchStarted``, ``TrialStarted``,
``TrialEpoch``, ``TrialEnded``, ``SearchEnded``), like the trainer: it starts no threads,
and the caller decides where it runs (the CLI's main thread, the window's worker thread).

One Optuna study lives in this process, in memory (ask-and-tell). With ``jobs`` above 1,
trials run in worker processes (``workers.py``) that report each epoch here; this process
alone asks, prunes and tells, so no storage is shared between processes. Trials go out in
rounds of ``jobs`` and are told in trial order at the end of a round; the median pruner
compares only with completed trials, which are the same whatever order the round's epochs
arrive in. So the same seed and the same number of jobs give the same trials (the first
round's trials are the same for any number of jobs; later ones follow what was told).

Methods: ``tpe`` (Optuna's TPESampler with a MedianPruner that stops a trial whose
intermediate validation score is worse than the median of earlier trials at that epoch),
``random`` (RandomSampler, the same pruner) and ``grid`` (every combination of each
parameter's ``grid()`` points, enqueued in order; every point trains its full epochs).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from netbuilder.graph.project import Project
from netbuilder.runtime.tune.apply import check_space
from netbuilder.runtime.tune.space import SearchSpace, SpaceError
from netbuilder.runtime.tune.trial import (
    COMPLETE,
    FAILED,
    PRUNED,
    STOPPED,
    TrialEpoch,
    TrialResult,
    _values_text,
    trial_run,
)


@dataclass(frozen=True)
class SearchStarted:
    trials: int
    jobs: int
    method: str
    objective: str
    direction: str
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class TrialStarted:
    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class TrialEnded:
    result: TrialResult


@dataclass(frozen=True)
class SearchEnded:
    """The search is over: every trial's result, the best one (None if none completed) and
    why it ended ('done', 'time limit', 'stopped')."""

    results: tuple[TrialResult, ...]
    best: TrialResult | None
    reason: str
    duration_s: float


SearchEvent = SearchStarted | TrialStarted | TrialEpoch | TrialEnded | SearchEnded


def best_of(results: list[TrialResult] | tuple[TrialResult, ...],
            objective: str) -> TrialResult | None:
    """The completed trial with the best objective (the earliest among equals)."""
    done = [r for r in results if r.state == COMPLETE and r.value is not None]
    if not done:
        return None
    if objective == "val_acc":
        return max(done, key=lambda r: (r.value, -r.number))
    return min(done, key=lambda r: (r.value, r.number))


def default_cpu_threads(jobs: int) -> int | None:
    """Torch threads per trial: the cores shared out among the jobs (None for one job:
    torch's own choice)."""
    if jobs <= 1:
        return None
    return max(1, (os.cpu_count() or 1) // jobs)


def search(project: Project, space: SearchSpace, *, trials: int | None = None,
           jobs: int = 1, method: str | None = None, seed: int | None = None,
           epochs: int | None = None, time_limit_s: float | None = None,
           control: Any = None, cpu_threads: int | None = None,
           history: str | os.PathLike[str] | None = None) -> Iterator[SearchEvent]:
    """Run the search; arguments given here override the space's own (its budget, method,
    seed). ``control`` (a TrainingControl) stops it: running trials end as 'stopped'.
    With ``history`` (the project file's path) each trial is kept as a run in the project's
    run history (runtime/runs), named after its values. Raises SpaceError before the
    first trial when the space does not fit the project; a trial that cannot train ends as
    'failed' with the reason, and the search goes on."""
    import optuna

    space = check_space(space, project)
    method = method or space.method
    seed = space.seed if seed is None else seed
    total = trials if trials is not None else space.budget.trials
    epochs = epochs if epochs is not None else space.budget.epochs
    limit = time_limit_s if time_limit_s is not None else space.budget.time_limit_s
    if total < 1:
        raise SpaceError(f"trials must be at least 1; received {total}")
    if jobs < 1:
        raise SpaceError(f"jobs must be at least 1; received {jobs}")
    if method == "grid":
        total = min(total, space.grid_size())
    threads = cpu_threads if cpu_threads is not None else default_cpu_threads(jobs)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=space.direction, sampler=_sampler(space, method,
                                seed, total), pruner=_pruner(method))
    distributions = _distributions(space, method)
    if method == "grid":
        for point in itertools.islice(itertools.product(*(p.grid() for p in space.parameters)),
                                      total):
            study.enqueue_trial(dict(zip(distributions, point, strict=True)))
    start = time.monotonic()
    deadline = start + limit if limit is not None else None
    yield SearchStarted(total, jobs, method, space.objective, space.direction,
                        tuple(p.name for p in space.parameters))
    results: list[TrialResult] = []
    runner = (_InProcess(project, epochs, space.objective, threads, control, history)
              if jobs == 1 else
              _Pool(project, epochs, space.objective, threads, jobs, control, history))
    reason = "done"
    try:
        while len(results) < total:
            if control is not None and control.stop_requested:
                reason = "stopped"
                break
            if deadline is not None and time.monotonic() >= deadline:
                reason = "time limit"
                break
            batch = [study.ask(distributions) for _ in range(min(jobs, total - len(results)))]
            for t in batch:
                values = _tidy(space, t.params)
                runner.start(t.number, values)
                yield TrialStarted(t.number, values)
            by_number = {t.number: t for t in batch}
            ended: dict[int, TrialResult] = {}
            for item in runner.run_round():
                if isinstance(item, TrialEpoch):
                    trial = by_number[item.number]
                    decision: bool | str = False
                    if item.value is not None:
                        trial.report(item.value, item.epoch)
                        decision = method != "grid" and bool(trial.should_prune())
                    if not decision and deadline is not None and time.monotonic() >= deadline:
                        decision = "time limit"
                    runner.decide(item.number, decision)
                    yield item
                else:
                    ended[item.number] = item
            for number in sorted(ended):
                result = ended[number]
                _tell(study, by_number[number], result)
                results.append(result)
                yield TrialEnded(result)
            if any(r.state == STOPPED for r in ended.values()):
                reason = ("stopped" if control is not None and control.stop_requested
                          else "time limit")
                break
    finally:
        runner.close()
    yield SearchEnded(tuple(results), best_of(results, space.objective), reason,
                      time.monotonic() - start)


def _tidy(space: SearchSpace, params: Mapping[str, Any]) -> dict[str, Any]:
    """The trial's values with real numbers to 4 significant digits (within the range), so
    the table, the history and an applied project read 0.0708, not 0.07076907181813105;
    what trains is exactly what is shown."""
    out = dict(params)
    for p in space.parameters:
        v = out.get(p.name)
        if p.kind == "float" and isinstance(v, float) and v != 0:
            out[p.name] = min(max(float(f"{v:.4g}"), p.low), p.high)
    return out


def _tell(study: Any, trial: Any, result: TrialResult) -> None:
    from optuna.trial import TrialState

    if result.state == COMPLETE and result.value is not None:
        study.tell(trial, result.value)
    elif result.state in (PRUNED, STOPPED) and result.value is not None:
        study.tell(trial, state=TrialState.PRUNED)
    else:
        study.tell(trial, state=TrialState.FAIL)


def _sampler(space: SearchSpace, method: str, seed: int, total: int) -> Any:
    import optuna

    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if method == "grid":
        # the points are enqueued in order (see search()); GridSampler itself calls
        # study.stop() when the grid is done, which ask-and-tell does not allow
        return optuna.samplers.RandomSampler(seed=seed)
    # a small budget still gets some trials guided by the model of the earlier ones
    startup = max(2, min(10, total // 3))
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)


def _pruner(method: str) -> Any:
    import optuna

    if method == "grid":
        return optuna.pruners.NopPruner()
    # Optuna's own default: no pruning until five trials have completed, so the median
    # it compares with means something
    return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)


def _distributions(space: SearchSpace, method: str) -> dict[str, Any]:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out: dict[str, Any] = {}
    for p in space.parameters:
        if method == "grid" or p.kind == "choice":
            out[p.name] = CategoricalDistribution(p.grid() if method == "grid" else p.choices)
        elif p.kind == "int":
            out[p.name] = IntDistribution(int(p.low), int(p.high), log=p.log, step=p.step or 1)
        else:
            out[p.name] = FloatDistribution(float(p.low), float(p.high), log=p.log)
    return out


# -- where trials run ---------------------------------------------------------------------

class _InProcess:
    """Trials one after another in this process (the dataset is read once)."""

    def __init__(self, project: Project, epochs: int | None, objective: str,
                 threads: int | None, control: Any, history: Any) -> None:
        self.project, self.epochs, self.objective = project, epochs, objective
        self.threads, self.control, self.history = threads, control, history
        self.dataset = _load_dataset(project)
        self.pending: list[tuple[int, dict[str, Any]]] = []
        self.decision: bool | str = False

    def start(self, number: int, values: dict[str, Any]) -> None:
        self.pending.append((number, values))

    def decide(self, number: int, decision: bool | str) -> None:
        self.decision = decision

    def run_round(self) -> Iterator[TrialEpoch | TrialResult]:
        for number, values in self.pending:
            gen = trial_run(self.project, number, values, epochs=self.epochs,
                            objective=self.objective, dataset=self.dataset,
                            cpu_threads=self.threads, control=self.control,
                            history=self.history)
            try:
                item = next(gen)
                while True:
                    self.decision = False
                    yield item        # the search decides (decide()) before coming back
                    item = gen.send(self.decision)
            except StopIteration as stop:
                yield stop.value
        self.pending = []

    def close(self) -> None:
        self.pending = []


def _load_dataset(project: Project) -> Any:
    """The project's dataset, read once for every trial (None: each trial reports why not)."""
    from netbuilder.runtime.session import plan_training

    plan = plan_training(project.graph, project.training)
    return plan.dataset


class _Pool:
    """Trials in worker processes (``workers.py``); see the module's docstring."""

    def __init__(self, project: Project, epochs: int | None, objective: str,
                 threads: int | None, jobs: int, control: Any, history: Any) -> None:
        from netbuilder.runtime.tune.workers import WorkerPool

        self.control = control
        self.pool = WorkerPool(project, jobs, epochs=epochs, objective=objective,
                               cpu_threads=threads,
                               history=str(history) if history is not None else None)

    def start(self, number: int, values: dict[str, Any]) -> None:
        self.pool.submit(number, values)

    def decide(self, number: int, decision: bool | str) -> None:
        self.pool.answer(number, decision)

    def run_round(self) -> Iterator[TrialEpoch | TrialResult]:
        yield from self.pool.drain(self.control)

    def close(self) -> None:
        self.pool.close()


def values_text(values: Mapping[str, Any]) -> str:
    """``lr=0.0123, batch_size=32`` (numbers to 3 significant digits)."""
    return _values_text(values)


__all__ = ["SearchEnded", "SearchStarted", "TrialEnded", "TrialEpoch", "TrialStarted",
           "best_of", "search", "values_text", "FAILED"]
