"""Training throughput with per-node statistics on (the window's default) against off.

Trains LeNet-5 (digits28) and the moons MLP through ``plan_training`` in one process,
alternating runs with ``node_stats_every`` set (the tap module plus NodeStats collection,
as the window trains) and unset (the plain module, as the CLI trains). Samples/s counts
training samples over the wall time of the run (setup included); medians are reported.
Goal: at most 5% fewer samples per second with statistics on.

    python benchmarks/bench_node_stats.py [--repeats N] [--epochs N] [--every K] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.runtime.events import Finished, NodeStats, Started  # noqa: E402
from netbuilder.runtime.insight.stats import MIN_INTERVAL_S  # noqa: E402
from netbuilder.runtime.session import plan_training  # noqa: E402

SECTION = "## Per-node statistics overhead"
DEFAULT_EVERY = 10       # what the window uses (ui/training/panel.py)


def run(example: str, epochs: int, every: int | None) -> tuple[float, int]:
    project = load_project(example_path(example))
    settings = dict(project.training or {}, epochs=epochs, cpu_threads=1, device="cpu")
    if every:
        settings["node_stats_every"] = every
    plan = plan_training(project.graph, settings)
    assert plan.ok, plan.errors
    start = time.perf_counter()
    samples, collected = 0, 0
    for ev in plan.run():
        if isinstance(ev, Started):
            samples = ev.train_samples * epochs
        elif isinstance(ev, NodeStats):
            collected += 1
        elif isinstance(ev, Finished):
            pass
    return samples / (time.perf_counter() - start), collected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--every", type=int, default=DEFAULT_EVERY)
    ap.add_argument("--examples", nargs="+", default=["lenet5", "mlp_moons"])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    torch.set_num_threads(1)
    lines = ["| network | statistics off | statistics on (every "
             f"{args.every} steps, at most {1 / MIN_INTERVAL_S:g}/s) | on / off "
             "| NodeStats events per run |",
             "|---|---:|---:|---:|---:|"]
    for example in args.examples:
        off, on, events = [], [], []
        run(example, 1, None)                          # warm up
        for i in range(args.repeats):
            for every in ((None, args.every) if i % 2 == 0 else (args.every, None)):
                speed, n = run(example, args.epochs, every)
                (on if every else off).append(speed)
                if every:
                    events.append(n)
        a, b = statistics.median(off), statistics.median(on)
        line = (f"| {example} | {a:,.0f} samples/s | {b:,.0f} samples/s | {b / a:.3f} | "
                f"{statistics.median(events):.0f} |")
        print(line)
        lines.append(line)
    note = " (busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        SECTION, "",
        f"{datetime.date.today().isoformat()}, {cpu_name()}, torch {torch.__version__}, 1 "
        f"thread, load average {load_average()}{note}; {args.epochs} epochs per run, median "
        f"of {args.repeats} alternating runs each.", "",
        f"Command: `python benchmarks/bench_node_stats.py --repeats {args.repeats} "
        f"--epochs {args.epochs} --write`", "", *lines])
    if args.write:
        write_section(SECTION, text, args.results)


if __name__ == "__main__":
    main()
