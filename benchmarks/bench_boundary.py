"""Benchmark: does the live decision boundary slow training or the window?

An MLP (2-16-16-1, Tanh) learns the two spirals in the Training panel while the
decision-boundary view is on screen and redraws itself from live weight snapshots (5 times a
second); a 16 ms precise QTimer in the GUI thread records how late each tick comes (the
method of ``bench_gui_training.py``). In the same process, alternating, the same plan trains
headless (``plan.run()`` in a plain loop) and in the panel with no view open. Throughput is
training samples over the whole run's wall time. Also printed: how long one live redraw takes
(grid evaluation on the worker thread, picture set in the GUI thread).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_boundary.py            # print
    QT_QPA_PLATFORM=offscreen python benchmarks/bench_boundary.py --write    # + RESULTS.md

Goals (the gui-training bar): p95 lateness under 20 ms; throughput with the view live at
least 80% of headless.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_gui_training import (  # noqa: E402 - benchmarks/ scripts share the method
    LatenessProbe,
    percentile,
    pump_until,
    run_headless,
    run_panel,
)
from machine import cpu_name, load_average  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.document import Document  # noqa: E402
from netbuilder.graph.project import project_from_dict  # noqa: E402
from netbuilder.ui.appearance import apply_base_font, apply_theme  # noqa: E402
from netbuilder.ui.insight import boundary_view  # noqa: E402
from netbuilder.ui.insight.boundary_view import BoundaryView  # noqa: E402
from netbuilder.ui.insight.source import InsightSource  # noqa: E402
from netbuilder.ui.training.panel import gui_cpu_threads  # noqa: E402
from netbuilder.ui.training_host import TrainingHost  # noqa: E402

SECTION = "## Decision boundary while training"
LAYERS = [
    ("input", "Input", {"shape": [2]}),
    ("hidden1", "Linear", {"out_features": 16}),
    ("act1", "Tanh", {}),
    ("hidden2", "Linear", {"out_features": 16}),
    ("act2", "Tanh", {}),
    ("out", "Linear", {"out_features": 1}),
]


def document(epochs: int, batch_size: int) -> Document:
    data = {
        "format": "netbuilder", "version": 1, "name": "MLP on spirals",
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in LAYERS],
        "edges": [{"source": a[0], "target": b[0]} for a, b in zip(LAYERS, LAYERS[1:], strict=False)],
        "training": {"dataset": "spirals", "epochs": epochs, "batch_size": batch_size,
                     "loss": "bce_with_logits", "lr": 0.01, "optimizer": "adam"},
    }
    return Document(project_from_dict(data))


class Costs:
    """Times each live picture's computation (grid, hidden units and their colours, on the
    worker thread) and each picture update (GUI thread)."""

    def __init__(self) -> None:
        self.grid_ms: list[float] = []
        self.draw_ms: list[float] = []
        compute, draw = boundary_view._compute, BoundaryView._draw_grid

        def timed_grid(prober, plane, ctx, resolution, base):
            began = time.perf_counter()
            try:
                return compute(prober, plane, ctx, resolution, base)
            finally:
                if resolution == boundary_view.LIVE_RESOLUTION:      # live pictures only
                    self.grid_ms.append(1000 * (time.perf_counter() - began))

        def timed_draw(view):
            began = time.perf_counter()
            try:
                return draw(view)
            finally:
                self.draw_ms.append(1000 * (time.perf_counter() - began))

        boundary_view._compute = timed_grid
        BoundaryView._draw_grid = timed_draw


def median_or_nan(values: list[float]) -> float:
    """The median; nan when a run was too short for any live picture."""
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--live-ms", type=int, default=boundary_view.LIVE_MS,
                        help="the view's snapshot interval (the shipped one by default)")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light")
    apply_base_font(app, False)
    load = load_average()
    boundary_view.LIVE_MS = args.live_ms
    costs = Costs()
    doc = document(args.epochs, args.batch_size)
    host = TrainingHost(doc)
    panel = host.ensure_panel()
    host.resize(1280, 360)
    host.show()
    source = InsightSource(doc, host)
    view = BoundaryView(source)
    view.resize(1000, 700)
    probe = LatenessProbe()
    pump_until(app, lambda: not panel.checking, 60)
    settings = {**doc.project.training, "cpu_threads": gui_cpu_threads()}
    run_headless(doc, settings)                       # warm-up: imports, first allocations

    headless, bare, live, redraws = [], [], [], []
    for _ in range(args.repeats):
        headless.append(run_headless(doc, settings))
        view.hide()
        bare.append(run_panel(app, panel, probe))
        view.show()
        before = view.live_redraws
        live.append(run_panel(app, panel, probe))
        redraws.append((view.live_redraws - before) / live[-1]["wall"])
    view.hide()
    panel.shutdown()

    def summary(runs):
        late = [x for r in runs for x in r["late"]]
        return (percentile(late, 50), percentile(late, 95), max(late),
                statistics.median(r["samples_per_s"] for r in runs))

    head_sps = statistics.median(h["samples_per_s"] for h in headless)
    l50, l95, lmax, live_sps = summary(live)
    b50, b95, bmax, bare_sps = summary(bare)
    pairs = [g["samples_per_s"] / h["samples_per_s"] for g, h in zip(live, headless, strict=True)]
    grid_ms, draw_ms = median_or_nan(costs.grid_ms), median_or_nan(costs.draw_ms)
    per_s = statistics.median(redraws)
    res = boundary_view.LIVE_RESOLUTION
    loop = {name: statistics.median(r["loop_samples_per_s"] for r in runs)
            for name, runs in (("live", live), ("bare", bare), ("headless", headless))}
    loop_ratio = loop["live"] / loop["headless"]
    lines = [
        f"GUI timer lateness, boundary view live: p50 {l50:.1f} ms, p95 {l95:.1f} ms, max "
        f"{lmax:.1f} ms (panel alone: p95 {b95:.1f} ms, max {bmax:.1f} ms)",
        f"throughput: view live {live_sps:,.0f} samples/s, panel alone {bare_sps:,.0f}, headless "
        f"{head_sps:,.0f} -> live/headless {live_sps / head_sps:.0%} (pairs {min(pairs):.0%} to "
        f"{max(pairs):.0%}), panel alone/headless {bare_sps / head_sps:.0%}",
        f"training loop only (trainer's samples/s): view live {loop['live']:,.0f}, panel alone "
        f"{loop['bare']:,.0f}, headless {loop['headless']:,.0f} -> live/headless {loop_ratio:.0%}, "
        f"panel alone/headless {loop['bare'] / loop['headless']:.0%}",
        f"live redraws: {per_s:.1f} per second; one {res}x{res} picture with the hidden units "
        f"{grid_ms:.1f} ms (worker thread), setting the picture {draw_ms:.1f} ms (GUI thread)",
        f"{args.repeats} runs each of {args.epochs} epochs; load average {load} on "
        f"{os.cpu_count()} cores ({cpu_name()})",
    ]
    print("\n".join(lines))
    if args.write:
        text = "\n".join([
            SECTION, "",
            f"2026-12-07, {cpu_name()} ({os.cpu_count()} cores), offscreen Qt, Python "
            f"{platform.python_version()}. An MLP (2-16-16-1, Tanh) learns the 1,000 spiral "
            f"points ({args.epochs} epochs, batch {args.batch_size}, {args.repeats} runs of each "
            f"kind, alternating) in the Training panel with the decision-boundary view on "
            f"screen, redrawing from live weight snapshots; a 16 ms precise QTimer records "
            f"the GUI thread's lateness (method of `bench_gui_training.py`). Goals: p95 "
            f"lateness < 20 ms, throughput >= 80% of headless.",
            "",
            "Command: `QT_QPA_PLATFORM=offscreen python benchmarks/bench_boundary.py --write`",
            "",
            "| measurement | value |", "|---|---:|",
            f"| timer lateness p50, view live | {l50:.1f} ms |",
            f"| timer lateness p95, view live | {l95:.1f} ms |",
            f"| timer lateness max, view live | {lmax:.1f} ms |",
            f"| timer lateness p95, panel alone | {b95:.1f} ms |",
            f"| view live, whole run | {live_sps:,.0f} samples/s |",
            f"| panel alone, whole run | {bare_sps:,.0f} samples/s |",
            f"| headless, whole run | {head_sps:,.0f} samples/s |",
            f"| ratio view live / headless (medians) | {live_sps / head_sps:.0%} |",
            f"| ratio, each pair of runs | {min(pairs):.0%} to {max(pairs):.0%} |",
            f"| ratio panel alone / headless | {bare_sps / head_sps:.0%} |",
            f"| ratio, training loop only (trainer's samples/s), view live / headless | "
            f"{loop_ratio:.0%} |",
            f"| ratio, training loop only, panel alone / headless | "
            f"{loop['bare'] / loop['headless']:.0%} |",
            f"| live redraws per second | {per_s:.1f} |",
            f"| one {res}x{res} picture + hidden units, computed (worker thread) | {grid_ms:.1f} ms |",
            f"| setting the picture (GUI thread) | {draw_ms:.1f} ms |",
            "",
            f"Load average at the start: {load} on {os.cpu_count()} cores (shared machine). "
            f"Torch runs with {settings['cpu_threads']} intra-op thread(s) in every run.",
            "",
        ])
        write_section(SECTION, text, args.results)


if __name__ == "__main__":
    main()
