"""The run history (runtime/runs/store.py): real SQLite files, real processes, real kills."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_train_command import small_cnn_project
from train_process import TrainProcess

from netbuilder.cli import main
from netbuilder.graph.project import fingerprint, load_project
from netbuilder.runtime.checkpoint import load_checkpoint
from netbuilder.runtime.runs import RunStore, RunStoreError, runs_folder_for


def test_a_run_is_kept_with_its_settings_graph_epochs_and_outcome(tmp_path):
    store = RunStore(tmp_path / "net.json")
    assert store.runs() == [] and not store.folder.exists()     # reading creates nothing
    rid = store.begin({"lr": 0.1}, {"nodes": [{"id": "fc1"}]}, "fp123", {"host": "h"})
    store.record_epoch(rid, 1, {"train_loss": 1.0, "val_loss": float("nan")})
    store.record_epoch(rid, 2, {"train_loss": 0.5, "val_loss": 0.7})
    assert store.runs()[0].status == "running" and store.runs()[0].epochs_recorded == 2
    store.finish(rid, {"val_acc": 0.9}, None, "finished")
    run = store.run(rid)
    assert runs_folder_for(tmp_path / "net.json") == tmp_path / "net.runs"
    assert (run.name, run.status, run.settings, run.fingerprint) == ("run 1", "finished",
                                                                      {"lr": 0.1}, "fp123")
    assert run.graph == {"nodes": [{"id": "fc1"}]} and run.machine == {"host": "h"}
    assert [h["epoch"] for h in run.history] == [1, 2]
    assert run.history[0]["val_loss"] is None          # NaN is kept as 'none', not an error
    assert run.final_metrics == {"val_acc": 0.9} and run.duration_s >= 0
    store.rename(rid, "  with   dropout ")
    assert store.run(rid).name == "with dropout"
    with pytest.raises(RunStoreError, match="cannot be empty"):
        store.rename(rid, "  ")
    second = store.begin({}, {}, "fp")
    assert [r.id for r in store.runs()] == [second, rid]            # newest first
    store.delete(rid)
    assert [r.id for r in store.runs()] == [second]
    with pytest.raises(RunStoreError, match=f"no run {rid}"):
        store.run(rid)


def test_a_damaged_history_is_one_message_naming_it(tmp_path):
    store = RunStore(tmp_path / "net.json")
    store.folder.mkdir()
    store.path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RunStoreError, match="damaged.*move the folder net.runs aside"):
        store.runs()


def test_netbuilder_train_records_the_run_and_its_best_checkpoint(tmp_path, capsys):
    project = small_cnn_project(tmp_path / "p.json", epochs=3)
    assert main(["train", str(project), "--name", "baseline"]) == 0
    out = capsys.readouterr().out
    assert f"recorded as 'baseline' in {tmp_path / 'p.runs'}" in out
    assert "\nfit: " in out                      # the verdict on the curves, in words
    assert main(["train", str(project), "--epochs", "1", "--no-history"]) == 0
    assert "recorded as" not in capsys.readouterr().out
    (run,) = RunStore(project).runs()
    assert run.name == "baseline" and run.status == "finished" and run.epochs_recorded == 3
    assert run.settings["epochs"] == 3 and run.settings["lr"] == 0.01
    graph_fp = fingerprint(load_project(project).graph)
    assert run.fingerprint == graph_fp and run.graph["nodes"]
    assert run.machine["device"].startswith("CPU") and run.machine["torch"]
    best = load_checkpoint(run.best_checkpoint, expected_fingerprint=graph_fp)
    assert best.epoch == run.final_metrics["best_epoch"]
    assert sorted(p.name for p in run.best_checkpoint.parent.iterdir()) == ["best.pt"]


    # netbuilder runs: the list, one run, two runs compared; a missing run is one message
    assert main(["train", str(project), "--epochs", "3", "--lr", "0.05"]) == 0
    capsys.readouterr()
    assert main(["runs", str(project)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "run 2" in lines[0] and "baseline" in lines[1]
    assert "adam, lr 0.01, batch 32, 3 epochs" in lines[1] and "lr 0.05" in lines[0]
    assert main(["runs", str(project), "--diff", "1", "2"]) == 0
    assert "setting lr: 0.01 -> 0.05" in capsys.readouterr().out
    assert main(["runs", str(project), "--show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "fit: " in shown and "best checkpoint: " in shown and "  lr: 0.01" in shown
    assert main(["runs", str(project), "--show", "7"]) == 2
    assert "there is no run 7" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_run_killed_mid_epoch_keeps_every_finished_epoch(tmp_path):
    small_cnn_project(tmp_path / "p.json", epochs=500, batch_size=4)   # ~0.5 s an epoch
    proc = TrainProcess(tmp_path, "p.json")
    proc.wait_for(3)
    proc.kill()
    assert proc.wait() == -signal.SIGKILL
    printed = [int(line.split()[1]) for line in proc.epoch_lines()]
    assert len(printed) >= 3
    store = RunStore(tmp_path / "p.json")
    (run,) = store.runs()
    assert run.status == "interrupted"                    # its process is gone
    epochs = [h["epoch"] for h in store.run(run.id).history]
    assert epochs == list(range(1, len(epochs) + 1)) and len(epochs) >= max(printed)
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the history goes on being written after the kill
    assert main(["train", str(tmp_path / "p.json"), "--epochs", "1"]) == 0
    assert [r.status for r in store.runs()] == ["finished", "interrupted"]


WRITER = textwrap.dedent("""
    import sys
    from netbuilder.runtime.runs import RunStore
    store = RunStore(sys.argv[1])
    rid = store.begin({"writer": sys.argv[2]}, {}, "fp")
    for epoch in range(1, 151):
        store.record_epoch(rid, epoch, {"train_loss": 1.0 / epoch})
    store.finish(rid, {"done": True})
""")


def test_two_processes_writing_at_once_do_not_corrupt_the_history(tmp_path):
    project = tmp_path / "p.json"
    root = str(Path(__file__).resolve().parents[2])
    env = {"PYTHONPATH": root, "PATH": "/usr/bin:/bin"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(project), name], env=env,
                                stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    store = RunStore(project)
    runs = store.runs()
    assert sorted(r.settings["writer"] for r in runs) == ["a", "b"]
    for run in runs:
        assert run.status == "finished"
        assert [h["epoch"] for h in store.run(run.id).history] == list(range(1, 151))
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
