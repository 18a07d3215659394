"""Worker processes for ``--jobs N``: each trains trials and reports every epoch back.

A worker is a ``spawn``-ed process (a fresh interpreter: safe beside Qt and torch's thread
pools, the same on every OS) holding one end of a pipe. It receives the project as JSON text
once, reads the dataset once, then for each ``("trial", number, values)`` runs
``trial_run`` and sends ``("epoch", TrialEpoch fields)`` after every epoch, waiting for the
search's answer (prune or go on), and ``("done", TrialResult fields)`` at the end. Only
plain data crosses the pipe. Stopping terminates the workers; their trials end as 'stopped'.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import asdict
from multiprocessing.connection import Connection, wait
from typing import Any

from netbuilder.graph.project import Project, dumps_project
from netbuilder.runtime.tune.trial import STOPPED, TrialEpoch, TrialResult

POLL_S = 0.1


def _worker_main(conn: Connection, project_text: str, epochs: int | None, objective: str,
                 cpu_threads: int | None, history: str | None) -> None:
    """The worker's loop (runs in the child process)."""
    import signal

    # Ctrl+C reaches the whole process group: the search (the parent) decides what stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from netbuilder.graph.project import loads_project
    from netbuilder.runtime.tune.search import _load_dataset
    from netbuilder.runtime.tune.trial import trial_run

    project = loads_project(project_text)
    dataset = _load_dataset(project)
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg[0] != "trial":
            return
        _, number, values = msg
        gen = trial_run(project, number, values, epochs=epochs, objective=objective,
                        dataset=dataset, cpu_threads=cpu_threads, history=history)
        try:
            item = next(gen)
            while True:
                conn.send(("epoch", asdict(item)))
                item = gen.send(conn.recv())
        except StopIteration as stop:
            conn.send(("done", stop.value.to_dict()))
        except (EOFError, BrokenPipeError):
            return


class WorkerPool:
    def __init__(self, project: Project, jobs: int, *, epochs: int | None, objective: str,
                 cpu_threads: int | None, history: str | None = None) -> None:
        self._args = (dumps_project(project), epochs, objective, cpu_threads, history)
        self.workers: list[tuple[Any, Connection]] = [self._spawn() for _ in range(jobs)]
        self.free = list(range(jobs))
        self.busy: dict[int, tuple[int, dict[str, Any], float]] = {}  # worker -> trial
        self.by_trial: dict[int, int] = {}

    def _spawn(self) -> tuple[Any, Connection]:
        ctx = multiprocessing.get_context("spawn")
        here, there = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, daemon=True, name="netbuilder-tune",
                           args=(there, *self._args))
        proc.start()
        there.close()
        return proc, here

    def submit(self, number: int, values: dict[str, Any]) -> None:
        w = self.free.pop(0)
        self.workers[w][1].send(("trial", number, values))
        self.busy[w] = (number, values, time.monotonic())
        self.by_trial[number] = w

    def answer(self, number: int, prune: bool | str) -> None:
        w = self.by_trial.get(number)
        if w is not None and w in self.busy:
            try:
                self.workers[w][1].send(prune)
            except (BrokenPipeError, OSError):
                pass

    def drain(self, control: Any) -> Iterator[TrialEpoch | TrialResult]:
        """Messages of the submitted trials until each has ended; after each TrialEpoch
        the caller answers (``answer``) before asking for the next message."""
        while self.busy:
            if control is not None and control.stop_requested:
                yield from self._stop_all("stopped")
                return
            conns = {self.workers[w][1]: w for w in self.busy}
            for conn in wait(list(conns), timeout=POLL_S):
                w = conns[conn]
                try:
                    kind, data = conn.recv()
                except (EOFError, OSError):
                    number, values, began = self.busy.pop(w)
                    conn.close()
                    self.workers[w] = self._spawn()     # a fresh worker for the next trial
                    self.free.append(w)
                    yield TrialResult(number, values, "failed", duration_s=time.monotonic()
                                      - began, message="the worker process ended unexpectedly")
                    continue
                if kind == "epoch":
                    yield TrialEpoch(**data)
                else:
                    self.busy.pop(w)
                    self.free.append(w)
                    yield TrialResult.from_dict(data)

    def _stop_all(self, reason: str) -> Iterator[TrialResult]:
        for w, (number, values, began) in list(self.busy.items()):
            self.workers[w][0].terminate()
            yield TrialResult(number, values, STOPPED, duration_s=time.monotonic() - began,
                              message=reason)
        self.busy.clear()
        self.close()

    def close(self) -> None:
        for _proc, conn in self.workers:
            try:
                conn.send(("quit",))
            except (BrokenPipeError, OSError):
                pass
        for proc, conn in self.workers:
            proc.join(timeout=2)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=2)
            conn.close()
        self.workers = []
        self.busy.clear()
