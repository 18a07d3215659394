"""The training script (``export --train-script``, ``train --nproc``) under torchrun on the CPU.

Real processes: torchrun starts two workers that talk over gloo, as on a cluster (NCCL on
GPUs: the ``gpu`` tests at the end). The script writes netbuilder checkpoints, which the
tests open the way the app does. Tolerance against the single-process run: parameters
agree within 1e-5 (DDP sums the two halves of each global batch in another order than one
process does; nothing else differs), and the reported accuracy is identical.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.cli import main
from netbuilder.codegen.build import build_module
from netbuilder.graph.project import fingerprint, load_project
from netbuilder.runtime.checkpoint import load_checkpoint, restore_model, save_checkpoint
from netbuilder.runtime.datasets import load_dataset, split_indices
from netbuilder.runtime.torchrun_command import script_environment, torchrun_argv
from netbuilder.runtime.trainer import batch_sizes

ROOT = Path(__file__).resolve().parents[2]
MOONS = ROOT / "assets" / "examples" / "mlp_moons.json"
LENET = ROOT / "assets" / "examples" / "lenet5.json"


@pytest.fixture(scope="module")
def script(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("script") / "train_moons.py"
    assert main(["export", str(MOONS), "--train-script", str(out)]) == 0
    return out


def _module(path: Path):
    """The generated script as a module (our own generated file, to call its functions)."""
    spec = importlib.util.spec_from_file_location("train_script_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _python(script: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(script), *args], env=script_environment(),
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_script_passes_ruff_and_executes_nothing_from_files(script, tmp_path):
    lenet = tmp_path / "train_lenet.py"
    assert main(["export", str(LENET), "--train-script", str(lenet)]) == 0
    for path in (script, lenet):
        ruff = Path(sys.executable).with_name("ruff")
        done = subprocess.run([str(ruff), "check", "--config", str(ROOT / "pyproject.toml"),
                               str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not names & {"eval", "exec", "compile", "__import__"}
        assert not any("pickle" in (m or "") for m in modules)
    text = lenet.read_text(encoding="utf-8")
    assert "class LeNet5(nn.Module)" in text
    assert "'dataset': 'digits28'" in text and "'epochs': 10" in text   # the project's settings


def test_what_the_script_imports_loads_no_qt(script):
    """A cluster installs netbuilder for the data readers and checkpoints: nothing the
    script imports may pull in Qt or pyqtgraph."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    imports = sorted({n.module for n in ast.walk(tree)
                      if isinstance(n, ast.ImportFrom) and n.module.startswith("netbuilder")})
    assert "netbuilder.runtime.datasets" in imports
    probe = "import sys\n" + "".join(f"import {m}\n" for m in imports) + (
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')))")
    done = subprocess.run([sys.executable, "-c", probe], env=script_environment(),
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def script_module(script):
    return _module(script)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 300), batch=st.integers(1, 40), world=st.integers(1, 4),
       epoch=st.integers(1, 5))
def test_each_sample_once_per_epoch_across_processes(script_module, n, batch, world, epoch):
    shards = [script_module.epoch_batches(n, batch * world, 7, epoch, rank, world)
              for rank in range(world)]
    assert len({len(s) for s in shards}) == 1       # every process takes the same steps
    seen = torch.cat([index for shard in shards for index, _ in shard])
    assert len(set(seen.tolist())) == len(seen)     # no sample twice in an epoch
    assert n - len(seen) < max(world, 2)            # only a short last batch is left out
    for step in range(len(shards[0])):              # each step's global size is its parts'
        assert sum(len(s[step][0]) for s in shards) == shards[0][step][1]
    if world == 1:                                  # one process: the app trainer's batches
        assert [size for _, size in shards[0]] == batch_sizes(n, batch)


def _finished_history(run: Path) -> list[dict]:
    return load_checkpoint(run / "last.pt").trainer_state["history"]


