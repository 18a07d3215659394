"""Benchmark: what writing a checkpoint after every epoch, atomically, costs.

Two comparisons in one process, alternating the competitors:

1. One checkpoint of LeNet-5 and of ResNet-18 (the shipped examples): netbuilder's write
   (serialise in memory, temporary file beside the destination, fsync, rename, fsync of the
   folder) against a plain ``torch.save(payload, path)`` (not atomic, not flushed to disk).
2. A whole training run (a small CNN on the 8x8 digits, batch 32) with ``--save``'s
   per-epoch checkpoint against the same run writing none.

    python benchmarks/bench_checkpoint.py            # prints the figures
    python benchmarks/bench_checkpoint.py --write    # and writes its RESULTS.md section
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import tempfile
import time
from pathlib import Path

import torch
from machine import busy, cpu_name, load_average  # benchmarks/machine.py
from results import RESULTS, write_section  # benchmarks/results.py

from netbuilder.codegen.build import build_module
from netbuilder.graph import atomic
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.runtime.checkpoint import checkpoint_bytes
from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.datasets import load_dataset
from netbuilder.runtime.events import Finished
from netbuilder.runtime.trainer import train

SECTION = "## Checkpoint after every epoch"


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def write_costs(name: str, folder: Path, repeats: int) -> tuple[str, float, float, float, int]:
    model = build_module(load_project(example_path(name)).graph)
    optimizer = torch.optim.Adam(model.parameters())
    payload_size = len(checkpoint_bytes(model, optimizer, 1, "fp"))

    def ours() -> None:
        atomic.write_bytes(folder / "ours.pt", checkpoint_bytes(model, optimizer, 1, "fp"))

    def working_copy() -> None:      # the window's per-epoch copies: atomic, no fsync
        atomic.write_bytes(folder / "copy.pt", checkpoint_bytes(model, optimizer, 1, "fp"),
                           durable=False)

    def plain() -> None:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                   folder / "plain.pt")

    a, b, c = [], [], []
    for _ in range(repeats):            # alternate, so all see the same machine load
        a.append(_median_ms(ours, 1))
        b.append(_median_ms(working_copy, 1))
        c.append(_median_ms(plain, 1))
    return (name, statistics.median(a), statistics.median(b), statistics.median(c),
            payload_size)


def training_costs(folder: Path, epochs: int, repeats: int) -> tuple[float, float]:
    data = load_dataset("digits")
    config = TrainingConfig(device="cpu", epochs=epochs, batch_size=32, seed=0, cpu_threads=1)

    def model() -> torch.nn.Module:
        torch.manual_seed(0)
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(16 * 16, 10))

    def run(save: bool) -> float:
        start = time.perf_counter()
        events = list(train(model(), data, config,
                            checkpoint_file=folder / "C.pt" if save else None))
        assert isinstance(events[-1], Finished), events[-1]
        return time.perf_counter() - start

    run(False)                           # warm-up
    with_save, without = [], []
    for _ in range(repeats):
        with_save.append(run(True))
        without.append(run(False))
    return statistics.median(with_save), statistics.median(without)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--examples", nargs="*", default=["lenet5", "resnet18"])
    parser.add_argument("--write", action="store_true", help="write the RESULTS.md section")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    load = load_average()
    with tempfile.TemporaryDirectory(dir=Path.cwd(), prefix=".bench-ckpt-") as tmp:
        folder = Path(tmp)
        rows = [write_costs(name, folder, args.repeats) for name in args.examples]
        with_save, without = training_costs(folder, args.epochs, args.repeats)
    lines = [
        "| checkpoint | size | atomic + fsync (--save) | atomic, no fsync (window) "
        "| plain torch.save | ratio --save / plain |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, ours, copy, plain, size in rows:
        lines.append(f"| {name} | {size / 2**20:.2f} MB | {ours:.1f} ms | {copy:.1f} ms | "
                     f"{plain:.1f} ms | {ours / plain:.2f}x |")
    lines += [
        "",
        "| training run (small CNN, digits, batch 32) | with --save | without | ratio |",
        "|---|---:|---:|---:|",
        f"| {args.epochs} epochs, checkpoint after each | {with_save:.2f} s | {without:.2f} s | "
        f"{with_save / without:.2f}x |",
    ]
    table = "\n".join(lines)
    print(table)
    print(f"load average {load}{' (busy: figures are noisy)' if busy() else ''}")
    if args.write:
        today = datetime.date(2026, 12, 7).isoformat()
        write_section(SECTION, f"{SECTION}\n\n{today}, {cpu_name()}, 1 torch thread, load "
                      f"average {load} at the start (other jobs shared the cores). Median of "
                      f"{args.repeats} alternating runs. Command: "
                      "`python benchmarks/bench_checkpoint.py --write`.\n\n"
                      f"{table}\n\nThe atomic write serialises in memory, writes a temporary "
                      "file beside the destination, fsyncs it, renames it over the old file "
                      "and fsyncs the folder; the plain save does none of that, so the "
                      "difference is the price of never leaving a partial checkpoint, even "
                      "after a power cut. The window's per-epoch working copies skip the "
                      "fsyncs (still atomic against a crash of the process), so the tiny "
                      "epochs of classroom datasets stay fast.",
                      args.results)


if __name__ == "__main__":
    main()
