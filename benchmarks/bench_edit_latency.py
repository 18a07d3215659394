"""Editor latency: from pushing a parameter edit to every card and wire label being updated.

A 500-node network (a chain of residual blocks: branches joined by Add, then a classifier)
is shown in an EditorCanvas beside an Inspector, as in the window. Each edit is
``undo_stack.push(SetParam(...))``; the clock stops when the push returns (model changed,
analysis rerun, every affected card and label updated, inspector refreshed) and again after
the paint events were processed (the visible viewport repainted, offscreen). Two kinds of
edit: a *local* one (a Linear's width: three labels change) and a *global* one (the input
size: every spatial shape in the network changes). For comparison, the same process also
times a full scene rebuild, what a naive "redraw everything on change" would pay per edit.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_edit_latency.py [--edits 60] [--write]

``--write`` puts the figures under "## Editor latency" in benchmarks/RESULTS.md, replacing
only that section.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from results import write_section  # benchmarks/results.py (scripts run from benchmarks/)

from netbuilder.graph.analysis import Analyzer  # noqa: E402
from netbuilder.graph.builder import GraphBuilder  # noqa: E402
from netbuilder.graph.document import Document  # noqa: E402
from netbuilder.graph.layout import apply_layout  # noqa: E402
from netbuilder.graph.project import Project  # noqa: E402
from netbuilder.ui.canvas import EditorCanvas  # noqa: E402
from netbuilder.ui.commands import SetParam  # noqa: E402
from netbuilder.ui.inspector.view import Inspector  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADING = "## Editor latency"


def build(n_nodes: int = 500) -> Document:
    b = GraphBuilder("bench500")
    x = b.input((3, 32, 32))
    x = b.layer("Conv2d", x, out_channels=16, kernel_size=3, padding=1)
    x = b.layer("BatchNorm2d", x)
    x = b.layer("ReLU", x)
    while len(b.graph.nodes) + 5 <= n_nodes - 6:   # residual blocks, then a 6-layer head
        y = b.layer("Conv2d", x, out_channels=16, kernel_size=3, padding=1)
        y = b.layer("BatchNorm2d", y)
        y = b.layer("ReLU", y)
        y = b.layer("Conv2d", y, out_channels=16, kernel_size=3, padding=1)
        x = b.layer("Add", [y, x])
    x = b.layer("AdaptiveAvgPool2d", x)
    x = b.layer("Flatten", x)
    x = b.layer("Linear", x, out_features=64, id="hidden")
    x = b.layer("ReLU", x)
    x = b.layer("Dropout", x)
    b.layer("Linear", x, out_features=10, id="classifier")
    apply_layout(b.graph, dx=260, dy=140, wrap=25)
    return Document(Project(b.graph))


def stats(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def time_edits(app: QApplication, doc: Document, stack: QUndoStack, node: str, name: str,
               values: list, n: int) -> tuple[list[float], list[float]]:
    pushed, painted = [], []
    for i in range(n):
        t0 = time.perf_counter()
        stack.push(SetParam(doc, node, name, values[i % len(values)]))
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        pushed.append((t1 - t0) * 1000)
        painted.append((t2 - t0) * 1000)
    return pushed, painted


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = ap.parse_args()

    app = QApplication.instance() or QApplication([])
    doc = build()
    stack = QUndoStack()
    canvas = EditorCanvas(doc, stack)
    canvas.resize(1400, 900)
    canvas.show()
    inspector = Inspector(doc, stack)
    inspector.resize(340, 900)
    inspector.show()
    canvas.fit_all()
    app.processEvents()
    n_nodes, n_wires = len(doc.graph.nodes), len(doc.graph.edges)

    # Warm up (first paint, caches), then measure.
    time_edits(app, doc, stack, "hidden", "out_features", [65, 64], 6)
    inspector.show_node("hidden")
    local = time_edits(app, doc, stack, "hidden", "out_features", [96, 64], args.edits)
    inspector.show_node("input")
    fit_zoom = canvas.zoom_level()
    glob = time_edits(app, doc, stack, "input", "shape", [(3, 34, 34), (3, 32, 32)], args.edits)
    canvas.zoom_reset()
    canvas.centerOn(canvas.graph_scene.nodes["input"])
    app.processEvents()
    glob100 = time_edits(app, doc, stack, "input", "shape", [(3, 34, 34), (3, 32, 32)], args.edits)
    canvas.fit_all()

    # How many labels a global edit really changes.
    before = {e: w.text for e, w in canvas.graph_scene.wires.items()}
    stack.push(SetParam(doc, "input", "shape", (3, 36, 36)))
    changed = sum(1 for e, w in canvas.graph_scene.wires.items() if w.text != before[e])

    analysis_ms = []
    analyzer = Analyzer()
    for _ in range(10):
        t0 = time.perf_counter()
        analyzer.run(doc.graph)
        analysis_ms.append((time.perf_counter() - t0) * 1000)

    rebuild = []
    for _ in range(5):
        t0 = time.perf_counter()
        canvas.graph_scene.rebuild()
        app.processEvents()
        rebuild.append((time.perf_counter() - t0) * 1000)

    rows = [
        ("local edit (Linear width, 3 labels change): push -> items updated", stats(local[0])),
        ("local edit: push -> repainted", stats(local[1])),
        (f"global edit (input size, {changed} of {n_wires} labels change): push -> items updated",
         stats(glob[0])),
        (f"global edit: push -> repainted, whole graph in view (zoom {fit_zoom:.0%})",
         stats(glob[1])),
        ("global edit: push -> repainted, at 100% zoom", stats(glob100[1])),
        ("shape inference alone (Analyzer.run, cached rules)", stats(analysis_ms)),
        ("full scene rebuild + repaint (what we avoid per edit)", stats(rebuild)),
    ]
    print(f"{n_nodes} nodes, {n_wires} wires; {args.edits} edits of each kind")
    for label, (med, p95) in rows:
        print(f"  {label:<82} median {med:7.1f} ms   p95 {p95:7.1f} ms")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  (1-minute load average at the end: {load:.1f} on {os.cpu_count()} cores)")
    if args.write:
        write_results(rows, n_nodes, n_wires, args.edits, load)


def write_results(rows, n_nodes: int, n_wires: int, edits: int, load: float) -> None:
    lines = [HEADING, "",
             "2026-11-22, 2-core CPU, offscreen Qt (PySide6 6.11), Python 3.11. "
             f"{n_nodes}-node residual network ({n_wires} wires) in an EditorCanvas beside an "
             f"Inspector; {edits} edits of each kind, `undo_stack.push(SetParam(...))`. "
             "Target: edit to all labels updated under 100 ms. "
             f"The machine was shared while measuring (1-minute load average {load:.1f} on "
             f"{os.cpu_count()} cores by other jobs), so the figures carry that noise.", "",
             "Command: `QT_QPA_PLATFORM=offscreen python benchmarks/bench_edit_latency.py --write`",
             "", "| measurement | median | p95 |", "|---|---:|---:|"]
    lines += [f"| {label} | {med:.1f} ms | {p95:.1f} ms |" for label, (med, p95) in rows]
    lines += ["", "The canvas applies each Change incrementally: it compares every card and wire "
              "label with the new analysis and repaints only those that differ; the scene is "
              "rebuilt only when another project is opened.", ""]
    write_section(HEADING, "\n".join(lines))
    print(f"wrote {HEADING!r} in {RESULTS}")


if __name__ == "__main__":
    main()
