"""``netbuilder train PROJECT``: train from the terminal with live progress.

A progress bar with loss and accuracy redrawn in place on a terminal; one plain line per
epoch when the output is piped. With ``--save C.pt`` the checkpoint is written to ``C.pt``
after every epoch (and ``C.best.pt`` at each new best validation loss), atomically, so a
killed run keeps every finished epoch. Ctrl+C or SIGTERM stops at the next batch boundary,
says what is saved and how to resume; a second Ctrl+C quits at once. Each run is recorded
in the project's run history (``PROJECT.runs/``, see runtime/runs) unless ``--no-history``.

Exit 0 done, 1 the network or the settings cannot train (with the reasons), 2 an unreadable
project, dataset or checkpoint or an unwritable file, 130 stopped by Ctrl+C (SIGINT), 143
stopped by SIGTERM (128 + the signal's number, as shells report it).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
EXIT_STOPPED = 128   # + the signal's number: 130 Ctrl+C, 143 SIGTERM


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
    if getattr(args, "nproc", None) is not None:   # the training script under torchrun
        from netbuilder.runtime.torchrun_command import torchrun_command

        return torchrun_command(args, project)
    from netbuilder.runtime.session import plan_training, settings_with

    settings = settings_with(project.training, {
        "dataset": args.dataset, "epochs": args.epochs, "batch_size": args.batch_size,
        "lr": args.lr, "optimizer": args.optimizer, "loss": args.loss, "device": args.device,
        "seed": args.seed, "task": getattr(args, "task", None),
        "denoise_std": getattr(args, "denoise_std", None),
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
    if not getattr(args, "no_history", False) and _keeps_history(args.project):
        from netbuilder.graph.project import project_to_dict
        from netbuilder.runtime.runs.recorder import RunRecorder
        from netbuilder.runtime.runs.store import RunStore

        plan.recorder = RunRecorder(RunStore(args.project), project_to_dict(project),
                                    name=getattr(args, "name", None))
    from netbuilder.runtime.control import TrainingControl

    control = TrainingControl()
    save = Path(args.save) if args.save else None
    stop = _StopOnSignal(control)
    outcome: dict[str, Any] = {}
    with stop:
        try:
            _drive(plan, resume, save, sys.stdout, control, outcome)
        except KeyboardInterrupt:            # the second Ctrl+C: quit now, say what is kept
            print(f"\ninterrupted; {_kept(save, resume, outcome)}", file=sys.stderr)
            return EXIT_STOPPED + (stop.signum or signal.SIGINT)
    if outcome.get("failed"):
        print(f"error: {outcome['failed']}", file=sys.stderr)
        if save is not None and outcome.get("epochs_done"):
            print(f"note: {_kept(save, resume, outcome)}", file=sys.stderr)
        kind = outcome.get("failed_kind")
        return EXIT_UNREADABLE if kind == "checkpoint" and "cannot be written" in \
            outcome["failed"] else EXIT_INVALID
    if stop.signum is not None:
        name = "Ctrl+C" if stop.signum == signal.SIGINT else signal.Signals(stop.signum).name
        print(f"stopped ({name}) in epoch {outcome.get('stopped_epoch', '?')}; "
              f"{_kept(save, resume, outcome)}", flush=True)
        if save is not None and _epochs_kept(resume, outcome):
            print(f"continue with: netbuilder train {args.project} --resume {save} "
                  f"--save {save}", flush=True)
    elif save is not None and outcome.get("checkpoints", {}).get("last"):
        print(f"saved checkpoint {save}" + (f" (best: {outcome['checkpoints']['best']})"
                                             if outcome["checkpoints"].get("best") else ""))
    recorder = plan.recorder
    if recorder is not None:
        if recorder.problem:
            print(f"warning: the run was not recorded in the history: {recorder.problem}",
                  file=sys.stderr)
        elif recorder.run_id is not None:
            from netbuilder.runtime.runs.verdict import fit_verdict

            verdict = fit_verdict(outcome.get("history") or [])
            if verdict.kind != "unknown":
                print(f"fit: {verdict.text}", flush=True)
            print(f"recorded as '{recorder.name or f'run {recorder.run_id}'}' in "
                  f"{recorder.store.folder}", flush=True)
    if args.metrics_out:
        metrics = dict(outcome.get("metrics", {}))
        # Long names as well, for scripts that read them: val_accuracy, train_accuracy.
        for short, long in (("val_acc", "val_accuracy"), ("train_acc", "train_accuracy")):
            if short in metrics:
                metrics[long] = metrics[short]
        data = {**metrics, "history": outcome.get("history", [])}
        from netbuilder.graph import atomic

        try:
            atomic.write_text(args.metrics_out, json.dumps(data, indent=2, default=float) + "\n")
        except OSError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_UNREADABLE
    if stop.signum is not None:
        return EXIT_STOPPED + stop.signum
    return EXIT_OK


def _keeps_history(project: str) -> bool:
    """Runs are recorded beside a student's project, not inside netbuilder's own examples
    (a shipped example is opened and saved under a new name to keep its runs)."""
    from netbuilder.graph.examples import examples_dir

    try:
        return not Path(project).resolve().is_relative_to(examples_dir().resolve())
    except OSError:
        return True


class _StopOnSignal:
    """While active, the first SIGINT or SIGTERM asks the trainer to stop after the current
    batch; a second one raises KeyboardInterrupt at once. Outside the main thread (a test
    calling the command from another thread) nothing is installed."""

    def __init__(self, control: Any) -> None:
        self.control = control
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopOnSignal:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt
        self.signum = signum
        self.control.stop()
        print("\nstopping after this batch (Ctrl+C again to quit at once)", file=sys.stderr,
              flush=True)


def _epochs_kept(resume: Any, outcome: dict[str, Any] | None) -> int:
    done = (outcome or {}).get("epochs_done") or 0
    return done or (resume.epoch if resume is not None else 0)


def _kept(save: Path | None, resume: Any, outcome: dict[str, Any] | None = None) -> str:
    """What a stopped run left on disk, in one sentence."""
    done = (outcome or {}).get("epochs_done") or 0
    if save is None:
        return "nothing was saved (--save C.pt keeps a checkpoint of every finished epoch)"
    if done:
        best = (outcome or {}).get("checkpoints", {}).get("best")
        also = f"; {best} holds the best epoch so far" if best else ""
        return f"{save} holds epoch {done}, the last whole epoch{also}"
    if resume is not None:
        return (f"no epoch finished in this run, so nothing new was saved; {resume.path} "
                f"still holds epoch {resume.epoch}")
    return "no epoch finished, so no checkpoint was written"


def _drive(plan: Any, resume: Any, save: Path | None, out: TextIO, control: Any,
           outcome: dict[str, Any]) -> None:
    """Run the plan, printing progress; ``outcome`` fills in as events arrive."""
    from netbuilder.runtime.events import Epoch, Failed, Finished, Started, Step, Stopped

    live = out.isatty()
    events = plan.run(control, resume=resume, checkpoint_file=save)
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
            outcome["epochs_done"] = ev.epoch
        elif isinstance(ev, Finished | Stopped):
            outcome.update(metrics=dict(ev.metrics), history=list(ev.history),
                           checkpoints=dict(ev.checkpoints))
            if isinstance(ev, Stopped):
                outcome["stopped_epoch"] = ev.epoch
            else:
                print("done" + _final_figures(ev.metrics), file=out)
        elif isinstance(ev, Failed):
            outcome["failed"] = ev.message
            outcome["failed_kind"] = ev.kind


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
    if ev.val_miou is not None:
        parts.append(f"val_miou {ev.val_miou:.3f}")
    if ev.val_mse is not None:
        parts.append(f"val_mse {ev.val_mse:.4f}")
    parts.append(f"{ev.samples_per_s:,.0f} samples/s")
    return "  ".join(parts) + ("  (best)" if ev.is_best else "")


def _final_figures(m: dict[str, Any]) -> str:
    """The last epoch's validation figures for the closing line ('' when there are none)."""
    if m.get("val_miou") is not None:
        return f": validation pixel accuracy {m['val_acc']:.1%}, mean IoU {m['val_miou']:.3f}"
    if m.get("val_acc") is not None:
        return f": validation accuracy {m['val_acc']:.1%}"
    if m.get("val_mse") is not None:
        return f": validation MSE {m['val_mse']:.4f}"
    return ""
