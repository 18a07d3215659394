"""Grade many submissions over worker processes, each on its own, none able to stop the run.

``grade_all(assignment_text, paths, jobs=..., ...)`` yields ``(index, GradeRow)`` as
submissions finish. Workers are ``spawn``-ed processes of a ``ProcessPoolExecutor`` (no
fork of a process holding torch threads); each starts by importing torch once, limits
torch to one thread, and caps its own address space (``RLIMIT_AS``) at what it had plus the
memory cap, so a network that slips past the estimate fails with an allocation error in its
own row instead of taking the machine down. A worker's start costs seconds (Python, torch,
scikit-learn, torch's first optimiser step), so ``netbuilder grade --no-train`` (a few
milliseconds a submission) grades in this process unless ``--jobs`` is given.

At most ``jobs`` submissions are in flight, so a submission's clock starts when it starts.
One that runs past ``timeout_s`` (the training stops itself earlier, at the time limit; this
is the backstop for anything else) gets a "timed out" row, and the pool is replaced: its
processes are killed and the other submissions that were in flight are started again. A
worker that dies (killed by the system for memory) breaks the pool the same way: every
submission then in flight is tried again, alone; one that breaks a pool twice gets a row
saying the grader's process died while grading it.

``jobs=0`` grades in this process, one after another (no timeout backstop): for tests and
tools that want no processes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from netbuilder.runtime.classroom.grade import REFUSED, GradeOptions, GradeRow

_state: dict[str, object] = {}


@dataclass(frozen=True)
class Task:
    index: int
    path: str
    options: GradeOptions


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _init_worker(assignment_text: str, memory_cap_bytes: int) -> None:
    import torch

    from netbuilder.graph.assignment import loads_assignment

    torch.set_num_threads(1)
    _state["assignment"] = loads_assignment(assignment_text)
    _limit_memory(memory_cap_bytes)


def _limit_memory(cap: int) -> None:
    """Let this process grow by about ``cap`` bytes (and some room for the data) beyond what
    it holds now; a larger allocation then fails inside the process."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as f:
            size = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
        limit = size + cap + 1024**3
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError, StopIteration):
        pass        # not Linux: the estimate before training is the only cap


def _run(task: Task) -> tuple[int, GradeRow]:
    from netbuilder.runtime.classroom.grade import grade_submission

    return task.index, grade_submission(_state["assignment"], task.path, task.options)


def grade_all(assignment_text: str, paths: Sequence[str | Path], *, jobs: int | None = None,
              options: Callable[[int, str], GradeOptions] | GradeOptions | None = None,
              timeout_s: float = 600.0) -> Iterator[tuple[int, GradeRow]]:
    """Yield ``(index, row)`` for every path, in the order they finish."""
    base = GradeOptions() if options is None else options
    make = base if callable(base) else (lambda _i, _p: base)
    tasks = [Task(i, str(p), make(i, str(p))) for i, p in enumerate(paths)]
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 0:
        from netbuilder.graph.assignment import loads_assignment
        from netbuilder.runtime.classroom.grade import grade_submission

        a = loads_assignment(assignment_text)
        for t in tasks:
            yield t.index, grade_submission(a, t.path, t.options)
        return
    cap = max((t.options.memory_cap_bytes for t in tasks), default=GradeOptions().memory_cap_bytes)
    yield from _pooled(assignment_text, tasks, min(jobs, max(len(tasks), 1)), timeout_s, cap)


def _pooled(assignment_text: str, tasks: list[Task], jobs: int, timeout_s: float,
            cap: int) -> Iterator[tuple[int, GradeRow]]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = list(reversed(tasks))          # pop() takes the next in order
    breaks: dict[int, int] = {}
    alone: list[Task] = []                 # tried again one at a time after a broken pool

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                   initializer=_init_worker,
                                   initargs=(assignment_text, cap))

    pool = new_pool()
    running: dict[Future, tuple[Task, float]] = {}
    try:
        while queue or running or alone:
            limit = 1 if alone else jobs
            while len(running) < limit and (alone or queue):
                t = alone.pop() if alone else queue.pop()
                running[pool.submit(_run, t)] = (t, time.monotonic())
            done, _ = wait(list(running), timeout=1.0, return_when=FIRST_COMPLETED)
            broken = False
            for f in done:
                t, _started = running.pop(f)
                try:
                    yield f.result()
                except BrokenProcessPool:
                    broken = True
                    breaks[t.index] = breaks.get(t.index, 0) + 1
                    if breaks[t.index] >= 2:
                        yield t.index, _row(t, "the grader's process died while grading it "
                                            "(it ran out of memory or crashed); it was tried "
                                            "twice")
                    else:
                        alone.append(t)
                except Exception as e:   # noqa: BLE001 - one submission never ends the run
                    yield t.index, _row(t, f"could not be graded: {type(e).__name__}: {e}")
            now = time.monotonic()
            late = [f for f, (_t, started) in running.items() if now - started > timeout_s]
            if late or broken:
                for f in late:
                    t, _started = running.pop(f)
                    yield t.index, _row(t, f"timed out: grading took longer than "
                                        f"{timeout_s:g} s")
                for t, _s in list(running.values()):   # innocent: start them again
                    (alone if broken else queue).append(t)
                running.clear()
                _kill(pool)
                pool = new_pool()
    finally:
        _kill(pool)


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for p in processes:
        if p.is_alive():
            p.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _row(t: Task, reason: str) -> GradeRow:
    return GradeRow(file=t.path, verdict=REFUSED, reason=reason)
