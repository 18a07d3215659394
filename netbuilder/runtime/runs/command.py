"""``netbuilder runs PROJECT``: the project's run history in a terminal.

Without options, one line per run (newest first): id, name, date, status, epochs, key
settings, best validation accuracy and loss, the fit verdict. ``--show ID`` prints one run:
its settings, the verdict in words and its epochs. ``--diff A B`` prints the settings that
differ and what changed in the network from run A to run B.

Exit 0 done, 2 the history cannot be read or a run is not in it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

EXIT_OK, EXIT_UNREADABLE = 0, 2


def runs_command(args: argparse.Namespace) -> int:
    from netbuilder.graph.diff import diff_lines
    from netbuilder.graph.errors import NetbuilderError
    from netbuilder.graph.project import project_from_dict
    from netbuilder.runtime.runs.compare import best_val, differing_settings, key_settings, show
    from netbuilder.runtime.runs.store import RunStore, RunStoreError
    from netbuilder.runtime.runs.verdict import fit_verdict

    store = RunStore(args.project)
    try:
        if args.show is not None:
            run = store.run(args.show)
            verdict = fit_verdict(run.history)
            print(f"{run.id}  {run.name}  ({run.status}, {_date(run.created)}"
                  + (f", {run.duration_s:.1f} s" if run.duration_s is not None else "") + ")")
            for key, value in sorted(run.settings.items()):
                print(f"  {key}: {show(value)}")
            print(f"fit: {verdict.text}")
            for h in run.history:
                print("  " + "  ".join(f"{k} {_num(h.get(k))}" for k in
                                       ("epoch", "train_loss", "val_loss", "train_acc", "val_acc")
                                       if h.get(k) is not None))
            if run.best_checkpoint is not None:
                print(f"best checkpoint: {run.best_checkpoint}")
            return EXIT_OK
        if args.diff:
            a, b = (store.run(i) for i in args.diff)
            differ = differing_settings([a, b])
            print(f"from {a.id} '{a.name}' to {b.id} '{b.name}'")
            for key, (va, vb) in differ:
                print(f"  setting {key}: {show(va)} -> {show(vb)}")
            try:
                lines = diff_lines(project_from_dict(a.graph).graph,
                                   project_from_dict(b.graph).graph)
            except NetbuilderError as exc:
                lines = [f"the networks cannot be compared: {exc}"]
            for line in lines:
                print(f"  {line}")
            if not differ and not lines:
                print("  the same network and settings")
            return EXIT_OK
        runs = [store.run(r.id) for r in store.runs()]
    except RunStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not runs:
        print(f"no runs recorded for {args.project} yet (netbuilder train records each run)")
        return EXIT_OK
    for run in runs:
        acc, loss = best_val(run)
        print(f"{run.id:>4}  {run.name:<20}  {_date(run.created)}  {run.status:<11}  "
              f"{run.epochs_recorded:>3} epochs  {key_settings(run):<36}  "
              f"val acc {f'{acc:.1%}' if acc is not None else '-':>6}  "
              f"val loss {f'{loss:.4f}' if loss is not None else '-':>7}  "
              f"{fit_verdict(run.history).label}")
    return EXIT_OK


def _date(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def _num(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
