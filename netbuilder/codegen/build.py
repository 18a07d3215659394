"""Building a live ``nn.Module`` by executing the generated source: one source of truth.

What trains, what is exported and what the student reads are the same text. This is the
one place netbuilder executes code, and the code is its own: ``source.generate_source``
lets nothing from a project file through except sanitised identifiers, checked literals
and escaped comments (see ``names`` and ``literals``). The text runs in a fresh namespace
whose only global beside the builtins is what the text imports itself (torch).
"""

from __future__ import annotations

import hashlib
import linecache
import traceback
from typing import TYPE_CHECKING

from ..graph.analysis import Analysis
from ..graph.model import Graph
from .errors import CompileError, first_line
from .plan import Plan, make_plan
from .source import generate_source, render

if TYPE_CHECKING:
    import torch


def module_namespace(source: str) -> dict:
    """Execute generated source in a fresh namespace and return that namespace.

    The source is registered with ``linecache`` under a made-up file name, so tracebacks and
    ``inspect.getsource`` show the generated lines.
    """
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
    filename = f"<netbuilder-generated-{digest}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {"__name__": f"netbuilder_generated_{digest}"}
    code = compile(source, filename, "exec")
    exec(code, namespace)  # noqa: S102 - our own generated code, see the module docstring
    if not callable(namespace.get("build_model")):
        raise CompileError("the generated source defines no build_model(); this is a bug")
    return namespace


def build_from_source(source: str) -> torch.nn.Module:
    """The module that ``build_model()`` in ``source`` returns (fresh weights).

    CompileError, naming the generated line, if PyTorch refuses a layer the shape check let
    through.
    """
    return _call_build(module_namespace(source)["build_model"])


def _call_build(build_model) -> torch.nn.Module:
    try:
        return build_model()
    except Exception as exc:  # torch raises ValueError, RuntimeError, TypeError, AssertionError
        line = next((f.line for f in reversed(traceback.extract_tb(exc.__traceback__))
                     if f.filename.startswith("<netbuilder-generated") and f.line), None)
        where = f" at `{line.strip()}`" if line else ""
        raise CompileError(f"PyTorch refuses to build the network{where}: "
                           f"{type(exc).__name__}: {first_line(exc)}") from None


def build_module(graph: Graph, analysis: Analysis | None = None) -> torch.nn.Module:
    """A new ``nn.Module`` for ``graph`` (train mode, fresh weights), built from its source.

    state_dict keys are the node ids made into identifiers: ``conv1.weight``, ``fc3.bias``.
    CompileError if the graph is invalid.
    """
    return build_from_source(generate_source(graph, analysis))


def build_tap_module(graph: Graph, analysis: Analysis | None = None
                     ) -> tuple[torch.nn.Module, Plan, dict]:
    """The tap variant of ``graph``'s module (see ``source.render``), its plan and namespace.

    Same classes, submodule names and forward lines as ``build_module``: the same state_dict
    loads into it and it computes the same values, while handing each node's output to a
    listener. The namespace holds the generated block classes, so a caller can tell a use of
    a block from a layer.
    """
    plan = make_plan(graph, analysis)
    source = render(plan, taps=True)
    namespace = module_namespace(source)
    return _call_build(namespace["build_model"]), plan, namespace
