"""``netbuilder train PROJECT``: train from the terminal with live progress.

A progress bar with loss and accuracy redrawn in place on a terminal; one plain line per
epoch when the output is piped. Exit 0 done (or stopped with Ctrl+C), 1 the network or the
settings cannot train (with the reasons), 2 an unreadable project, dataset or checkpoint.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def train_command(args: argparse.Namespace) -> int:
    from netbuilder.graph.errors import ProjectFileError
    from netbuilder.graph.project import load_project

    if args.list_datasets:
        from netbuilder.runtime.datasets import list_datasets

        for info in list_datasets():
            print(f"{info.name:<14} {info.title}  ({'x'.join(map(str, info.sample_shape))}, "
                  f"{info.task})")
        return EXIT_OK
    try:
        project = load_project(args.project)
    except ProjectFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    from netbuilder.runtime.session import plan_training, settings_with

    settings = settings_with(project.training, {
        "dataset": args.dataset, "epochs": args.epochs, "batch_size": args.batch_size,
        "lr": args.lr, "optimizer": args.optimizer, "loss": args.loss, "device": args.device,
        "seed": args.seed,
    })
    plan = plan_training(project.graph, settings)
    for w in plan.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if not plan.ok:
        for e in plan.errors:
            print(f"error: {e}", file=sys.stderr)
        unreadable = plan.config is not None and plan.dataset is None
        return EXIT_UNREADABLE if unreadable else EXIT_INVALID
    from netbuilder.graph.transfer import frozen_nodes, parameter_split

    frozen = frozen_nodes(project.graph)
    if frozen:
        counts = {nid: info.params for nid, info in plan.analysis.nodes.items()}
        print(f"frozen: {', '.join(frozen)} ({parameter_split(project.graph, counts)[1]:,} "
              "parameters keep their values)")
    if getattr(args, "weights", None):
        if args.resume:
            print("error: --weights starts a new run from a file's tensors and --resume "
                  "continues a checkpoint's run; give one of them", file=sys.stderr)
            return EXIT_INVALID
        from netbuilder.runtime.weights_command import start_from_file

        problem = start_from_file(plan, args.weights, sys.stdout)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_UNREADABLE
    resume = None
    if args.resume:
        from netbuilder.graph.project import fingerprint
        from netbuilder.runtime.checkpoint import load_checkpoint
        from netbuilder.runtime.errors import CheckpointError

        try:
            resume = load_checkpoint(args.resume, expected_fingerprint=fingerprint(project.graph))
        except CheckpointError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_UNREADABLE
    with tempfile.TemporaryDirectory(prefix="netbuilder-ckpt-") as tmp:
        outcome = _drive(plan, resume, Path(tmp) if args.save else None, sys.stdout)
        if outcome.get("failed"):
            print(f"error: {outcome['failed']}", file=sys.stderr)
            return EXIT_INVALID
        if args.save:
            last = outcome.get("checkpoints", {}).get("last")
            if last:
                dest = Path(args.save)
                try:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(last, dest)
                except OSError as e:
                    print(f"error: cannot write {dest}: {e.strerror or e}", file=sys.stderr)
                    return EXIT_UNREADABLE
                print(f"saved checkpoint {dest}")
    if args.metrics_out:
        metrics = dict(outcome.get("metrics", {}))
        # Long names as well, for scripts that read them: val_accuracy, train_accuracy.
        for short, long in (("val_acc", "val_accuracy"), ("train_acc", "train_accuracy")):
            if short in metrics:
                metrics[long] = metrics[short]
        data = {**metrics, "history": outcome.get("history", [])}
        try:
            Path(args.metrics_out).write_text(json.dumps(data, indent=2, default=float) + "\n")
        except OSError as e:
            print(f"error: cannot write {args.metrics_out}: {e.strerror or e}", file=sys.stderr)
            return EXIT_UNREADABLE
    return EXIT_OK


def _drive(plan: Any, resume: Any, checkpoint_dir: Path | None, out: TextIO) -> dict[str, Any]:
    from netbuilder.runtime.control import TrainingControl
    from netbuilder.runtime.events import Epoch, Failed, Finished, Started, Step, Stopped

    control = TrainingControl()
    live = out.isatty()
    outcome: dict[str, Any] = {}
    events = plan.run(control, resume=resume, checkpoint_dir=checkpoint_dir)
    try:
        for ev in events:
            if isinstance(ev, Started):
                print(f"training on {ev.device_name}: {ev.train_samples} samples, "
                      f"{ev.val_samples} for validation, {ev.epochs} epochs, "
                      f"{ev.parameters:,} parameters", file=out)
            elif isinstance(ev, Step) and live:
                out.write("\r" + _bar(ev))
                out.flush()
            elif isinstance(ev, Epoch):
                if live:
                    out.write("\r" + " " * 100 + "\r")
                print(_epoch_line(ev), file=out, flush=True)
            elif isinstance(ev, Finished | Stopped):
                outcome.update(metrics=dict(ev.metrics), history=list(ev.history),
                               checkpoints=dict(ev.checkpoints))
                if isinstance(ev, Stopped):
                    print(f"stopped in epoch {ev.epoch}", file=out)
                else:
                    m = ev.metrics
                    acc = m.get("val_acc")
                    print("done" + (f": validation accuracy {acc:.1%}" if acc is not None else ""),
                          file=out)
            elif isinstance(ev, Failed):
                outcome["failed"] = ev.message
    except KeyboardInterrupt:
        control.stop()
        for ev in events:  # the trainer ends after the current batch
            if isinstance(ev, Stopped | Finished):
                outcome.update(metrics=dict(ev.metrics), history=list(ev.history),
                               checkpoints=dict(ev.checkpoints))
        print("\nstopped (Ctrl+C)", file=out)
    return outcome


def _bar(ev: Any) -> str:
    width = 24
    filled = int(ev.progress * width)
    acc = f" acc {ev.train_acc:.1%}" if ev.train_acc is not None else ""
    return (f"epoch {ev.epoch} [{'#' * filled}{'.' * (width - filled)}] {ev.progress:4.0%} "
            f"loss {ev.train_loss:.4f}{acc}  {ev.samples_per_s:,.0f} samples/s  "
            f"ETA {ev.eta_s:.0f}s ")


def _epoch_line(ev: Any) -> str:
    parts = [f"epoch {ev.epoch}", f"loss {ev.train_loss:.4f}"]
    if ev.train_acc is not None:
        parts.append(f"acc {ev.train_acc:.1%}")
    if ev.val_loss is not None:
        parts.append(f"val_loss {ev.val_loss:.4f}")
    if ev.val_acc is not None:
        parts.append(f"val_acc {ev.val_acc:.1%}")
    if ev.val_mse is not None:
        parts.append(f"val_mse {ev.val_mse:.4f}")
    parts.append(f"{ev.samples_per_s:,.0f} samples/s")
    return "  ".join(parts) + ("  (best)" if ev.is_best else "")
