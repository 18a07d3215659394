"""Fine-tuning speed: a run with the feature layers frozen against the same run with every
layer trainable, in the same process, interleaved, same data, same seed.

Frozen parameters have ``requires_grad=False``, so autograd computes no gradient for them
and the optimiser never sees them. Measured on ``lenet5`` with a 5-class head, frozen up to
pool2, on the 28x28 digits 5-9 (samples/s of the training loop as the trainer reports it). Goal: frozen at least as fast.

Command: python benchmarks/bench_freeze.py [--repeats N] [--write] [--results PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from datetime import date
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.graph.transfer import freeze_up_to, replace_head  # noqa: E402
from netbuilder.runtime.events import Epoch  # noqa: E402
from netbuilder.runtime.session import plan_training  # noqa: E402

HEADING = "## Fine-tuning with frozen layers"
CASES = {"lenet5": "pool2"}


def samples_per_s(name: str, freeze_at: str | None, epochs: int) -> float:
    graph = load_project(example_path(name)).graph
    head, classes = replace_head(graph, 5)
    graph.nodes[head].params["out_features"] = classes
    if freeze_at:
        for nid in freeze_up_to(graph, freeze_at):
            graph.nodes[nid].trainable = False
    plan = plan_training(graph, {"dataset": "digits28_5to9", "epochs": epochs, "seed": 0,
                                 "batch_size": 32, "optimizer": "adam", "device": "cpu"})
    assert plan.ok, plan.errors
    speeds = [e.samples_per_s for e in plan.run() if isinstance(e, Epoch)]
    return statistics.median(speeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for name, at in CASES.items():
        full, frozen = [], []
        for _ in range(args.repeats):   # interleaved: machine noise hits both alike
            full.append(samples_per_s(name, None, args.epochs))
            frozen.append(samples_per_s(name, at, args.epochs))
        f, z = statistics.median(full), statistics.median(frozen)
        rows.append(f"| {name}, frozen up to {at} | {f:,.0f} | {z:,.0f} | {z / f:.2f}x |")
        print(f"{name}: all trainable {f:,.0f} samples/s, frozen up to {at} {z:,.0f} "
              f"samples/s, ratio {z / f:.2f}x")
    note = " (the machine was busy: figures noisy)" if busy() else ""
    text = "\n".join([
        HEADING, "",
        f"{date.today().isoformat()}, {cpu_name()} ({os.cpu_count()} cores, no GPU used), "
        f"1 torch thread, load average "
        f"{load_average()}{note}. Median of {args.repeats} interleaved runs of "
        f"{args.epochs} epoch(s) on digits28_5to9 (batch 32, Adam, CPU).",
        f"Command: `python benchmarks/bench_freeze.py --repeats {args.repeats} --write`", "",
        "| network | all trainable (samples/s) | frozen (samples/s) | ratio |",
        "|---|---:|---:|---:|", *rows])
    if args.write:
        write_section(HEADING, text, args.results)
    print(text)


if __name__ == "__main__":
    main()
