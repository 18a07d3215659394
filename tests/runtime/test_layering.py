"""runtime/ imports torch, numpy and scikit-learn, never Qt, the UI or the CLI; the datasets
and the trainer do not depend on graph/ or codegen/ either (only the glue modules that turn a
project graph into a training run do)."""

from __future__ import annotations

import ast
from pathlib import Path

import netbuilder.runtime

NEVER = ("PySide6", "pyqtgraph", "netbuilder.ui", "netbuilder.cli")
LOWER_LAYERS = ("netbuilder.graph", "netbuilder.codegen")
# project graph -> something runtime runs (a training run, a probe, a memory estimate);
# these may use graph and codegen
GLUE = {"commands.py", "session.py", "probe.py", "memory.py", "backprop.py",
        "weights_command.py", "freeze.py"}
GLUE_PACKAGES = {"report",      # netbuilder report: a project and its checkpoint -> a page
                 "classroom"}   # netbuilder grade: an assignment and submissions -> grades
# the bottom of the layers every package shares: the one atomic writer, the error base
# classes, and what a weights file may hold (the words for an unsafe one)
SHARED = ("netbuilder.graph.atomic", "netbuilder.graph.errors", "netbuilder.codegen.weights")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                package = path.parent.relative_to(Path(netbuilder.runtime.__file__).parents[2])
                parts = list(package.parts)[: len(package.parts) - node.level + 1]
                module = ".".join(parts + ([module] if module else []))
            # "from netbuilder.graph import atomic" names the module netbuilder.graph.atomic
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_runtime_imports_stay_on_their_side_of_the_layers():
    root = Path(netbuilder.runtime.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        for name in _imports(path):
            assert not name.startswith(NEVER), f"{path.name} imports {name}"
            glue = path.name in GLUE or path.parent.name in GLUE_PACKAGES
            if not glue and not name.startswith(SHARED):
                assert not name.startswith(LOWER_LAYERS), f"{path.name} imports {name}"


def test_no_unpickling_or_eval_in_runtime():
    root = Path(netbuilder.runtime.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name):
                    assert func.id not in ("eval", "exec"), f"{path.name} calls {func.id}"
                name = func.attr if isinstance(func, ast.Attribute) else ""
                owner = getattr(getattr(func, "value", None), "id", "")
                assert not (owner == "pickle" and name in ("load", "loads")), f"{path.name} unpickles"
                if name == "load" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "torch":
                    keywords = {k.arg: k.value for k in node.keywords}
                    assert isinstance(keywords.get("weights_only"), ast.Constant)
                    assert keywords["weights_only"].value is True, f"{path.name}: torch.load without weights_only=True"
                if name == "load" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "np":
                    keywords = {k.arg: k.value for k in node.keywords}
                    assert keywords["allow_pickle"].value is False, f"{path.name}: np.load may unpickle"
