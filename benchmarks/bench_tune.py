"""Hyper-parameter search throughput: trials per minute with one job and with two.

Runs ``netbuilder tune``'s search (``runtime.tune.search``) over the learning rate of each
example, method ``grid`` (one grid point per trial and no pruning, so every trial trains
the same epochs and every run does the same work), in the same process: with ``jobs=1``
(trials one after another in this process) with torch's default threads and with one thread,
and with ``jobs=2`` (two spawned worker processes, one torch thread each). It prints trials
per minute and the ratio to one job with torch's default threads. The wall time
includes everything a user waits for: reading the data, starting the worker processes.

    python benchmarks/bench_tune.py [--examples lenet5 ...] [--trials N] [--epochs N] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.runtime.tune.search import SearchEnded, TrialEpoch, search  # noqa: E402
from netbuilder.runtime.tune.space import space_from_dict  # noqa: E402

SECTION = "## Hyper-parameter search (trials per minute)"


def run(example: str, trials: int, epochs: int, jobs: int,
        threads: int | None) -> tuple[float, float, int]:
    """(wall seconds, seconds to the first finished epoch, completed trials)."""
    project = load_project(example_path(example))
    lr = float((project.training or {}).get("lr", 1e-3))
    space = space_from_dict({"method": "grid", "budget": {"trials": trials, "epochs": epochs},
                             "parameters": {"lr": {"low": lr / 10, "high": lr * 10,
                                                   "log": True, "grid_points": trials}}})
    start = time.perf_counter()
    first = None
    done = 0
    for ev in search(project, space, jobs=jobs, seed=0, cpu_threads=threads):
        if isinstance(ev, TrialEpoch) and first is None:
            first = time.perf_counter() - start
        elif isinstance(ev, SearchEnded):
            done = sum(r.state == "complete" for r in ev.results)
    return time.perf_counter() - start, first or 0.0, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", nargs="+", default=["lenet5", "mlp_moons"])
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    lines = ["| example | jobs | torch threads per trial | trials | wall | first epoch after "
             "| trials/min | vs 1 job, default threads |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    default = torch.get_num_threads()
    for example in args.examples:
        base = None
        for jobs, threads in ((1, None), (1, 1), (2, 1)):
            wall, first, done = run(example, args.trials, args.epochs, jobs, threads)
            rate = done / wall * 60
            base = base or rate
            line = (f"| {example} | {jobs} | {threads or f'{default} (default)'} | {done} | "
                    f"{wall:.1f} s | {first:.1f} s | {rate:.1f} | {rate / base:.2f}x |")
            print(line, flush=True)
            lines.append(line)
    note = " (busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        SECTION, "",
        f"{datetime.date.today().isoformat()}, {cpu_name()}, {torch.get_num_threads()} torch "
        f"threads by default, torch {torch.__version__}, load average {load_average()}{note}; "
        f"method grid over lr (no pruning), {args.trials} trials of {args.epochs} epochs each.", "",
        f"Command: `python benchmarks/bench_tune.py --trials {args.trials} --epochs "
        f"{args.epochs} --write`", "", *lines])
    if args.write:
        write_section(SECTION, text, args.results)


if __name__ == "__main__":
    main()
