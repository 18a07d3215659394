"""How long the editor waits after an edit: re-checking a 1,000-node graph.

Builds a ResNet-like chain of 1,000 nodes (conv/bn/relu blocks with residual Adds, plus
Inception-like branches joined by Concat every few blocks), then times, as the median of N
runs:

* full re-check with a cold ``Analyzer()`` (inference + validation, empty memo);
* re-check after one parameter edit with a warm analyzer (what the editor does);
* re-check after an edit that changes every shape downstream (the Input's size);
* the competing approach: the same analysis with no memo at all.

Goal: the full re-check under 20 ms on a 2-core CPU.

    python benchmarks/bench_recheck.py [--nodes 1000] [--runs 31]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from netbuilder.graph.analysis import Analyzer
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.model import Graph


def build_graph(n_nodes: int = 1000, channels: int = 16, size: int = 32) -> Graph:
    b = GraphBuilder(f"bench-{n_nodes}")
    x = b.input((3, size, size))
    x = b.layer("Conv2d", x, out_channels=channels, kernel_size=3, padding=1, id="stem")
    x = b.layer("ReLU", x, id="stem_relu")
    block = 0
    # Stop while the head (pool, flatten, linear) and the padding still fit.
    while len(b.graph.nodes) + 12 <= n_nodes - 3:
        block += 1
        p = f"b{block}_"
        y = b.layer("Conv2d", x, id=p + "conv1", out_channels=channels, kernel_size=3,
                    padding=1, bias=False)
        y = b.layer("BatchNorm2d", y, id=p + "bn1")
        y = b.layer("ReLU", y, id=p + "relu1")
        y = b.layer("Conv2d", y, id=p + "conv2", out_channels=channels, kernel_size=3,
                    padding=1, bias=False)
        y = b.layer("BatchNorm2d", y, id=p + "bn2")
        y = b.layer("Add", [y, x], id=p + "add")
        x = b.layer("ReLU", y, id=p + "relu2")
        if block % 4 == 0:
            # A branch: 1x1 and 3x3 towers joined along channels, squeezed back by a 1x1.
            t1 = b.layer("Conv2d", x, id=p + "t1", out_channels=8, kernel_size=1)
            t2 = b.layer("Conv2d", x, id=p + "t2", out_channels=8, kernel_size=3, padding=1)
            t2 = b.layer("ReLU", t2, id=p + "t2_relu")
            c = b.layer("Concat", [t1, t2], id=p + "cat")
            x = b.layer("Conv2d", c, id=p + "squeeze", out_channels=channels, kernel_size=1)
    while len(b.graph.nodes) < n_nodes - 3:
        x = b.layer("Identity", x, id=f"pad{len(b.graph.nodes)}")
    x = b.layer("AdaptiveAvgPool2d", x, id="pool", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="fc", out_features=10)
    assert len(b.graph.nodes) == n_nodes, len(b.graph.nodes)
    return b.graph


class _NoMemo(dict):
    """A memo that never remembers: every rule runs on every re-check."""

    def __setitem__(self, key, value) -> None:
        pass


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds (CPU time is what other processes on a shared
    machine cannot inflate)."""
    wall, cpu = [], []
    gc.collect()
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=31)
    args = ap.parse_args()

    g = build_graph(args.nodes)
    check = Analyzer().run(g)
    assert check.valid, [d.message for d in check.errors][:3]
    mid = [nid for nid in g.nodes if nid.endswith("conv1")][len(g.nodes) // 14]

    def cold() -> None:
        Analyzer().run(g)

    no_memo = Analyzer()
    no_memo._cache = _NoMemo()  # the competing approach: no memo at all

    def without_memo() -> None:
        no_memo.run(g)

    warm = Analyzer()
    warm.run(g)
    flip = [True]

    def one_edit() -> None:
        # Toggle one convolution's bias: its own rule re-runs, everything else hits the memo.
        flip[0] = not flip[0]
        g.set_param(mid, "bias", flip[0])
        warm.run(g)

    sizes = iter(range(33, 10_000))

    def shape_edit() -> None:
        # A new Input size: every node downstream sees new shapes (all misses, memo grows).
        g.set_param("input", "shape", [3, next(sizes), 32])
        warm.run(g)

    no_edit = Analyzer()
    no_edit.run(g)

    edges = len(g.edges)
    print(f"graph: {len(g.nodes)} nodes, {edges} edges "
          f"({sum(n.type == 'Add' for n in g.nodes.values())} Adds, "
          f"{sum(n.type == 'Concat' for n in g.nodes.values())} Concats); median of {args.runs} runs")
    results = [
        ("full re-check, cold Analyzer()", median_ms(cold, args.runs)),
        ("re-check after one parameter edit (warm memo)", median_ms(one_edit, args.runs)),
        ("re-check with nothing changed (warm memo)", median_ms(lambda: no_edit.run(g), args.runs)),
        ("re-check after the Input's size changes (all misses)", median_ms(shape_edit, args.runs)),
        ("competing: same analysis with no memo at all", median_ms(without_memo, args.runs)),
    ]
    print(f"  {'':<55} {'wall':>8}    {'CPU':>8}")
    for label, (wall, cpu) in results:
        print(f"  {label:<55} {wall:8.2f} ms {cpu:8.2f} ms")
    full = results[0][1][0]
    print(f"  memo buys: no memo / warm one-edit = {results[4][1][0] / results[1][1][0]:.1f}x; "
          f"goal < 20 ms for the full re-check: {'met' if full < 20 else 'MISSED'} ({full:.1f} ms)")


if __name__ == "__main__":
    main()
