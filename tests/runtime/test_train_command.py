"""`netbuilder train`: a project trains from the terminal, and every mistake is a message."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import Project, save_project
from netbuilder.runtime.session import plan_training


def small_cnn_project(path: Path, **training) -> Path:
    b = GraphBuilder("Small CNN")
    x = b.input((1, 8, 8))
    x = b.layer("Conv2d", x, id="conv1", out_channels=16, kernel_size=3, padding=1)
    x = b.layer("ReLU", x, id="relu1")
    x = b.layer("MaxPool2d", x, id="pool1", kernel_size=2)
    x = b.layer("Conv2d", x, id="conv2", out_channels=32, kernel_size=3, padding=1)
    x = b.layer("ReLU", x, id="relu2")
    x = b.layer("AdaptiveAvgPool2d", x, id="gap", output_size=1)
    x = b.layer("Flatten", x, id="flatten")
    b.layer("Linear", x, id="fc", out_features=10)
    settings = {"dataset": "digits", "epochs": 15, "lr": 0.01, "batch_size": 32, "seed": 0,
                "device": "cpu", "cpu_threads": 1, **training}
    save_project(Project(b.graph, training=settings), path)
    return path


def train(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netbuilder", "train", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_small_cnn_reaches_95_percent_on_digits_and_writes_metrics(tmp_path):
    project = small_cnn_project(tmp_path / "cnn.json")
    out = train(str(project), "--metrics-out", "m.json", "--save", "ckpt.pt", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert metrics["val_accuracy"] >= 0.95
    assert len(metrics["history"]) == 15
    assert (tmp_path / "ckpt.pt").is_file()
    # Resuming continues from the saved epoch: two more epochs, history of 17.
    out = train(str(project), "--resume", "ckpt.pt", "--epochs", "17", "--metrics-out",
                "m2.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [h["epoch"] for h in json.loads((tmp_path / "m2.json").read_text())["history"]][-1] == 17


def test_piped_output_is_one_plain_line_per_epoch(tmp_path):
    project = small_cnn_project(tmp_path / "cnn.json", epochs=2)
    out = train(str(project), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("epoch ")]
    assert len(lines) == 2 and "\r" not in out.stdout
    assert "val_acc" in lines[-1]


@pytest.mark.parametrize("args, code, says", [
    (["--dataset", "iris"], 1, "'iris' gives 4"),
    (["--dataset", "no_such_data"], 2, "neither a shipped dataset"),
    (["--lr", "-1"], 1, "lr"),
    (["--resume", "missing.pt"], 2, "missing.pt"),
])
def test_mistakes_are_messages_with_exit_codes(tmp_path, args, code, says):
    project = small_cnn_project(tmp_path / "cnn.json", epochs=1)
    out = train(str(project), *args, cwd=tmp_path)
    assert out.returncode == code
    assert says in out.stderr
    assert "Traceback" not in out.stderr


def test_unreadable_project_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    out = train(str(bad), cwd=tmp_path)
    assert out.returncode == 2 and "not valid JSON" in out.stderr and "Traceback" not in out.stderr


def test_plan_refuses_an_invalid_network_before_building_anything(tmp_path):
    b = GraphBuilder("broken")
    x = b.input((1, 8, 8))
    b.layer("Conv2d", x, id="conv", out_channels=4, kernel_size=20)
    plan = plan_training(b.graph, {"dataset": "digits"})
    assert not plan.ok and plan.model is None
    assert "'conv'" in plan.errors[0] and "kernel" in plan.errors[0]


def test_same_seed_same_curve_through_the_session(tmp_path):
    project = small_cnn_project(tmp_path / "cnn.json", epochs=2)
    runs = [train(str(project), "--metrics-out", f"m{i}.json", cwd=tmp_path) for i in range(2)]
    assert all(r.returncode == 0 for r in runs)
    h = [json.loads((tmp_path / f"m{i}.json").read_text())["history"] for i in range(2)]
    assert [e["val_loss"] for e in h[0]] == [e["val_loss"] for e in h[1]]


def _huge(tmp_path: Path) -> Path:
    data = {"format": "netbuilder", "version": 1, "name": "huge",
            "nodes": [{"id": "input", "type": "Input", "params": {"shape": [8]}},
                      {"id": "fc", "type": "Linear", "params": {"out_features": 10**12}}],
            "edges": [{"source": "input", "target": "fc"}], "training": {"dataset": "iris"}}
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_network_too_big_for_memory_is_refused_with_the_figures_before_building(tmp_path):
    done = train(str(_huge(tmp_path)), "--epochs", "1", cwd=tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "needs about 596.6 TB" in done.stderr and "9,000,000,000,000 parameters" in done.stderr
    assert "available memory" in done.stderr


def test_the_memory_estimate_counts_weights_gradients_moments_and_activations():
    from netbuilder.graph.analysis import analyze
    from netbuilder.graph.project import load_project
    from netbuilder.runtime.memory import estimate

    graph = load_project(Path(__file__).resolve().parents[2] / "assets/examples/lenet5.json").graph
    a = analyze(graph)
    e = estimate(a, 32)
    assert e.parameter_bytes == a.total_params * 16
    values = sum(__import__("math").prod(i.output.shape) for i in a.nodes.values())
    assert e.activation_bytes == values * 32 * 8
