"""``netbuilder tune PROJECT --space SPACE.json``: a hyper-parameter search from the terminal.

Prints one row per trial as it ends (the values tried, validation loss and accuracy at the
trial's best epoch, epochs run, how it ended), then the best settings. ``--apply -o OUT.json``
writes the project with the best settings applied (atomically; PROJECT itself is left as it
is). Ctrl+C stops after the running trials' current batch and still reports the best so far.
Each trial is recorded as a run in the project's run history (``PROJECT.runs/``, the Runs
panel), as ``netbuilder train`` records, unless ``--no-history`` (or a shipped example).

Exit 0 done, 1 the network or its settings cannot train (or no trial completed), 2 an
unreadable project or a malformed search space or an unwritable output, 130 Ctrl+C.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def tune_command(args: argparse.Namespace) -> int:
    from netbuilder.graph.errors import ProjectFileError
    from netbuilder.graph.project import load_project
    from netbuilder.runtime.tune.space import SpaceError, load_space

    try:
        project = load_project(args.project)
    except ProjectFileError as e:
        return _fail(str(e), EXIT_UNREADABLE)
    if args.apply and not args.output:
        return _fail("--apply needs -o OUT.json (the tuned copy; the project file itself is "
                     "left as it is)", EXIT_UNREADABLE)
    if args.output and not args.apply:
        return _fail("-o writes the project with the best settings: add --apply",
                     EXIT_UNREADABLE)
    for name in ("trials", "jobs", "epochs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            return _fail(f"--{name} must be at least 1; received {value}", EXIT_UNREADABLE)
    try:
        space = load_space(args.space)
        from netbuilder.runtime.tune.apply import check_space

        space = check_space(space, project)
    except SpaceError as e:
        return _fail(str(e), EXIT_UNREADABLE)
    from netbuilder.runtime.session import plan_training

    plan = plan_training(project.graph, project.training)
    if not plan.ok:
        for message in plan.errors:
            print(f"error: {message}", file=sys.stderr)
        return EXIT_UNREADABLE if plan.config is not None and plan.dataset is None \
            else EXIT_INVALID
    from netbuilder.runtime.commands import _keeps_history, _StopOnSignal
    from netbuilder.runtime.control import TrainingControl
    from netbuilder.runtime.tune.search import search

    history = None if args.no_history or not _keeps_history(args.project) else args.project
    control = TrainingControl()
    stop = _StopOnSignal(control)
    table = _Table(sys.stdout, [p.name for p in space.parameters])
    ended = None
    with stop:
        try:
            for ev in search(project, space, trials=args.trials, jobs=args.jobs or 1,
                             method=args.method, seed=args.seed, epochs=args.epochs,
                             time_limit_s=args.time_limit, control=control,
                             history=history):
                ended = table.show(ev) or ended
        except SpaceError as e:
            return _fail(str(e), EXIT_UNREADABLE)
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
    if ended is None or ended.best is None:
        print("no trial completed, so there are no best settings"
              + ("" if ended is None or not ended.results else
                 f" (first problem: {ended.results[0].message or ended.results[0].state})"),
              file=sys.stderr)
        return EXIT_INTERRUPTED if stop.signum is not None else EXIT_INVALID
    best = ended.best
    recorded = sum(r.run_id is not None for r in ended.results)
    if recorded:
        from netbuilder.runtime.runs.store import runs_folder_for

        print(f"{recorded} trial(s) recorded as runs in {runs_folder_for(args.project)}")
    if args.apply:
        from netbuilder.graph.atomic import WriteError
        from netbuilder.graph.project import save_project
        from netbuilder.runtime.tune.apply import applied

        try:
            save_project(applied(project, best.values), args.output)
        except (WriteError, OSError) as e:
            return _fail(str(e), EXIT_UNREADABLE)
        print(f"wrote {args.output} with the best settings applied")
    else:
        print(f"apply them with: netbuilder tune {args.project} --space {args.space} "
              "--apply -o TUNED.json (or type them into the Training panel)")
    return EXIT_INTERRUPTED if stop.signum is not None else EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


class _Table:
    """The live table of trials, one row printed as each trial ends."""

    def __init__(self, out: TextIO, names: list[str]) -> None:
        self.out, self.names = out, names
        self.widths = [max(10, len(n)) for n in names]

    def show(self, ev: Any) -> Any:
        from netbuilder.runtime.tune.search import SearchEnded, SearchStarted, TrialEnded

        if isinstance(ev, SearchStarted):
            jobs = f", {ev.jobs} jobs" if ev.jobs > 1 else ""
            better = "lowest" if ev.direction == "minimize" else "highest"
            print(f"searching {', '.join(ev.parameters)}: {ev.trials} trials, method "
                  f"{ev.method}{jobs}; {ev.objective} on the validation split, {better} wins",
                  file=self.out)
            head = ["trial", *self.names, "val_loss", "val_acc", "epochs", "state", "time"]
            print(self._row(head), file=self.out, flush=True)
        elif isinstance(ev, TrialEnded):
            r = ev.result
            cells = [str(r.number), *(_fmt(r.values.get(n)) for n in self.names),
                     _fmt(r.val_loss), f"{r.val_acc:.1%}" if r.val_acc is not None else "-",
                     str(r.epochs), r.state, f"{r.duration_s:.1f}s"]
            print(self._row(cells), file=self.out, flush=True)
            if r.state == "failed" and r.message:
                print(f"        {r.message.splitlines()[0]}", file=self.out)
        elif isinstance(ev, SearchEnded):
            counts = {}
            for r in ev.results:
                counts[r.state] = counts.get(r.state, 0) + 1
            tally = ", ".join(f"{n} {s}" for s, n in counts.items())
            why = "" if ev.reason == "done" else f" ({ev.reason})"
            print(f"{len(ev.results)} trials in {ev.duration_s:.1f}s{why}: {tally}",
                  file=self.out)
            if ev.best is not None:
                b = ev.best
                from netbuilder.runtime.tune.search import values_text

                acc = f", val_acc {b.val_acc:.1%}" if b.val_acc is not None else ""
                print(f"best: trial {b.number}: {values_text(b.values)} (val_loss "
                      f"{_fmt(b.val_loss)}{acc}, epoch {b.best_epoch})", file=self.out,
                      flush=True)
            return ev
        return None

    def _row(self, cells: list[str]) -> str:
        widths = [5, *self.widths, 9, 8, 6, 9, 7]
        return "  ".join(c.rjust(w) if i != len(cells) - 2 else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
