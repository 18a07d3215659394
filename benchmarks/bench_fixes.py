"""What offering fixes costs the editor: finding and checking every fix of a broken network
against the re-check every edit already pays for.

The window asks for the fixes of each problem once per analysis (the Problems list's Fix
buttons, the cards' Fix pills). Each fix is verified by analysing a copy of the graph with
the edit applied, so the cost is a few re-checks per problem. For each broken network this
prints, as the median of N interleaved runs:

* a re-check of the broken graph with a warm analyzer (what every edit costs);
* ``all_fixes``: every problem's fixes, found and verified (what a Fix button costs);
* their ratio.

    python benchmarks/bench_fixes.py [--runs 21] [--write]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recheck import build_graph  # noqa: E402
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.analysis import Analyzer  # noqa: E402
from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.fixes import Bypass, all_fixes, apply_edit  # noqa: E402
from netbuilder.graph.model import Graph  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402

HEADING = "## Finding fixes"


def _example(name: str) -> Graph:
    return load_project(example_path(name)).graph


def _lenet_no_flatten() -> Graph:
    g = _example("lenet5")
    apply_edit(g, (Bypass("flatten"),))
    return g


def _lenet_big_kernel() -> Graph:
    g = _example("lenet5")
    g.set_param("conv2", "kernel_size", 17)
    return g


def _resnet_branch_channels() -> Graph:
    g = _example("resnet18_flat")
    g.set_param("layer3_1_conv2", "out_channels", 200)
    return g


def _resnet_unwired() -> Graph:
    g = _example("resnet18_flat")
    for e in list(g.edges)[5::20]:
        g.disconnect(e)
    return g


def _chain_1000() -> Graph:
    g = build_graph(1000)
    g.set_param("b10_conv1", "kernel_size", 40)
    return g


CASES: list[tuple[str, Callable[[], Graph]]] = [
    ("LeNet-5 without Flatten", _lenet_no_flatten),
    ("LeNet-5, conv2 kernel 17", _lenet_big_kernel),
    ("ResNet-18, a branch with 200 channels", _resnet_branch_channels),
    ("ResNet-18, 5 wires removed", _resnet_unwired),
    ("1,000-node chain, kernel 40 on 32x32", _chain_1000),
]


def measure(name: str, make: Callable[[], Graph], runs: int) -> dict:
    g = make()
    analyzer = Analyzer()
    analysis = analyzer.run(g)
    recheck, fixes = [], []
    found = all_fixes(g, analysis)   # warm both memos, as the editor's are
    for _ in range(runs):
        t = time.perf_counter()
        analysis = analyzer.run(g)
        recheck.append(time.perf_counter() - t)
        t = time.perf_counter()
        found = all_fixes(g, analysis)
        fixes.append(time.perf_counter() - t)
    return {"name": name, "nodes": len(g.nodes), "problems": len(found),
            "fixes": sum(len(f) for _, f in found),
            "recheck": statistics.median(recheck) * 1e3, "all": statistics.median(fixes) * 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    lines = ["| broken network | nodes | problems | fixes offered | re-check | all fixes, verified "
             "| ratio |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, make in CASES:
        r = measure(name, make, args.runs)
        line = (f"| {r['name']} | {r['nodes']} | {r['problems']} | {r['fixes']} | "
                f"{r['recheck']:.2f} ms | {r['all']:.2f} ms | {r['all'] / r['recheck']:.1f}x |")
        lines.append(line)
        print(line)
    note = " (the machine was busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        HEADING, "",
        f"{date.today().isoformat()}, {cpu_name()}, load average {load_average()}{note}. "
        f"Median of {args.runs} interleaved runs, warm memos (as in the editor).",
        "", f"Command: `python benchmarks/bench_fixes.py --runs {args.runs} --write`", "",
        *lines, "",
        "Each fix is checked by analysing a copy of the graph with the edit applied; the "
        "shape rules' memo makes those re-checks cheap, so every Fix button of a broken "
        "network costs a few re-checks, paid once per edit.",
    ])
    if args.write:
        write_section(HEADING, text, args.results)


if __name__ == "__main__":
    main()
