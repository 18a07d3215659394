"""Modules built from the generated source: shapes and parameter counts match the analysis."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from codegen_cases import CASES, COVERED_BY_EVERY_CASE, Case, alone, in_small_net
from codegen_checks import check_module

from netbuilder.codegen.build import build_from_source, build_module
from netbuilder.codegen.errors import CompileError
from netbuilder.codegen.plan import make_plan
from netbuilder.codegen.source import generate_source
from netbuilder.graph.catalogue import CATALOGUE
from netbuilder.graph.project import load_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"


def test_catalogue_is_covered():
    covered = {c.type for c in CASES} | COVERED_BY_EVERY_CASE
    missing = sorted(set(CATALOGUE) - covered)
    assert not missing, f"add a Case to tests/codegen/codegen_cases.py for: {missing}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_layer_alone_matches_the_analysis(case: Case):
    check_module(alone(case))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_layer_in_a_small_net_matches_the_analysis(case: Case):
    check_module(in_small_net(case))


def test_state_dict_keys_are_the_node_ids():
    model = build_module(load_project(EXAMPLES / "lenet5.json").graph)
    assert list(model.state_dict()) == [
        f"{layer}.{p}" for layer in ("conv1", "conv2", "fc1", "fc2", "fc3")
        for p in ("weight", "bias")]


def test_labels_do_not_change_state_dict_keys():
    graph = load_project(EXAMPLES / "lenet5.json").graph
    before = list(build_module(graph).state_dict())
    graph.nodes["conv1"].label = "My first convolution"
    assert list(build_module(graph).state_dict()) == before


def test_module_is_built_from_exactly_the_generated_source():
    import inspect

    graph = load_project(EXAMPLES / "lenet5.json").graph
    model = build_module(graph)
    source = generate_source(graph)
    forward = inspect.getsource(type(model).forward)  # found through linecache
    assert forward.startswith("    def forward(self, x: torch.Tensor)") and forward in source
    assert type(model).__name__ == "LeNet5"


def _bare_python(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """A fresh interpreter that sees torch but not netbuilder: isolated mode (-I), no site
    processing (-S, so the editable install's .pth hook never runs), and only the
    site-packages folder itself on sys.path."""
    purelib = sysconfig.get_paths()["purelib"]
    boot = f"import sys; sys.path.append({purelib!r}); sys.argv = {list(args)!r}; "
    boot += "import runpy; runpy.run_path(sys.argv[0], run_name='__main__')"
    return subprocess.run([sys.executable, "-I", "-S", "-c", boot], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_resnet18_file_runs_in_a_fresh_interpreter(tmp_path):
    graph = load_project(EXAMPLES / "resnet18_flat.json").graph
    (tmp_path / "resnet18.py").write_text(generate_source(graph), encoding="utf-8")
    (tmp_path / "probe.py").write_text(
        "import importlib.util, runpy, sys\n"
        "assert importlib.util.find_spec('netbuilder') is None, 'netbuilder is importable'\n"
        "ns = runpy.run_path('resnet18.py', run_name='__main__')  # runs its main block\n"
        "model = ns['build_model']()\n"
        "print(sum(p.numel() for p in model.parameters()))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'netbuilder'))\n",
        encoding="utf-8")
    run = _bare_python("probe.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-4:] == [
        f"{make_plan(graph).class_name}: 11,689,512 parameters",
        "output shape: (2, 1000)", "11689512", "[]"]


def test_torch_refusing_a_layer_becomes_a_compile_error():
    source = ("import torch\nfrom torch import nn\n\n"
              "def build_model():\n"
              "    return nn.Conv2d(1, 2, 3, stride=2, padding='same')\n")
    with pytest.raises(CompileError, match=r"at `return nn.Conv2d\(1, 2, 3, stride=2"):
        build_from_source(source)
