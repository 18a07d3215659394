"""``netbuilder check --fixes`` and ``--apply-fixes -o FIXED.json`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.graph.analysis import analyze
from netbuilder.graph.examples import example_path
from netbuilder.graph.fixes import Bypass, apply_edit
from netbuilder.graph.project import load_project, save_project


def check(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netbuilder", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """LeNet-5 with its Flatten deleted and conv2's kernel larger than its 14x14 input."""
    project = load_project(example_path("lenet5"))
    apply_edit(project.graph, (Bypass("flatten"),))
    project.graph.set_param("conv2", "kernel_size", 17)
    path = tmp_path / "broken.json"
    save_project(project, path)
    return path


def test_fixes_lists_each_problem_with_its_fixes_and_their_shapes(broken: Path) -> None:
    r = check(broken, "--fixes")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "Error in conv2 (Conv2d): the kernel (17) is larger than the input" in r.stdout
    assert "fix 1: Set padding to 8 so the 17x17 kernel keeps the size 14x14" in r.stdout
    assert "[conv2 → 16x14x14, network valid" in r.stdout
    assert "Remove the pooling 'pool1'" in r.stdout


def test_apply_fixes_prints_each_step_and_writes_a_valid_copy(broken: Path,
                                                            tmp_path: Path) -> None:
    before = broken.read_bytes()
    out = tmp_path / "fixed.json"
    r = check(broken, "--apply-fixes", "-o", out)
    assert r.returncode == 0, r.stdout + r.stderr
    steps = [line for line in r.stdout.splitlines() if line.startswith("step ")]
    assert steps[0].startswith("step 1: conv2: the kernel (17)")
    assert steps[1].startswith("step 2: fc1: Linear sees 16x7x7")
    assert "Insert a Flatten before fc1" in r.stdout and "wrote" in r.stdout
    assert broken.read_bytes() == before                      # the student's file is kept
    fixed = load_project(out).graph
    a = analyze(fixed)
    assert a.valid and not a.warnings
    assert a.nodes["fc3"].output.shape == (10,)
    assert not list(tmp_path.glob("*.tmp"))                   # written atomically


def test_apply_fixes_on_a_valid_network_writes_it_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "same.json"
    r = check(example_path("lenet5"), "--apply-fixes", "-o", out)
    assert r.returncode == 0 and "no fix applies" in r.stdout
    assert load_project(out).graph.nodes.keys() == load_project(example_path("lenet5")).graph.nodes.keys()


def test_apply_fixes_without_output_says_what_to_add(broken: Path) -> None:
    r = check(broken, "--apply-fixes")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--apply-fixes needs -o FIXED.json" in r.stderr


def test_apply_fixes_to_an_unwritable_place_is_a_clear_error(broken: Path, tmp_path: Path) -> None:
    r = check(broken, "--apply-fixes", "-o", tmp_path / "no" / "such" / "dir" / "f.json")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "error: cannot write" in r.stderr


def test_fixes_in_json_name_each_problem_and_its_fixes(broken: Path) -> None:
    import json

    r = check(broken, "--json", "--fixes")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    (conv2,) = [p for p in report["fixes"] if p["node"] == "conv2"]
    assert conv2["severity"] == "error" and len(conv2["fixes"]) >= 2
    assert conv2["fixes"][0] == {"description": "Set padding to 8 so the 17x17 kernel keeps the "
                                 "size 14x14", "preview": "conv2 → 16x14x14, network valid, "
                                 "3 warnings"}
