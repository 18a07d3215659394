"""``from_torch``: a live ``torch.nn.Module`` to a checked project with its weights, verified.

Trace it with torch.fx (``torch_trace``), one scope per submodule of the user's classes;
turn those into block definitions with their uses (``torch_blocks``); check and compile the
project with codegen, copy every layer's weights from the module it came from, and compare
the compiled network with the original on random inputs. Only a project that computes what
the module computes is returned. ``write_import`` (shared with the ONNX importer) writes it
and the checkpoint. ``load_callable`` resolves ``MODULE:CALLABLE`` for the CLI.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..graph.layout import apply_layout
from ..graph.project import Project
from .errors import ModelImportError
from .onnx_import import ATOL, RTOL, ImportResult, _wrap, write_import
from .torch_blocks import resolve
from .torch_modules import is_torch_nn, spec_for
from .torch_trace import Inline, Scope, Tracer

if TYPE_CHECKING:
    import torch

MAX_RETRACES = 32


@dataclass
class ImportedProject(Project):
    """A project with the weights it was imported with (a state_dict of its layers)."""

    weights: dict[str, Any] = field(default_factory=dict)

    def save(self, path: str | os.PathLike[str],
             weights_path: str | os.PathLike[str] | None = None) -> tuple[Path, Path | None]:
        """Write the project file and, beside it, the checkpoint (``PROJECT.pt``) that
        ``export --weights`` and ``train --resume`` read; atomically, as ``netbuilder import``."""
        result = ImportResult(self, self.weights, 0.0, 0, 0)
        return write_import(result, path, weights_path)


def from_torch(module: torch.nn.Module, input_shape, *, name: str | None = None
               ) -> ImportedProject:
    """The project for ``module`` (``input_shape``: one sample's shape, batch excluded, e.g.
    ``(3, 224, 224)``, or a list of shapes for several inputs), with its weights in
    ``.weights``; ``.save("net.json")`` writes it and ``net.pt``. ModelImportError naming
    every unsupported module or call otherwise; the module is left as it was.
    """
    result = import_torch(module, input_shape, name=name)
    p = result.project
    return ImportedProject(p.graph, p.description, p.training, p.ui, p.node_ui,
                           weights=result.state_dict)


def import_torch(module: torch.nn.Module, input_shape, *, name: str | None = None,
                 rtol: float = RTOL, atol: float = ATOL) -> ImportResult:
    """Trace, map, compile, copy the weights and verify; ModelImportError otherwise."""
    import torch

    if not isinstance(module, torch.nn.Module):
        raise ModelImportError(f"expected a torch.nn.Module; received {type(module).__name__}")
    shapes = _shapes(input_shape)
    cls = type(module).__name__
    was_training = module.training
    whole = module
    if spec_for(module) is not None or (is_torch_nn(module) and not isinstance(
            module, (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict))):
        module = torch.nn.Sequential(module)    # one layer: a network of that layer
    module.eval()
    try:
        root = _trace(module, shapes)
        problems = _problems(root)
        if problems:
            head = f"{cls}: cannot be imported; nothing was written."
            raise ModelImportError(head + " " + "; ".join(problems), problems, head)
        firsts = resolve(root)
        graph = root.graph
        graph.name = name or cls
        apply_layout(graph, wrap=_wrap(graph))
        project = Project(graph, description=f"Imported from PyTorch ({type(module).__module__}."
                                             f"{type(module).__qualname__}).")
        compiled, plan, params = _compile(project, cls)
        state = _copy_weights(compiled, plan, module, root, firsts, cls)
        diff = _verify(module, compiled, plan, root, shapes, cls, rtol, atol)
    finally:
        whole.train(was_training)
    return ImportResult(project, state, diff, 0, params)


def _shapes(input_shape) -> list[tuple[int, ...]]:
    if input_shape is None:
        raise ModelImportError("give the input shape of one sample, batch excluded, e.g. "
                               "(3, 224, 224)")
    seq = list(input_shape)
    shapes = [tuple(seq)] if all(isinstance(v, int) for v in seq) else [tuple(s) for s in seq]
    for s in shapes:
        if not s or not all(isinstance(v, int) and v >= 1 for v in s):
            raise ModelImportError(f"input shape {input_shape!r}: expected sizes of at least 1, "
                                   "batch excluded, e.g. (3, 224, 224)")
    return shapes


def _trace(module, shapes) -> Scope:
    tracer = Tracer()
    for _ in range(MAX_RETRACES):
        tracer.blocks.clear()
        try:
            return tracer.trace(module, "", shapes)
        except Inline as exc:   # that class is traced through; start again
            tracer.inline.add(exc.cls)
    raise ModelImportError(f"{type(module).__name__}: too many submodule classes cannot be "
                           "blocks; this is a bug, please report it")


def _problems(scope: Scope) -> list[str]:
    out = list(dict.fromkeys(scope.problems))
    if not scope.outputs and not out:
        out.append("forward returns no layer's output")
    return out


def _compile(project: Project, where: str):
    from ..codegen.build import build_from_source
    from ..codegen.errors import CompileError
    from ..codegen.plan import make_plan
    from ..codegen.source import render
    from ..graph.analysis import analyze

    analysis = analyze(project.graph)
    if not analysis.valid:
        errors = "; ".join(f"{d.node}: {d.message}" if d.node else d.message
                           for d in analysis.errors[:5])
        raise ModelImportError(f"{where}: the imported graph does not check: {errors}; "
                               "nothing was written")
    try:
        plan = make_plan(project.graph, analysis)
        module = build_from_source(render(plan))
    except CompileError as exc:
        raise ModelImportError(f"{where}: the imported graph does not compile: {exc}") from None
    return module.eval(), plan, analysis.total_params


def _copy_weights(compiled, plan, original, root: Scope, firsts: dict[str, Scope],
                  where: str) -> dict[str, Any]:
    """Load each compiled layer with the state of the module it was read from."""
    from torch import nn

    classes = {b.name: b for b in plan.blocks}
    pairs: list[tuple[Any, Any]] = []

    def walk(obj, names: dict[str, str], scope: Scope, orig) -> None:
        for nid, attr in names.items():
            if nid in scope.origin:
                pairs.append((getattr(obj, attr), orig.get_submodule(scope.origin[nid])))
            elif nid in scope.uses:
                held = getattr(obj, attr)
                rels = scope.uses[nid].rels
                copies = list(held) if len(rels) > 1 and isinstance(held, nn.Sequential) \
                    else [held]
                for copy, rel in zip(copies, rels, strict=True):
                    bc = classes[type(copy).__name__]
                    walk(copy, {m.node_id: m.name for m in bc.submodules}, firsts[bc.block],
                         orig.get_submodule(rel))

    walk(compiled, {m.node_id: m.name for m in plan.submodules}, root, original)
    for ours, theirs in pairs:
        try:
            ours.load_state_dict(theirs.state_dict(), strict=True)
        except RuntimeError as exc:
            raise ModelImportError(f"{where}: the weights of {type(theirs).__name__} do not fit "
                                   f"the imported layer ({str(exc).splitlines()[0][:200]})"
                                   ) from None
    covered = {id(p) for ours, _ in pairs for p in ours.parameters()}
    missed = [k for k, p in compiled.named_parameters() if id(p) not in covered]
    if missed:
        raise ModelImportError(f"{where}: no weights found for {', '.join(missed[:5])}; this "
                               "is a bug, please report it")
    return {k: v.detach().clone() for k, v in compiled.state_dict().items()}


def _verify(original, compiled, plan, root: Scope, shapes, where: str, rtol: float,
            atol: float) -> float:
    import torch

    order = {nid: k for k, (nid, _, _) in enumerate(plan.outputs)}
    if sorted(order) != sorted(root.outputs):
        extra = sorted(set(order) - set(root.outputs))
        raise ModelImportError(
            f"{where}: forward returns {', '.join(root.outputs)} but the imported network's "
            f"outputs are {', '.join(order)}" + (f" ({', '.join(extra)} computed and not used)"
                                                 if extra else "") + "; nothing was written")
    gen = torch.Generator().manual_seed(0)
    worst = 0.0
    for batch in (2,):     # one batch: a size written into a view is refused when traced
        xs = [torch.randn((batch, *s), generator=gen) for s in shapes]
        with torch.no_grad():
            want = original(*xs)
            got = compiled(*xs)
        want = list(want) if isinstance(want, (tuple, list)) else [want]
        got = list(got) if isinstance(got, tuple) else [got]
        for k, nid in enumerate(root.outputs):
            w, g = want[k], got[order[nid]]
            if not isinstance(w, torch.Tensor) or tuple(w.shape) != tuple(g.shape):
                raise ModelImportError(f"{where}: output {k} is {getattr(w, 'shape', w)} from "
                                       f"the module but {tuple(g.shape)} after import; nothing "
                                       "was written")
            diff = float((w.double() - g.double()).abs().max()) if w.numel() else 0.0
            worst = max(worst, diff)
            if not torch.allclose(g, w, rtol=rtol, atol=atol):
                raise ModelImportError(
                    f"{where}: the imported network computes a different output '{nid}' than "
                    f"the module (max abs diff {diff:.3g}, allowed {atol:g} + {rtol:g} x "
                    "|value|); nothing was written")
    return worst


def load_callable(spec: str):
    """``package.module:callable`` -> the module that calling it returns (runs that import)."""
    import torch

    mod_name, sep, attr = spec.partition(":")
    if not sep or not mod_name or not attr:
        raise ModelImportError(f"{spec!r}: expected MODULE:CALLABLE, e.g. "
                               "torchvision.models:resnet18, or a .onnx file")
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as exc:
        raise ModelImportError(f"{mod_name}: cannot be imported ({exc}); check the name and "
                               "that it is installed or on PYTHONPATH") from None
    except Exception as exc:  # noqa: BLE001 - running the user's module raises anything
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelImportError(f"{mod_name}: importing it fails ({type(exc).__name__}: "
                               f"{first})") from None
    obj: Any = mod
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ModelImportError(f"{mod_name} has no {attr!r}; expected a function or class "
                                   "that returns a torch.nn.Module")
        obj = getattr(obj, part)
    if isinstance(obj, torch.nn.Module):
        return obj
    if not callable(obj):
        raise ModelImportError(f"{spec} is an object of type {type(obj).__name__}, not callable; expected a "
                               "function or class that returns a torch.nn.Module")
    try:
        made = obj()
    except Exception as exc:  # noqa: BLE001 - the user's code raises what it raises
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelImportError(f"{spec}(): calling it with no arguments fails "
                               f"({type(exc).__name__}: {first})") from None
    if not isinstance(made, torch.nn.Module):
        raise ModelImportError(f"{spec}() returns an object of type {type(made).__name__}; expected a "
                               "torch.nn.Module")
    return made
