"""Benchmark: every trainable example, trained with its own project settings.

For each example project with ``training`` settings (assets/examples/), the run the window's
Train button would start: all its epochs, seed 0, on the CPU. Prints and records the final
validation accuracy, the best one (and its epoch), the first epoch that reached the accuracy
the project's description states, and the wall and CPU time. tests/test_examples.py checks
shorter runs of the same projects against lower bars.

    python benchmarks/bench_examples.py                  # all, writes benchmarks/RESULTS.md
    python benchmarks/bench_examples.py lstm_waveforms   # some, printed only
    python benchmarks/bench_examples.py --threads 1      # torch intra-op threads (default: torch's)
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

import torch
from machine import busy, cpu_name, load_average  # benchmarks/machine.py
from results import write_section  # benchmarks/results.py (scripts run from benchmarks/)

from netbuilder.graph.examples import list_examples
from netbuilder.graph.project import load_project
from netbuilder.runtime.events import Epoch, Failed, Finished
from netbuilder.runtime.session import plan_training, settings_with

SECTION = "## Examples: training to the stated accuracy"

# What each description tells students to expect ("about 90%"; validation accuracy); the
# perceptron's is a ceiling: a straight line cannot do better on the moons. An epoch "reaches"
# it within ABOUT below it.
ABOUT = 0.01
STATED: dict[str, float] = {
    "perceptron": 0.86, "mlp_moons": 0.96, "mlp_iris": 0.95, "mlp_digits": 0.97,
    "lenet5": 0.97, "resnet_small": 0.98, "rnn_waveforms": 0.85, "lstm_waveforms": 0.90,
    "gru_waveforms": 0.90, "transformer_waveforms": 0.90,
    "maxout_mlp": 0.97, "unet_shapes": 0.96,     # the U-Net's: pixel accuracy
    "vanishing_gradients_fixed": 0.98, "init_demo_xavier": 0.97,
}
# Reconstructions state a validation MSE per value instead (lower is better).
STATED_MSE: dict[str, float] = {"autoencoder_digits": 0.022}


def run(name: str, threads: int | None) -> dict:
    info = next(e for e in list_examples() if e.name == name)
    project = load_project(info.path)
    settings = settings_with(project.training, {"device": "cpu", "cpu_threads": threads})
    plan = plan_training(project.graph, settings)
    if not plan.ok:
        raise SystemExit(f"{name}: cannot train: {'; '.join(plan.errors)}")
    recon = plan.config.task == "reconstruction"
    key = "val_mse" if recon else "val_acc"
    stated = (STATED_MSE if recon else STATED).get(name)
    reached_at = None
    wall, cpu = time.perf_counter(), time.process_time()
    final = None
    for event in plan.run():
        if isinstance(event, Epoch) and stated is not None and reached_at is None:
            value = getattr(event, key)
            if value is not None and (value <= stated * (1 + ABOUT) if recon
                                      else value >= stated - ABOUT - 1e-9):
                reached_at = event.epoch
        if isinstance(event, (Finished, Failed)):
            final = event
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if not isinstance(final, Finished):
        raise SystemExit(f"{name}: training did not finish: {final}")
    history = [h[key] for h in final.history]
    best = (min if recon else max)(range(len(history)), key=lambda i: history[i])
    cfg = plan.config
    row = {
        "name": name, "params": plan.analysis.total_params, "dataset": cfg.dataset,
        "settings": f"{cfg.epochs} epochs, batch {cfg.batch_size}, {cfg.optimizer} lr {cfg.lr:g}"
                    + (f", clip {cfg.grad_clip_norm:g}" if cfg.grad_clip_norm else ""),
        "epochs": final.epochs_run, "final": final.metrics[key], "best": history[best],
        "figure": "val MSE" if recon else "val acc",
        "best_epoch": best + 1, "stated": stated, "reached_at": reached_at,
        "wall": wall, "cpu": cpu,
    }
    print(f"{name:<22} {row['params']:>8,} params  {row['figure']} {row['final']:.3f} "
          f"(best {row['best']:.3f} at epoch {row['best_epoch']}; stated {stated or 0:.2f} "
          f"first reached at epoch {reached_at})  {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    return row








def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="examples to train (default: every trainable one)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads while training (default: torch's own)")
    parser.add_argument("--results", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    trainable = [e.name for e in list_examples() if load_project(e.path).training is not None]
    order = [n for n in STATED if n in trainable] + [n for n in trainable if n not in STATED]
    names = args.names or order
    unknown = sorted(set(names) - set(trainable))
    if unknown:
        raise SystemExit(f"not trainable examples: {', '.join(unknown)}; these are: "
                         f"{', '.join(trainable)}")
    machine = (f"{cpu_name()} ({os.cpu_count()} cores), torch {torch.__version__}, "
               f"{args.threads or torch.get_num_threads()} thread(s)")
    start_load, was_busy = load_average(), busy()
    print(f"{machine}; load average {start_load}")
    rows = [run(n, args.threads) for n in names]
    load = f"{start_load} at the start, {load_average()} at the end"
    was_busy = was_busy or busy()
    print(f"load average {load}")
    if args.no_write or args.names:
        return 0
    command = "python benchmarks/bench_examples.py" + (
        f" --threads {args.threads}" if args.threads else "")
    lines = [
        SECTION, "",
        f"{datetime.date.today().isoformat()}, {machine}, load average {load}"
        + (" (other jobs shared the machine, so the times carry their noise)" if was_busy else "")
        + f", `{command}`.",
        "Each trainable example with its own project settings (what Train starts), seed 0, "
        "CPU. \"Stated\" is the accuracy its description promises (for the perceptron: "
        "what a straight line can reach); \"reached\" the first epoch at most one point below "
        "it or above it. "
        "tests/test_examples.py checks shorter runs (single-threaded) against lower bars.", "",
        "| example | params | dataset | settings | val accuracy (final) | best (epoch) "
        "| stated | reached at epoch | wall time | CPU time |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['params']:,} | {r['dataset']} | {r['settings']} | "
            f"{'MSE ' if r['figure'] == 'val MSE' else ''}{r['final']:.3f} | "
            f"{r['best']:.3f} ({r['best_epoch']}) | "
            f"{r['stated']:.3g} | {r['reached_at'] or 'not reached'} | {r['wall']:.1f} s | "
            f"{r['cpu']:.1f} s |")
    write_section(SECTION, "\n".join(lines), args.results)
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