def test_two_processes_match_one_and_the_run_opens_in_netbuilder(script, tmp_path, capfd):
    one, two = tmp_path / "one", tmp_path / "two"
    single = _python(script, "--epochs", "2", "--batch-size", "32", "--out", str(one))
    assert single.returncode == 0, single.stderr
    code = main(["train", str(MOONS), "--nproc", "2", "--epochs", "2", "--batch-size", "16",
                 "--run-dir", str(two)])
    out = capfd.readouterr().out
    assert code == 0, out
    assert "all 2 processes hold the same parameters: yes" in out     # checked in the script
    assert "(200 samples)" in out                   # validation over both processes' shares
    assert (two / "train.py").is_file() and (two / "metrics.json").is_file()

    a, b = load_checkpoint(one / "last.pt"), load_checkpoint(two / "last.pt")
    assert a.epoch == b.epoch == 2
    for key, tensor in a.model_state.items():
        assert torch.allclose(tensor, b.model_state[key], atol=1e-5), key
    # the reported accuracy is the global one: both processes' validation halves
    project = load_project(MOONS)
    model = build_module(project.graph)
    restore_model(b, model)
    data = load_dataset("moons")
    _, val = split_indices(data, 0.2, 0)
    with torch.no_grad():
        hits = int(((model(data.x[val]).squeeze(1) > 0).long() == data.y[val]).sum())
    assert b.trainer_state["history"][-1]["val_acc"] == pytest.approx(hits / len(val), abs=1e-9)
    assert [h["epoch"] for h in json.loads((two / "metrics.json").read_text())["history"]] == [1, 2]
    assert a.trainer_state["history"][-1]["val_acc"] == b.trainer_state["history"][-1]["val_acc"]

    # the checkpoint is netbuilder's: train --resume continues it, export --weights reads it
    assert main(["train", str(MOONS), "--resume", str(two / "last.pt"), "--epochs", "3",
                 "--save", str(tmp_path / "more.pt")]) == 0
    assert load_checkpoint(tmp_path / "more.pt").epoch == 3
    assert main(["export", str(MOONS), "--weights", str(two / "last.pt"), "--python",
                 str(tmp_path / "m.py")]) == 0


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc")
def test_a_killed_process_is_restarted_and_resumes_from_the_last_checkpoint(script, tmp_path):
    run, epochs, log = tmp_path / "run", 4, tmp_path / "torchrun.log"
    argv = torchrun_argv(script, 2, ["--epochs", str(epochs), "--batch-size", "8",
                                     "--out", str(run)], max_restarts=1)
    with log.open("w") as sink:
        agent = subprocess.Popen(argv, env=script_environment(), stdout=sink,
                                 stderr=subprocess.STDOUT)
        try:
            deadline, killed_after = time.monotonic() + 300, None
            while time.monotonic() < deadline and agent.poll() is None:
                if (run / "last.pt").is_file():
                    killed_after = load_checkpoint(run / "last.pt").epoch
                    workers = _children(agent.pid)
                    if workers:
                        os.kill(workers[-1], signal.SIGKILL)     # one rank dies mid-training
                        break
                time.sleep(0.02)
            agent.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            if agent.poll() is None:
                agent.kill()
    output = log.read_text()
    assert killed_after is not None and killed_after < epochs, output
    assert agent.returncode == 0, output
    assert "resuming from" in output, output
    history = _finished_history(run)
    assert [h["epoch"] for h in history] == list(range(1, epochs + 1))
    assert load_checkpoint(run / "last.pt").epoch == epochs


def test_fsdp_on_cpu_writes_a_whole_checkpoint_that_netbuilder_loads(script, tmp_path):
    run = tmp_path / "fsdp"
    done = subprocess.run(torchrun_argv(script, 2, ["--epochs", "1", "--fsdp", "--out",
                                                    str(run)]),
                          env=script_environment(), capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    checkpoint = load_checkpoint(run / "last.pt")
    model = build_module(load_project(MOONS).graph)
    restore_model(checkpoint, model)                 # every tensor whole, every name
    assert checkpoint.optimizer_state["state"]       # Adam's moments, by position


def test_nproc_refuses_options_that_do_not_apply(tmp_path, capsys):
    assert main(["train", str(MOONS), "--nproc", "2", "--save", str(tmp_path / "x.pt")]) == 2
    assert "--save does not apply with --nproc" in capsys.readouterr().err
    assert main(["train", str(MOONS), "--nproc", "0"]) == 2


@pytest.mark.parametrize("extra", [[], ["--fsdp"]], ids=["ddp-nccl", "fsdp2"])
@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_nccl_bf16(script, tmp_path, extra):
    """On GPUs: NCCL, bf16 autocast (the project's mixed_precision), DDP or FSDP2."""
    n = min(torch.cuda.device_count(), 2)
    run = tmp_path / "gpu"
    done = subprocess.run(torchrun_argv(script, n, ["--epochs", "2", "--out", str(run),
                                                    *extra]),
                          env=script_environment(), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on cuda" in done.stdout
    checkpoint = load_checkpoint(run / "last.pt")
    assert checkpoint.epoch == 2
    assert checkpoint.trainer_state["history"][-1]["val_acc"] > 0.8


def test_export_weights_become_the_scripts_starting_point(tmp_path, monkeypatch):
    project = load_project(MOONS)
    torch.manual_seed(5)
    model = build_module(project.graph)
    start = save_checkpoint(tmp_path / "start.pt", model, None, 0, fingerprint(project.graph))
    bare = tmp_path / "bare.pt"
    torch.save(model.state_dict(), bare)
    script = tmp_path / "train.py"
    assert main(["export", str(MOONS), "--train-script", str(script), "--weights", str(bare)]) == 2
    assert not script.exists()                      # refused: the script needs a checkpoint
    assert main(["export", str(MOONS), "--train-script", str(script), "--weights",
                 str(start)]) == 0
    monkeypatch.setattr(sys, "argv", [str(script), "--epochs", "1", "--lr", "1e-12", "--out",
                                      str(tmp_path / "run")])
    _module(script).main()                          # in this process, as python train.py
    trained = load_checkpoint(tmp_path / "run" / "last.pt").model_state
    for key, tensor in model.state_dict().items():  # a tiny lr: still the starting weights
        assert torch.allclose(trained[key], tensor, atol=1e-6), key


def test_bad_input_to_the_script_is_one_line_not_a_traceback(script, tmp_path):
    done = _python(script, "--data", str(tmp_path / "nowhere.csv"), "--out", str(tmp_path / "r"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and "is neither a shipped dataset" in done.stderr
    assert "Traceback" not in done.stderr
