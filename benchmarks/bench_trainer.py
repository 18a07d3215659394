"""Benchmark: netbuilder's trainer against the idiomatic PyTorch training loop.

Both train the same models (a ~14K-parameter CNN and a ~17K-parameter MLP on the 1,797 8x8
digits) with the same optimiser, epochs and batch size, in one process, alternating runs.
The idiomatic loop is the one in most tutorials: TensorDataset + DataLoader(shuffle=True)
and ``loss.item()`` every step. Samples/s counts training samples over the wall time of the
whole call (setup included). The median of the timed runs is reported.

    python benchmarks/bench_trainer.py                 # CPU, writes benchmarks/RESULTS.md
    python benchmarks/bench_trainer.py --device cuda   # on a GPU machine

On the CPU it runs once with 1 intra-op thread and once with torch's default thread count
(``--threads``); on a busy machine two spinning OpenMP threads can be many times slower than
one, for both loops alike, so the load average at the start is printed with the figures.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from machine import busy, cpu_name, load_average  # benchmarks/machine.py
from results import write_section  # benchmarks/results.py (scripts run from benchmarks/)
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.datasets import Dataset, load_dataset
from netbuilder.runtime.devices import describe_device, resolve_device, synchronize
from netbuilder.runtime.events import Failed, Finished
from netbuilder.runtime.trainer import train

SECTION = "## Trainer vs idiomatic loop"


def small_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1), nn.ReLU(),
        nn.Conv2d(12, 24, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(24 * 4 * 4, 28), nn.ReLU(), nn.Linear(28, 10),
    )


def mlp() -> nn.Module:
    return nn.Sequential(
        nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def idiomatic(model: nn.Module, data: Dataset, epochs: int, batch_size: int, lr: float, device: torch.device) -> int:
    """The tutorial loop; returns the number of samples trained."""
    model.to(device)
    loader = DataLoader(TensorDataset(data.x, data.y), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    samples = 0
    for _ in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item()
            samples += len(xb)
    return samples


def ours(model: nn.Module, data: Dataset, epochs: int, batch_size: int, lr: float, device: torch.device) -> int:
    """netbuilder's trainer, all events consumed; returns the number of samples trained."""
    config = TrainingConfig(epochs=epochs, batch_size=batch_size, lr=lr, optimizer="adam",
                            val_fraction=0.0, device=str(device))
    last = None
    for event in train(model, data, config):
        last = event
    if isinstance(last, Failed) or not isinstance(last, Finished):
        raise SystemExit(f"trainer did not finish: {last}")
    return epochs * len(data)


def timed(runner: Callable[..., int], model: nn.Module, data: Dataset, args: argparse.Namespace,
          device: torch.device) -> tuple[float, float]:
    """(samples per wall-clock second, samples per CPU second of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    samples = runner(model, data, args.epochs, args.batch_size, args.lr, device)
    synchronize(device)
    return samples / (time.perf_counter() - wall), samples / (time.process_time() - cpu)


def compare(name: str, build: Callable[[], nn.Module], data: Dataset, args: argparse.Namespace,
            device: torch.device, threads: int) -> dict[str, float]:
    torch.set_num_threads(threads)
    results: dict[str, list[tuple[float, float]]] = {"idiomatic": [], "netbuilder": []}
    runners = {"idiomatic": idiomatic, "netbuilder": ours}
    for repeat in range(args.repeats + 1):  # the first round warms up and is discarded
        order = ["idiomatic", "netbuilder"] if repeat % 2 == 0 else ["netbuilder", "idiomatic"]
        for label in order:
            torch.manual_seed(0)
            model = build()
            rates = timed(runners[label], model, data, args, device)
            if repeat:
                results[label].append(rates)
    params = sum(p.numel() for p in build().parameters())
    row: dict[str, float] = {}
    for label, values in results.items():
        row[label] = statistics.median(v[0] for v in values)
        row[label + "_cpu"] = statistics.median(v[1] for v in values)
    row["ratio"] = row["netbuilder"] / row["idiomatic"]
    row["cpu_ratio"] = row["netbuilder_cpu"] / row["idiomatic_cpu"]
    print(f"{name:<4} ({params:,} params, {threads} thread{'s' if threads > 1 else ''}): "
          f"idiomatic {row['idiomatic']:>8,.0f} samples/s | netbuilder {row['netbuilder']:>8,.0f} "
          f"samples/s | ratio {row['ratio']:.2f}x (per CPU-second: {row['cpu_ratio']:.2f}x)")
    row["params"] = params
    row["threads"] = threads
    return row








def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, mps or auto")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", default=None,
                        help="comma-separated intra-op thread counts (CPU default: 1 and torch's default)")
    parser.add_argument("--results", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    device = resolve_device(args.device)
    data = load_dataset("digits")
    default_threads = torch.get_num_threads()
    if args.threads:
        thread_counts = [int(t) for t in args.threads.split(",")]
    elif device.type == "cpu":
        thread_counts = sorted({1, default_threads})
    else:
        thread_counts = [default_threads]
    machine = f"{cpu_name()} ({os.cpu_count()} cores), torch {torch.__version__}"
    if device.type != "cpu":
        machine = f"{describe_device(device)}; host {machine}"
    load = load_average()
    print(f"{machine}; load average {load}; epochs {args.epochs}, batch {args.batch_size}, "
          f"Adam lr {args.lr}, {args.repeats} timed runs each (median)")
    rows = [compare(name, build, data, args, device, threads)
            for threads in thread_counts for name, build in (("CNN", small_cnn), ("MLP", mlp))]
    names = [name for _ in thread_counts for name in ("CNN", "MLP")]
    load = f"{load} at the start, {load_average()} at the end"
    print(f"load average {load}")
    if args.no_write:
        return
    # the GPU figures go in a section of their own so a GPU run never replaces the CPU table
    section = SECTION if device.type == "cpu" else f"{SECTION} ({device.type.upper()})"
    settings = ""
    if device.type == "cuda":
        settings = (f" netbuilder's defaults on CUDA: bf16 autocast "
                    f"{'on' if torch.cuda.is_bf16_supported() else 'off (unsupported)'}, "
                    f"channels_last for the CNN; the idiomatic loop runs in float32.")
    command = "python benchmarks/bench_trainer.py" + (f" --device {args.device}" if args.device != "cpu" else "")
    lines = [
        section, "",
        f"{datetime.date.today().isoformat()}, {machine}, load average {load} "
        f"(other jobs shared the machine), `{command}`.",
        f"Digits 1x8x8 (1,797 samples), {args.epochs} epochs, batch {args.batch_size}, Adam; "
        f"median samples/s of {args.repeats} alternating runs (setup included). The last "
        f"column divides samples per CPU-second of the process instead of per wall-clock "
        f"second: steadier when other work shares the machine.{settings}", "",
        "| model | params | threads | idiomatic loop (DataLoader, .item() per step), samples/s "
        "| netbuilder trainer, samples/s | ratio | ratio per CPU-second |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in zip(names, rows, strict=True):
        lines.append(f"| {name} | {row['params']:,} | {row['threads']} | {row['idiomatic']:,.0f} | "
                     f"{row['netbuilder']:,.0f} | {row['ratio']:.2f}x | {row['cpu_ratio']:.2f}x |")
    if device.type == "cpu" and max(thread_counts) > 1 and busy():
        lines += ["", "The machine had more runnable jobs than cores: two spinning OpenMP threads "
                  "then slow both loops many times over (compare the 1-thread rows), so the "
                  "multi-thread rows measure that contention more than the loops."]
    write_section(section, "\n".join(lines), args.results)
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
