"""The cost of keeping a run history: recording against an epoch of LeNet-5.

Two measures, in one process on the same machine:

- ``record_epoch`` alone (one SQLite transaction per epoch, WAL, ``synchronous=NORMAL``, on
  the store's open connection): its median time against the median time of one LeNet-5 epoch on its data;
- whole runs of LeNet-5 through ``plan_training`` with a recorder (the run begun, each epoch
  recorded, the trainer writing ``best.pt``/``last.pt`` into the run's folder, the run
  closed) and without one, alternating; samples/s over the wall time, medians.

Goal: recording is negligible (well under 1 % of an epoch).

    python benchmarks/bench_runs.py [--repeats N] [--epochs N] [--records N] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project, project_to_dict  # noqa: E402
from netbuilder.runtime.events import Epoch, Started  # noqa: E402
from netbuilder.runtime.runs import RunStore  # noqa: E402
from netbuilder.runtime.runs.recorder import RunRecorder  # noqa: E402
from netbuilder.runtime.session import plan_training  # noqa: E402

SECTION = "## Run history overhead"
EXAMPLE = "lenet5"


def train(epochs: int, store: RunStore | None) -> tuple[float, list[float]]:
    """samples/s over the whole run, and each epoch's time."""
    project = load_project(example_path(EXAMPLE))
    settings = dict(project.training or {}, epochs=epochs, cpu_threads=1, device="cpu")
    plan = plan_training(project.graph, settings)
    assert plan.ok, plan.errors
    if store is not None:
        plan.recorder = RunRecorder(store, project_to_dict(project))
    start = time.perf_counter()
    samples, epoch_times = 0, []
    for ev in plan.run():
        if isinstance(ev, Started):
            samples = ev.train_samples * epochs
        elif isinstance(ev, Epoch):
            epoch_times.append(ev.time_s)
    return samples / (time.perf_counter() - start), epoch_times


def record_times(store: RunStore, n: int) -> list[float]:
    metrics = {"train_loss": 0.1, "val_loss": 0.2, "train_acc": 0.9, "val_acc": 0.8,
               "lr": 0.001, "time_s": 1.0, "is_best": False, "samples_per_s": 1e4}
    rid = store.begin({"lr": 0.001}, project_to_dict(load_project(example_path(EXAMPLE))), "fp")
    out = []
    for epoch in range(1, n + 1):
        t = time.perf_counter()
        store.record_epoch(rid, epoch, metrics)
        out.append(time.perf_counter() - t)
    store.finish(rid, metrics)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    torch.set_num_threads(1)
    folder = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    store = RunStore(folder / "lenet5.json")
    record = statistics.median(record_times(store, args.records))
    train(1, None)                                                  # warm up
    plain, kept, epochs = [], [], []
    for i in range(args.repeats):
        for keep in ((False, True) if i % 2 == 0 else (True, False)):
            speed, times = train(args.epochs, store if keep else None)
            (kept if keep else plain).append(speed)
            epochs += times
    epoch = statistics.median(epochs)
    a, b = statistics.median(plain), statistics.median(kept)
    lines = [
        "| measure | without history | with history | ratio |",
        "|---|---:|---:|---:|",
        f"| one LeNet-5 epoch vs one `record_epoch` | {epoch * 1000:,.0f} ms | "
        f"{record * 1000:.2f} ms | {record / epoch:.3%} of an epoch |",
        f"| whole {args.epochs}-epoch runs of LeNet-5 | {a:,.0f} samples/s | {b:,.0f} samples/s "
        f"| {b / a:.3f} |",
    ]
    print("\n".join(lines))
    if args.write:
        when = datetime.date.today().isoformat()
        note = " (busy: more runnable jobs than cores; figures noisy)" if busy() else ""
        text = (f"{SECTION}\n\n{when}, {cpu_name()}, torch {torch.__version__}, 1 thread, load "
                f"average {load_average()}{note}; median of {args.records} records and of "
                f"{args.repeats} alternating runs each.\n\nCommand: `python benchmarks/"
                f"bench_runs.py --repeats {args.repeats} --epochs {args.epochs} --write`\n\n"
                + "\n".join(lines) + "\n\nGoal: recording negligible against an epoch. A "
                "record is one SQLite transaction (WAL, synchronous=NORMAL, no fsync: with FULL "
                "it cost about 4 ms here, with a connection opened per record 23 ms); a run "
                "with history also has the trainer write `best.pt`/`last.pt` into the run's "
                "folder each epoch (the checkpoint a run keeps), which is most of what the "
                "whole-run ratio measures.\n")
        write_section(SECTION, text, args.results)


if __name__ == "__main__":
    main()
