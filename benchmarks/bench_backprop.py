"""Backprop step mode: what recording every number of a training step costs.

For mlp_moons and an MLP at the step mode's size limit it times, in the same process and
interleaved, one plain training step of the module that trains (forward, loss, backward,
optimiser step) and one recorded step of ``runtime.insight.backprop.Stepper`` (the same,
plus every node's output and gradient and every parameter before, gradient and after, copied
out), on the same batch size. Goal: a Next press that runs a new step well under 50 ms.

Command: python benchmarks/bench_backprop.py [--repeats N] [--batch B] [--write]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.codegen.build import build_module  # noqa: E402
from netbuilder.graph.builder import GraphBuilder  # noqa: E402
from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.runtime.config import config_from_dict  # noqa: E402
from netbuilder.runtime.datasets import load_dataset  # noqa: E402
from netbuilder.runtime.insight.backprop import Stepper, network_size  # noqa: E402
from netbuilder.runtime.losses import compute_loss  # noqa: E402
from netbuilder.runtime.optim import build_optimizer  # noqa: E402

HEADING = "## Backprop step mode"


def at_the_limit():
    """2 -> 40 -> 40 -> 40 -> 1 with tanh: about 250 units and 3,400 parameters."""
    b = GraphBuilder("mlp_at_limit")
    x = b.input((2,))
    for i in range(3):
        x = b.layer("Linear", x, id=f"fc{i}", out_features=40)
        x = b.layer("Tanh", x, id=f"act{i}")
    b.layer("Linear", x, id="out", out_features=1)
    return b.graph


def measure(name: str, graph, settings: dict, batch: int, repeats: int) -> dict:
    config = config_from_dict(settings)
    data = load_dataset(config.dataset)
    stepper = Stepper(graph, config, data, batch_size=batch)
    model = build_module(graph)
    optimizer = build_optimizer(list(model.parameters()), config)
    x, y = data.x[:batch], data.y[:batch]

    def plain() -> None:
        loss = compute_loss(config.loss, model(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    number = 0

    def recorded() -> None:
        nonlocal number
        number += 1
        stepper.step(number)

    for _ in range(3):
        plain(), recorded()
    times: dict[str, list[float]] = {"plain": [], "recorded": []}
    for _ in range(repeats):
        for kind, fn in (("plain", plain), ("recorded", recorded)):
            start = time.perf_counter()
            fn()
            times[kind].append((time.perf_counter() - start) * 1000)
    units, params = network_size(graph)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"name": name, "units": units, "params": params, **med}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    moons = load_project(example_path("mlp_moons"))
    cases = [("mlp_moons", moons.graph, moons.training),
             ("MLP at the limit (3x40 tanh)", at_the_limit(), moons.training)]
    lines = ["| network | units | parameters | plain training step | recorded step | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, graph, settings in cases:
        r = measure(name, graph, settings, args.batch, args.repeats)
        line = (f"| {r['name']} | {r['units']} | {r['params']:,} | {r['plain']:.2f} ms | "
                f"{r['recorded']:.2f} ms | {r['recorded'] / r['plain']:.2f}x |")
        lines.append(line)
        print(line)
    note = " (the machine was busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        HEADING, "",
        f"{date.today().isoformat()}, {cpu_name()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} thread(s), load average {load_average()}{note}. "
        f"Median of {args.repeats} interleaved repetitions, batch of {args.batch} samples, "
        f"Adam.",
        "", f"Command: `python benchmarks/bench_backprop.py --repeats {args.repeats} --write`", "",
        *lines, "",
        "A recorded step is the plain step plus the copies a student reads (every node's "
        "output and gradient, every parameter before, gradient, after); both are far below "
        "what a press of Next can notice.",
    ])
    if args.write:
        write_section(HEADING, text, args.results)


if __name__ == "__main__":
    main()
