"""`netbuilder train --save` loses no finished epoch, whatever happens to the process.

Real processes, really killed: SIGKILL at seeded random moments, Ctrl+C (SIGINT), SIGTERM,
a file-size limit standing in for a full disk. Each is ``netbuilder.cli.main`` forked from a
forkserver that imported netbuilder and torch once (``train_process.py``), so a process
starts in about a second; the model and dataset are the small CNN on the shipped digits.
The second Ctrl+C is tested on the handler itself, in this process.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest
import torch
from test_train_command import small_cnn_project
from train_process import TrainProcess

from netbuilder.cli import main
from netbuilder.graph import atomic
from netbuilder.graph.project import fingerprint, load_project
from netbuilder.runtime.checkpoint import load_checkpoint
from netbuilder.runtime.commands import _kept, _StopOnSignal
from netbuilder.runtime.control import TrainingControl

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

KEPT = {"C.pt", "C.best.pt"}


def _strays(folder: Path, pids: list[int]) -> list[str]:
    """Files besides the checkpoints, other than a killed process's own temporary file."""
    names = {p.name for p in folder.iterdir()} - KEPT
    ours = {n for n in names if any(n.startswith(f".C.pt.{pid}-") or
                                    n.startswith(f".C.best.pt.{pid}-") for pid in pids)}
    return sorted(names - ours)


def test_no_sequence_of_kills_loses_a_finished_epoch_or_leaves_a_bad_file(tmp_path):
    small_cnn_project(tmp_path / "p.json", epochs=8, batch_size=4)   # about 0.5 s an epoch
    out = tmp_path / "out"
    out.mkdir()
    graph_fp = fingerprint(load_project(tmp_path / "p.json").graph)
    rng = random.Random(21)
    saved_epoch, killed = 0, []
    for _ in range(3):
        resume = ["--resume", "out/C.pt"] if (out / "C.pt").exists() else []
        proc = TrainProcess(tmp_path, "p.json", "--save", "out/C.pt", *resume)
        proc.wait_for(rng.randint(0, 2))
        time.sleep(rng.uniform(0.0, 0.6))
        proc.kill()
        assert proc.wait() == -signal.SIGKILL
        killed.append(proc.pid)
        epochs_printed = [int(line.split()[1]) for line in proc.epoch_lines()]
        assert _strays(out, killed) == []
        if not (out / "C.pt").exists():
            assert saved_epoch == 0 and not epochs_printed   # killed before an epoch ended
            continue
        checkpoint = load_checkpoint(out / "C.pt", expected_fingerprint=graph_fp)
        # every epoch the terminal reported is on disk; the file never goes back
        assert checkpoint.epoch >= max(epochs_printed, default=saved_epoch) >= saved_epoch
        assert [h["epoch"] for h in checkpoint.trainer_state["history"]] == list(
            range(1, checkpoint.epoch + 1))
        saved_epoch = checkpoint.epoch
    # the last resume runs to the end, and its writes clear the killed runs' leftovers
    if saved_epoch < 8:
        resume = ["--resume", str(out / "C.pt")] if (out / "C.pt").exists() else []
        assert main(["train", str(tmp_path / "p.json"), "--save", str(out / "C.pt"),
                     *resume]) == 0
    else:
        atomic.write_bytes(out / "C.pt", (out / "C.pt").read_bytes())
    assert load_checkpoint(out / "C.pt").epoch == 8
    assert {p.name for p in out.iterdir()} == KEPT


