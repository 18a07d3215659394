"""Ensembles of recorded runs (runtime/runs/ensemble.py): real training, real checkpoints."""

import shutil

import pytest

from netbuilder.cli import main
from netbuilder.graph.examples import example_path
from netbuilder.runtime.runs import RunStore
from netbuilder.runtime.runs.ensemble import EnsembleError, evaluate_ensemble


def test_the_average_of_three_runs_is_scored_against_each_member(tmp_path):
    project = tmp_path / "mlp.json"
    shutil.copy(example_path("mlp_digits"), project)
    for lr in ("0.01", "0.003", "0.03"):
        assert main(["train", str(project), "--epochs", "3", "--lr", lr, "--device", "cpu",
                     "--name", f"lr {lr}"]) == 0
    assert main(["train", str(project), "--epochs", "3", "--seed", "5", "--device", "cpu"]) == 0
    store = RunStore(project)
    runs = {r.name: r for r in store.runs()}
    chosen = [store.run(runs[f"lr {lr}"].id) for lr in ("0.01", "0.003", "0.03")]
    result = evaluate_ensemble(chosen)
    assert result.classification and result.samples == 359
    for (name, acc), run in zip(result.members, chosen, strict=True):
        best = run.final_metrics["best_epoch"]
        # each member scores what the trainer reported for its best epoch
        assert name == run.name and acc == pytest.approx(run.history[best - 1]["val_acc"])
    assert 0.0 < result.ensemble <= 1.0
    assert result.lines()[0].startswith("ensemble of 3 runs: validation accuracy")
    with pytest.raises(EnsembleError, match="different data .*seed"):
        evaluate_ensemble([chosen[0], store.run(runs["run 4"].id)])
    with pytest.raises(EnsembleError, match="two or more"):
        evaluate_ensemble(chosen[:1])
