"""``netbuilder report PROJECT --weights CKPT -o REPORT.html [--dataset ...] [--json FILE]``.

The checkpoint says which run the weights come from (its settings, normalisation and
history); ``--dataset`` judges them on other data instead. Exit 0 written, 1 the network
cannot be judged on that data (with the reasons), 2 an unreadable project, checkpoint or
dataset, or an output that cannot be written. Messages, never tracebacks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def report_command(args: argparse.Namespace) -> int:
    from netbuilder.graph.errors import ProjectFileError
    from netbuilder.graph.project import fingerprint, load_project

    try:
        project = load_project(args.project)
    except ProjectFileError as e:
        _error(str(e))
        return EXIT_UNREADABLE
    from netbuilder.runtime.checkpoint import load_checkpoint
    from netbuilder.runtime.errors import CheckpointError

    try:
        checkpoint = load_checkpoint(args.weights, expected_fingerprint=fingerprint(project.graph))
    except CheckpointError as e:
        _error(str(e))
        return EXIT_UNREADABLE
    from netbuilder.runtime.session import plan_training, settings_with

    trainer = checkpoint.trainer_state
    settings = settings_with(trainer.get("config") or project.training, {"dataset": args.dataset})
    plan = plan_training(project.graph, settings)
    for w in plan.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not plan.ok:
        for e in plan.errors:
            _error(e)
        return EXIT_UNREADABLE if plan.config is not None and plan.dataset is None else EXIT_INVALID
    from netbuilder.runtime.tasks import run_task

    task = run_task(plan.config.task, plan.dataset.info)
    if task in ("reconstruction", "segmentation"):
        _error(f"the report judges one answer per sample (classes or numbers), but this run's "
               f"task is {task}: its figures are in the training history (--metrics-out of "
               "netbuilder train) and its pictures in the window's Inside > Sample tab")
        return EXIT_INVALID
    from netbuilder.runtime.report.content import build_report
    from netbuilder.runtime.report.page import render_html, write_text_atomically

    history = [h for h in trainer.get("history") or () if isinstance(h, dict)]
    try:
        report = build_report(
            project.graph, plan.dataset, plan.config, checkpoint.model_state,
            normalization=trainer.get("normalization"),   # the inputs as the network learned them
            history=history, epoch=checkpoint.epoch, weights_name=Path(args.weights).name)
    except RuntimeError as e:           # load_state_dict: weights of another shape
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        _error(f"{Path(args.weights).name}: the weights do not fit this network ({first}); "
               "was the graph changed since the checkpoint was saved?")
        return EXIT_UNREADABLE
    outputs = [(args.output, render_html(report))]
    if args.json:
        outputs.append((args.json, json.dumps(report.numbers, indent=2) + "\n"))
    for path, text in outputs:
        try:
            write_text_atomically(path, text)
        except OSError as e:           # graph.atomic.WriteError: the file and why, in words
            _error(str(e) if getattr(e, "path", None) else f"cannot write {path}: {e.strerror or e}")
            return EXIT_UNREADABLE
    n = report.numbers
    figure = (f"accuracy {n['accuracy']:.1%}" if n.get("accuracy") is not None
              else f"MSE {n['mse']:.4g}" if n.get("mse") is not None else "")
    print(f"wrote {args.output}" + (f" ({figure} on {n['samples']} validation samples)" if figure else ""))
    if args.json:
        print(f"wrote {args.json}")
    return EXIT_OK
