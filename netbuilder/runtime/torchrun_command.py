"""``netbuilder train PROJECT --nproc N``: the training script under torchrun on this machine.

The script (``codegen.train_script``, the same one ``export --train-script`` writes) goes
into the run folder as ``train.py`` and runs as ``python -m torch.distributed.run
--standalone --nproc_per_node N train.py``; its output passes through. The run folder holds
``last.pt``/``best.pt`` (netbuilder checkpoints) and ``metrics.json``; running the command
again with the same folder and more epochs resumes from ``last.pt``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import netbuilder

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def torchrun_argv(script: Path, nproc: int, script_args: list[str],
                  max_restarts: int = 0) -> list[str]:
    """The command line that runs ``script`` on ``nproc`` processes of this machine."""
    return [sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc_per_node={nproc}", f"--max-restarts={max_restarts}", str(script),
            *script_args]


def script_environment() -> dict[str, str]:
    """The environment for the script: this netbuilder first on the import path (a source
    checkout runs its own copy, not another installed one)."""
    env = dict(os.environ)
    root = str(Path(netbuilder.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def torchrun_command(args: argparse.Namespace, project) -> int:
    """Write the script into the run folder and run it; returns the exit code."""
    from netbuilder.codegen.errors import CompileError
    from netbuilder.codegen.train_script import training_script
    from netbuilder.graph import atomic

    if args.nproc < 1:
        print(f"error: --nproc {args.nproc}: give the number of processes, 1 or more",
              file=sys.stderr)
        return EXIT_UNREADABLE
    for flag, given in (("--resume", args.resume), ("--save", args.save),
                        ("--metrics-out", args.metrics_out)):
        if given:
            print(f"error: {flag} does not apply with --nproc: the run folder (--run-dir) "
                  "holds last.pt, best.pt and metrics.json, and a run started again with "
                  "the same folder resumes from its last.pt", file=sys.stderr)
            return EXIT_UNREADABLE
    try:
        text = training_script(project)
    except CompileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID
    slug = "".join(c if c.isalnum() else "_" for c in project.graph.name.lower()).strip("_")
    run_dir = Path(args.run_dir or Path("runs") / (slug or "network"))
    script = run_dir / "train.py"
    try:
        atomic.write_text(script, text)
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    script_args = ["--out", str(run_dir)]
    for flag, value in (("--data", args.dataset), ("--epochs", args.epochs),
                        ("--batch-size", args.batch_size), ("--lr", args.lr),
                        ("--optimizer", args.optimizer), ("--seed", args.seed),
                        ("--device", args.device), ("--weights", args.weights)):
        if value is not None:
            script_args += [flag, str(value)]
    if args.fsdp:
        script_args.append("--fsdp")
    argv = torchrun_argv(script, args.nproc, script_args)
    print(f"wrote {script}; running it on {args.nproc} process(es) with torchrun", flush=True)
    try:
        done = subprocess.run(argv, env=script_environment(), check=False)
    except OSError as e:
        print(f"error: cannot start torchrun ({e.strerror or e})", file=sys.stderr)
        return EXIT_UNREADABLE
    if done.returncode != 0:
        print(f"error: the training script stopped with exit code {done.returncode}; its "
              f"messages are above. The run folder {run_dir} keeps the last whole epoch",
              file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
