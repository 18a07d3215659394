"""Histogram cost: one refresh of the Inside panel's Histograms tab, per network.

For each example it times, in the same process and interleaved: one training step (forward,
backward and SGD step on a batch of 64: what the run does many times a second), and one
refresh of the Histograms tab as the view computes it (``grouped_histograms`` of the
activation layers and of all layers on 128 samples: one forward and backward pass through
the tap module, both histograms binned with ``torch.bincount`` on shared bins), and the same
refresh binned with ``numpy.histogram`` instead (the usual alternative). The tab refreshes
at most once a second while training, and never more often than ten times its own cost
(``histogram_view.py``), on its own worker thread: "share of a second" is what one refresh a
second would take from the run. Goal: the run keeps at least 90% of the CPU.

Command: python benchmarks/bench_histograms.py [--repeats N] [--examples init_demo ...] [--write]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.codegen.build import build_module  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.runtime.insight.histograms import grouped_histograms, shared_edges  # noqa: E402
from netbuilder.runtime.insight.probe import Prober, probe_targets  # noqa: E402

HEADING = "## Histograms tab refresh"
EXAMPLES = ROOT / "assets" / "examples"
SAMPLES = 128          # as ui/insight/histogram_view.py


def numpy_refresh(prober: Prober, x, y, groups) -> list[np.ndarray]:
    """The same refresh, binned by numpy.histogram on the shared edges (the alternative)."""
    paths = groups["all"]
    out, seen = prober.forward(x, paths, grad=True)
    loss = torch.nn.functional.cross_entropy(out, y)
    need = [p for p in paths if seen[p].requires_grad]
    grads = dict(zip(need, torch.autograd.grad(loss, [seen[p] for p in need], allow_unused=True),
                     strict=True))
    counts = []
    for group in groups.values():
        acts = [seen[p].detach() for p in group]
        logs = [grads[p].abs()[grads[p] != 0].log10() for p in group if grads.get(p) is not None]
        edges, gedges = shared_edges(acts).numpy(), shared_edges(logs).numpy()
        counts += [np.histogram(a.numpy(), edges)[0] for a in acts]
        counts += [np.histogram(v.numpy(), gedges)[0] for v in logs]
    return counts


def measure(example: str, repeats: int) -> dict:
    graph = load_project(EXAMPLES / f"{example}.json").graph
    torch.manual_seed(0)
    model = build_module(graph).train()
    prober = Prober(graph, model.state_dict())
    targets = [t for t in probe_targets(graph) if t.depth == 0 and t.type != "Input"]
    paths = [t.path for t in targets]
    groups = {"all": paths, "activations": [t.path for t in targets
                                            if graph.spec(t.type).category == "Activation"]}
    groups = {k: v for k, v in groups.items() if v}
    shape = prober.plan.inputs[0].tensor.shape
    xb, yb = torch.randn(64, *shape), torch.randint(0, 10, (64,))
    x, y = torch.randn(SAMPLES, *shape), torch.randint(0, 10, (SAMPLES,))
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()

    runs = {"step": step, "histc": lambda: grouped_histograms(prober, x, y, groups),
            "numpy": lambda: numpy_refresh(prober, x, y, groups)}
    timings: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(2):                                      # warm up
        for fn in runs.values():
            fn()
    for _ in range(repeats):
        for name, fn in runs.items():
            t = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    return {"example": example, "nodes": len(paths), **med}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--examples", nargs="*", default=["init_demo", "vanishing_gradients_fixed",
                                                           "lenet5", "resnet_small"])
    parser.add_argument("--write", action="store_true", help=f"record the table in {RESULTS.name}")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    header = (f"{date.today().isoformat()}, {cpu_name()}, torch {torch.__version__}, "
              f"{torch.get_num_threads()} thread(s), load average {load_average()}"
              + (" (busy: figures noisy)" if busy() else ""))
    print(header)
    rows = []
    for example in args.examples:
        r = measure(example, args.repeats)
        rows.append(r)
        print(f"{example:<26} {r['nodes']:>3} nodes  step {r['step']:.2f} ms  refresh "
              f"{r['histc']:.1f} ms ({r['histc'] / r['step']:.1f} steps; {r['histc'] / 10:.1f}% of "
              f"a second)  numpy.histogram refresh {r['numpy']:.1f} ms  ratio "
              f"{r['numpy'] / r['histc']:.2f}x", flush=True)
    if args.write:
        lines = [HEADING, "", header + f". Median of {args.repeats} interleaved repetitions.", "",
                 f"Command: `python benchmarks/bench_histograms.py --repeats {args.repeats} --write`",
                 "", "| network | nodes | training step (batch 64) | refresh, torch (128 samples) "
                 "| share of a second | refresh, numpy.histogram | ratio numpy / torch |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['example']} | {r['nodes']} | {r['step']:.2f} ms | {r['histc']:.1f} ms "
                         f"| {r['histc'] / 10:.1f}% | {r['numpy']:.1f} ms | {r['numpy'] / r['histc']:.2f}x |")
        lines += ["", "The tab refreshes at most once a second while training, and no more often "
                  "than ten times its own cost, on its own worker thread: the share of a second is "
                  "what one refresh a second would take from the run (LeNet-5's is therefore "
                  "spaced about 1.4 s apart). The numpy variant bins the same values but computes "
                  "none of the per-layer figures the panels are titled with (std, share at ±1, "
                  "gradient norm), hence its lead on the small MLPs."]
        write_section(HEADING, "\n".join(lines), args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
