"""Grading cost: seconds per submission for `netbuilder grade`, and the speed-up of --jobs 2.

A class of ``--submissions`` correct submissions is graded against an assignment with graph
goals and one training goal (``--epochs`` epochs, fixed seed and optimiser): LeNet-5 variants
(conv widths differ) on the 28x28 digits (``--network lenet5``, the default), or MLPs on the
8x8 digits (``--network mlp``, for a quick run). In the same process: graph goals only, in
this process; then the whole grade (retraining) for each ``--jobs`` value (0: in this
process; 1: one worker process, the competing approach; 2: two worker processes); with
``--reports``, the whole grade plus each student's report page on two workers. Worker
start-up (spawn, importing torch and scikit-learn, torch's first optimiser step) is
included: it is what an instructor waits for.

    python benchmarks/bench_grade.py [--network lenet5] [--submissions 8] [--epochs 1]
                                     [--jobs 0,1,2] [--repeats 2] [--reports] [--write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

from netbuilder.graph.assignment import (  # noqa: E402
    assignment_from_dict,
    dumps_assignment,
    make_submission,
    starting_project,
)
from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project, project_to_dict, save_project  # noqa: E402
from netbuilder.runtime.classroom.batch import grade_all  # noqa: E402
from netbuilder.runtime.classroom.grade import GradeOptions  # noqa: E402

HEADING = "## Grading (netbuilder grade)"


NETWORKS = {   # example, dataset, node to vary, its parameter, parameter limit
    "lenet5": ("lenet5", "digits28", "conv2", "out_channels", 70000),
    "mlp": ("mlp_digits", "digits", "hidden1", "out_features", 5000),
}


def make_class(folder: Path, n: int, epochs: int, network: str):
    example, dataset, node, param, limit = NETWORKS[network]
    last = "fc3" if network == "lenet5" else "out"
    d = {"format": "netbuilder-assignment", "version": 1, "title": f"{example}, graded",
         "project": project_to_dict(load_project(example_path(example))),
         "locks": {"nodes": ["input", last], "params": {last: ["out_features"]}},
         "goals": [{"kind": "valid"}, {"kind": "output_shape", "shape": [10]},
                   {"kind": "max_params", "limit": limit},
                   {"kind": "min_accuracy", "value": 0.8,
                    "training": {"dataset": dataset, "epochs": epochs, "seed": 0,
                                 "optimizer": "adam", "lr": 0.01}}]}
    a = assignment_from_dict(d)
    paths = []
    for i in range(n):
        p = starting_project(a)
        p.graph.set_param(node, param, 8 + 2 * (i % 8))
        path = folder / f"student_{i:02d}.json"
        save_project(make_submission(p, a, f"Student {i}"), path)
        paths.append(path)
    return dumps_assignment(a), paths


def timed(text: str, paths: list[Path], jobs: int, options: GradeOptions) -> tuple[float, list]:
    start = time.perf_counter()
    rows = [row for _i, row in grade_all(text, paths, jobs=jobs, options=options)]
    seconds = time.perf_counter() - start
    assert len(rows) == len(paths) and all(r.verdict == "graded" for r in rows), \
        [r.reason for r in rows]
    return seconds, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--network", choices=sorted(NETWORKS), default="lenet5")
    ap.add_argument("--submissions", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--jobs", default="0,1,2", help="comma-separated --jobs values to time")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--reports", action="store_true", help="also time each student's report")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args()
    torch.set_num_threads(1)
    n = args.submissions
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text, paths = make_class(folder, n, args.epochs, args.network)
        graph_only = GradeOptions(train=False)
        full = GradeOptions()
        timed(text, paths[:1], 0, full)               # warm the in-process caches once
        runs: dict[str, list[float]] = {}
        cases = [("graph goals only, in this process", 0, graph_only)]
        for jobs in (int(j) for j in args.jobs.split(",")):
            where = ("in this process" if jobs == 0 else
                     f"{jobs} worker process{'es' if jobs > 1 else ''}")
            cases.append((f"whole grade, {where} (--jobs {jobs})", jobs, full))
        if args.reports:
            reports = folder / "reports"
            reports.mkdir()
            cases.append(("whole grade + each student's report, --jobs 2", 2,
                          lambda i, p: GradeOptions(report_dir=str(reports),
                                                    report_name=f"{i}.html")))
        figures: dict[str, float] = {}
        for _ in range(args.repeats):               # alternate the cases: drift hits all alike
            for name, jobs, options in cases:
                seconds, rows = timed(text, paths, jobs, options)
                runs.setdefault(name, []).append(seconds)
                if jobs == 0 and options is full:
                    figures["train"] = statistics.mean(r.train_seconds for r in rows)
    med = {name: statistics.median(v) for name, v in runs.items()}
    by_jobs = {jobs: med[name] for name, jobs, options in cases if options is full}
    rows = ["| grading | wall time | per submission |", "|---|---:|---:|"]
    for name, seconds in med.items():
        rows.append(f"| {name} | {seconds:.2f} s | {1000 * seconds / n:.0f} ms |")
    for row in rows[2:]:
        print(row)
    ratio = by_jobs[1] / by_jobs[2] if 1 in by_jobs and 2 in by_jobs else None
    said = (f"Speed-up of `--jobs 2` over `--jobs 1`: {ratio:.2f}x." if ratio is not None
            else "(`--jobs 1` and `--jobs 2` not both timed: no speed-up figure.)")
    note = " (the machine was busy: more runnable jobs than cores)" if busy() else ""
    text = "\n".join([
        HEADING, "",
        f"{date.today().isoformat()}, {cpu_name()}, {os.cpu_count()} cores, torch "
        f"{torch.__version__}, load average {load_average()}{note}. {n} submissions "
        f"({NETWORKS[args.network][0]} variants on {NETWORKS[args.network][1]}), one training "
        f"goal of {args.epochs} epoch(s) on 1,437 samples; median of {args.repeats} "
        "alternating runs. Worker start-up is included.",
        "", f"Command: `python benchmarks/bench_grade.py --network {args.network} --submissions "
        f"{n} --epochs {args.epochs} --jobs {args.jobs} --repeats {args.repeats}"
        f"{' --reports' if args.reports else ''} --write`",
        "", *rows, "",
        f"{said} Training itself took "
        f"{1000 * figures.get('train', 0):.0f} ms per submission in this process; the rest "
        "of a worker's time is reading, checking and, once per worker, starting Python and "
        "torch."
        + (" With more runnable jobs than cores, a second worker gets no core of its own and "
           "adds its start-up: run the grader with `--jobs` at most the idle cores."
           if busy() and ratio is not None and ratio < 1.2 else ""),
    ])
    print(text.splitlines()[-1])
    if args.write:
        write_section(HEADING, text, args.results)


if __name__ == "__main__":
    main()
