"""``netbuilder train`` as a real process that a test can kill, started in about a second.

A fresh interpreter spends seconds importing torch, scikit-learn and netbuilder before the
first batch; a forkserver (``multiprocessing``) imports them once, in a process of its own
that has run nothing, and forks each ``netbuilder train`` from it. Each child is a real
process running ``netbuilder.cli.main``: it gets real signals, is really killed, and its
stdout and stderr go to files the test reads.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["netbuilder.cli", "netbuilder.runtime.commands",
                                 "netbuilder.runtime.session", "netbuilder.runtime.trainer",
                                 "netbuilder.codegen.build", "sklearn.datasets",
                                 "torch._dynamo", "train_process"])


def _child(argv: list[str], cwd: str, out: str, err: str, file_size_limit: int | None) -> None:
    os.chdir(cwd)
    os.environ["OMP_NUM_THREADS"] = "1"
    out_fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err_fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    if file_size_limit is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    from netbuilder.cli import main

    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class TrainProcess:
    """``netbuilder train ARGS`` running in ``cwd``; ``returncode`` as subprocess gives it."""

    def __init__(self, cwd: Path, *args: str, file_size_limit: int | None = None) -> None:
        self.cwd = Path(cwd)
        logs = self.cwd.parent          # not in cwd: a test lists that folder
        stamp = f"{self.cwd.name}-{time.monotonic_ns()}"
        self._out = logs / f"stdout-{stamp}.txt"
        self._err = logs / f"stderr-{stamp}.txt"
        self._process = _CONTEXT.Process(
            target=_child, args=(["train", *args], str(cwd), str(self._out), str(self._err),
                                 file_size_limit))
        self._process.start()
        self.pid = self._process.pid

    @property
    def stdout(self) -> str:
        return self._out.read_text() if self._out.exists() else ""

    @property
    def stderr(self) -> str:
        return self._err.read_text() if self._err.exists() else ""

    def epoch_lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("epoch ")]

    def wait_for(self, epochs: int, text: str = "") -> None:
        """Return once ``epochs`` epoch lines (and ``text``) are printed, or the process ended."""
        while self._process.is_alive() and (len(self.epoch_lines()) < epochs
                                            or text not in self.stdout):
            time.sleep(0.01)

    def send_signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float = 300) -> int:
        self._process.join(timeout)
        return self.returncode

    @property
    def returncode(self) -> int:
        return self._process.exitcode

