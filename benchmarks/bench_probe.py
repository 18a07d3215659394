"""Probe cost: one sample view refresh (every layer's output for one sample) per network.

For LeNet-5 (1x28x28) and ResNet-18 (3x224x224, as the example ships) it times, in the same
process and interleaved: a plain forward pass of the module that trains (the floor), the
tap module's probe of every node (what the sample view does per sample), and the usual
alternative, forward hooks registered on every submodule of the trained module (which sees
modules only: no Add, Concat or other expressions, and nothing inside a block's forward
that is not a module). Goal: a LeNet-5 refresh under 100 ms on this CPU.

Command: python benchmarks/bench_probe.py [--repeats N] [--examples lenet5 resnet18] [--write]
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
from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.runtime.insight.probe import Prober, probe_targets  # noqa: E402

HEADING = "## Probing (sample view refresh)"


def hooked(model: torch.nn.Module):
    """Forward hooks on every submodule: the common way to read activations."""
    seen: dict[str, torch.Tensor] = {}
    handles = []
    for name, module in model.named_modules():
        if name:
            handles.append(module.register_forward_hook(
                lambda _m, _i, out, name=name: seen.__setitem__(name, out)))
    return seen, handles


def measure(example: str, repeats: int) -> dict:
    graph = load_project(example_path(example)).graph
    torch.manual_seed(0)
    model = build_module(graph).eval()
    prober = Prober(graph, model.state_dict())
    targets = [t.path for t in probe_targets(graph)]
    x = torch.randn(1, *prober.plan.inputs[0].tensor.shape)
    hooked_model = build_module(graph).eval()
    seen, handles = hooked(hooked_model)
    timings: dict[str, list[float]] = {"plain": [], "probe": [], "hooks": []}
    with torch.no_grad():
        for _ in range(2):                                   # warm up
            model(x), prober.probe(x, targets), hooked_model(x)
        for _ in range(repeats):
            for kind in ("plain", "probe", "hooks"):
                start = time.perf_counter()
                if kind == "plain":
                    model(x)
                elif kind == "probe":
                    prober.probe(x, targets)
                else:
                    hooked_model(x)
                timings[kind].append((time.perf_counter() - start) * 1000)
    hooked_count = len(seen)
    for h in handles:
        h.remove()
    med = {k: statistics.median(v) for k, v in timings.items()}
    return {"example": example, "nodes": len(targets), "hooked": hooked_count, **med,
            "input": "x".join(str(d) for d in x.shape[1:])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--examples", nargs="+", default=["lenet5", "resnet18"])
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = [measure(e, args.repeats) for e in args.examples]
    lines = ["| network (input) | probed nodes | plain forward | probe of every node | ratio | "
             "hooks on every module (nodes seen) |", "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        line = (f"| {r['example']} ({r['input']}) | {r['nodes']} | {r['plain']:.2f} ms | "
                f"{r['probe']:.2f} ms | {r['probe'] / r['plain']:.2f}x | "
                f"{r['hooks']:.2f} ms ({r['hooked']}) |")
        lines.append(line)
        print(line)
    note = " (the machine was busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        HEADING, "",
        f"{date.today().isoformat()}, {cpu_name()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} thread(s), load average {load_average()}{note}. "
        f"Median of {args.repeats} interleaved repetitions, batch of one sample.",
        "", f"Command: `python benchmarks/bench_probe.py --repeats {args.repeats} --write`", "",
        *lines, "",
        "A probe is the plain forward plus one Python call per node; the hooks alternative "
        "costs about the same but sees only submodules (no Add/Concat outputs, nothing that "
        "is an expression in a block's forward), so it cannot show every node of the graph.",
    ])
    if args.write:
        write_section(HEADING, text, args.results)


if __name__ == "__main__":
    main()