def test_ctrl_c_stops_at_a_batch_saves_the_last_whole_epoch_and_resumes_exactly(tmp_path):
    small_cnn_project(tmp_path / "p.json", epochs=6)
    assert main(["train", str(tmp_path / "p.json"), "--save", str(tmp_path / "straight.pt")]) == 0

    proc = TrainProcess(tmp_path, "p.json", "--save", "C.pt", "--epochs", "6")
    proc.wait_for(2)
    proc.send_signal(signal.SIGINT)
    assert proc.wait() == 130, proc.stderr
    stdout, stderr = proc.stdout, proc.stderr
    assert "Traceback" not in stderr
    assert "stopping after this batch" in stderr
    stopped = [line for line in stdout.splitlines() if line.startswith("stopped (Ctrl+C)")]
    assert stopped, stdout
    kept = load_checkpoint(tmp_path / "C.pt")
    assert f"C.pt holds epoch {kept.epoch}, the last whole epoch" in stopped[0]
    assert "continue with: netbuilder train p.json --resume C.pt --save C.pt" in stdout
    assert 2 <= kept.epoch < 6

    assert main(["train", str(tmp_path / "p.json"), "--resume", str(tmp_path / "C.pt"),
                 "--save", str(tmp_path / "C.pt")]) == 0
    a, b = load_checkpoint(tmp_path / "straight.pt"), load_checkpoint(tmp_path / "C.pt")
    assert a.epoch == b.epoch == 6
    for name, tensor in a.model_state.items():
        assert torch.equal(tensor, b.model_state[name]), name
    assert {p.name for p in tmp_path.iterdir()} == {"p.json", "straight.pt", "straight.best.pt",
                                                    "C.pt", "C.best.pt", "p.runs"}


def test_a_second_ctrl_c_quits_at_once():
    """The first signal asks for a stop at the batch boundary; the second raises at once."""
    control = TrainingControl()
    with _StopOnSignal(control) as stop:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)                 # let the handler run (no timing is asserted)
        assert control.stop_requested and stop.signum == signal.SIGINT
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):
                time.sleep(0.01)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_stops_like_ctrl_c_with_its_own_exit_code(tmp_path):
    small_cnn_project(tmp_path / "p.json", epochs=500)
    proc = TrainProcess(tmp_path, "p.json", "--save", "C.pt", "--metrics-out", "m.json")
    proc.wait_for(1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait() == 143, proc.stderr
    stdout = proc.stdout
    assert "stopped (SIGTERM)" in stdout and "--resume C.pt" in stdout
    assert load_checkpoint(tmp_path / "C.pt").epoch >= 1
    assert (tmp_path / "m.json").is_file()     # the figures so far are written too


def test_what_a_stopped_run_kept_is_said_in_one_sentence(tmp_path):
    save = tmp_path / "C.pt"
    assert _kept(save, None, {}) == "no epoch finished, so no checkpoint was written"
    assert _kept(None, None, {"epochs_done": 3}).startswith("nothing was saved (--save C.pt")
    assert _kept(save, None, {"epochs_done": 3, "checkpoints": {"best": "C.best.pt"}}) == (
        f"{save} holds epoch 3, the last whole epoch; C.best.pt holds the best epoch so far")


def test_a_full_disk_keeps_the_previous_checkpoint_and_names_it(tmp_path):
    small_cnn_project(tmp_path / "p.json", epochs=2)
    assert main(["train", str(tmp_path / "p.json"), "--save", str(tmp_path / "C.pt")]) == 0
    before = (tmp_path / "C.pt").read_bytes()
    full = TrainProcess(tmp_path, "p.json", "--resume", "C.pt", "--save", "C.pt", "--epochs",
                        "4", file_size_limit=len(before) // 2)
    assert full.wait() == 2, full.stdout + full.stderr
    assert "Traceback" not in full.stderr
    assert "C.pt: cannot be written: the file is larger than this disk" in full.stderr
    assert "the previous C.pt is unchanged" in full.stderr
    assert (tmp_path / "C.pt").read_bytes() == before
    assert load_checkpoint(tmp_path / "C.pt").epoch == 2
    assert {p.name for p in tmp_path.iterdir()} == {"p.json", "C.pt", "C.best.pt", "p.runs"}


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("command", [["train", "p.json", "--resume", "evil.pt"],
                                     ["export", "p.json", "--python", "m.py", "--weights",
                                      "evil.pt"]])
def test_a_file_with_code_is_refused_in_netbuilders_words(tmp_path, command, capfd,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    small_cnn_project(tmp_path / "p.json", epochs=1)
    torch.save({"format": "netbuilder-checkpoint", "model": Exploit()}, tmp_path / "evil.pt")
    assert main(command) == 2
    out = capfd.readouterr()
    assert "this file contains code, not only tensors; netbuilder will not run it" in out.err
    assert "weights_only" not in out.err and "must never run" not in out.out
    assert not (tmp_path / "m.py").exists()
