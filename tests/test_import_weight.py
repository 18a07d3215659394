"""The packages lean one way (ui -> runtime -> codegen -> graph); graph/ imports in milliseconds.

import-linter checks the import statements (pyproject.toml); this checks what actually gets
loaded, in a fresh interpreter, as a user running `netbuilder check` would.
"""

import json
import subprocess
import sys
from pathlib import Path

LENET = Path(__file__).resolve().parents[1] / "assets" / "examples" / "lenet5.json"

HEAVY = ["torch", "numpy", "PySide6", "pyqtgraph", "onnx", "onnxruntime"]


def _loaded_after(code: str) -> set[str]:
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_graph_package_loads_no_framework():
    code = ("import netbuilder.graph.analysis, netbuilder.graph.project, netbuilder.graph.document,"
            " netbuilder.graph.report, netbuilder.graph.layout, netbuilder.graph.examples")
    assert _loaded_after(code) == set()


def test_check_command_loads_no_framework():
    code = ("import sys; from netbuilder.cli import main\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['check', {str(LENET)!r}])")
    assert _loaded_after(code) == set()


def test_codegen_and_runtime_import_without_qt():
    code = "import netbuilder.codegen, netbuilder.runtime"
    assert not (_loaded_after(code) & {"PySide6", "pyqtgraph"})
