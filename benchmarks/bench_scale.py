"""How checking and drawing grow with the size of the network: chains of ReLUs.

For chains of 1k, 10k and 50k ReLU nodes it times, in one process: shape inference
(``analyze``, what every edit runs), the ``netbuilder check`` table (``text_report``) and its
``--json`` report, and building the canvas scene for the graph (offscreen Qt). Each is
printed with its growth ratio between sizes: linear work grows about as the sizes do (10x,
then 5x), quadratic work as their squares (100x, 25x). The table's old rows builder (list
membership, quadratic) runs beside the new one at the smaller sizes for comparison.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_scale.py [--sizes 1000 10000 50000] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.analysis import analyze  # noqa: E402
from netbuilder.graph.builder import GraphBuilder  # noqa: E402
from netbuilder.graph.report import json_report, text_report  # noqa: E402

SECTION = "## Scale: checking and drawing long chains"


def chain(n: int):
    b = GraphBuilder("chain")
    x = b.input((4,))
    for i in range(n):
        x = b.layer("ReLU", x, id=f"r{i}")
    return b.graph


def old_rows(graph, analysis):
    """The rows builder before the fix: ``n not in analysis.order`` scans a list per node."""
    return analysis.order + [n for n in graph.nodes if n not in analysis.order]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--old-up-to", type=int, default=20000)
    ap.add_argument("--no-scene", action="store_true")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    rows: dict[str, list[float | None]] = {k: [] for k in
                                           ("analysis", "check table", "check --json", "scene", "old table rows")}
    app = None
    if not args.no_scene:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
    for n in args.sizes:
        g = chain(n)
        a = analyze(g)
        rows["analysis"].append(timed(lambda g=g: analyze(g)))
        rows["check table"].append(timed(lambda g=g, a=a: text_report(g, a)))
        rows["check --json"].append(timed(lambda g=g, a=a: json_report(g, a)))
        rows["old table rows"].append(timed(lambda g=g, a=a: old_rows(g, a)) if n <= args.old_up_to else None)
        if app is not None:
            from netbuilder.graph.document import Document
            from netbuilder.graph.project import Project
            from netbuilder.ui.canvas.scene import GraphScene

            doc = Document(Project(g))
            rows["scene"].append(timed(lambda doc=doc: GraphScene(doc)))
        else:
            rows["scene"].append(None)
    head = "| work | " + " | ".join(f"{n:,} nodes" for n in args.sizes) + " | growth per step |"
    lines = [head, "|---|" + "---:|" * (len(args.sizes) + 1)]
    for name, times in rows.items():
        cells = [f"{t * 1000:.0f} ms" if t is not None else "-" for t in times]
        growth = []
        for i in range(1, len(times)):
            if times[i] is not None and times[i - 1]:
                size_ratio = args.sizes[i] / args.sizes[i - 1]
                growth.append(f"{times[i] / times[i - 1]:.1f}x (sizes {size_ratio:.0f}x)")
        line = f"| {name} | " + " | ".join(cells) + f" | {', '.join(growth) or '-'} |"
        lines.append(line)
        print(line)
    note = " (busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        SECTION, "",
        f"{datetime.date.today().isoformat()}, {cpu_name()}, load average {load_average()}{note}; "
        "one run per size.", "",
        "Command: `QT_QPA_PLATFORM=offscreen python benchmarks/bench_scale.py --write`", "",
        *lines, "",
        "Linear growth is about the size ratio; quadratic about its square. The check table "
        "was quadratic (20,000 nodes 3.6 s, 50,000 nodes 19.6 s before the fix) because its "
        "rows builder tested membership in a list."])
    if args.write:
        write_section(SECTION, text, args.results)


if __name__ == "__main__":
    main()
