"""ONNX export with verification: the dynamo exporter first, the TorchScript one as fallback.

``export_onnx`` builds the module from the generated source (optionally with trained
weights), exports it with a dynamic batch dimension, and verifies the file (``verify``)
before it is moved into place. A file that fails to export or to verify is never left
behind: everything is written in a staging folder (``files.staging``) first.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..graph.analysis import Analysis
from ..graph.model import Graph
from .build import build_from_source
from .errors import ExportError, first_line
from .files import publish, staging
from .plan import Plan, make_plan
from .samples import example_inputs
from .source import render
from .verify import ATOL, RTOL, check_onnx_file, compare_with_onnxruntime
from .weights import Weights, apply_weights

if TYPE_CHECKING:
    import torch

DEFAULT_OPSET = 18
EXPORTERS = ("auto", "dynamo", "torchscript")
Progress = Callable[[str], None]

# The exporters are not thread-safe, and silencing them swaps process-wide state (sys.stdout,
# warning filters, logger levels): one export at a time, whichever thread asks.
_EXPORT_LOCK = threading.Lock()


@dataclass(frozen=True)
class ExportReport:
    """What ``export_onnx`` did."""

    path: Path
    exporter: str                 # 'dynamo' or 'torchscript': the one that wrote the file
    opset: int
    max_abs_diff: float           # onnxruntime vs PyTorch, worst over outputs and batches
    seconds: float                # everything: build, export, verification
    export_seconds: float         # the exporter that succeeded, alone
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    fallback_reason: str | None = None   # why dynamo was not used, when it was not


def export_onnx(graph: Graph, path: str | os.PathLike[str], *, analysis: Analysis | None = None,
                weights: Weights | Mapping[str, Any] | None = None, opset: int | None = None,
                exporter: str = "auto", progress: Progress | None = None,
                rtol: float = RTOL, atol: float = ATOL) -> ExportReport:
    """Export ``graph`` to ``path`` as verified ONNX with a dynamic batch dimension.

    ``weights``: a state_dict or a checkpoint dict (``{"model": ..., "fingerprint": ...}``);
    fresh random weights when None. ``exporter``: 'auto' tries dynamo then TorchScript.
    Raises CompileError (invalid graph), WeightsError (weights do not fit) or ExportError
    (export or verification failed; nothing is written then).
    """
    if exporter not in EXPORTERS:
        raise ExportError(f"unknown exporter {exporter!r}; use one of {', '.join(EXPORTERS)}")
    opset = DEFAULT_OPSET if opset is None else opset
    if not 7 <= opset <= 25:
        raise ExportError(f"opset {opset} is out of range; use an opset from 7 to 25 "
                          f"(default {DEFAULT_OPSET})")
    say = progress or (lambda _msg: None)
    start = time.perf_counter()
    plan = make_plan(graph, analysis)
    model = build_from_source(render(plan))
    if weights is not None:
        apply_weights(model, weights)
    model.eval()
    inputs = example_inputs(plan.inputs, batch=2)
    in_names = tuple(i.name for i in plan.inputs)
    out_names = tuple(_output_names(plan))

    path = Path(path)
    failures: list[str] = []
    order = ["dynamo", "torchscript"] if exporter == "auto" else [exporter]
    for name in order:
        with staging(path) as staged:
            say(f"exporting with the {name} exporter (opset {opset})…")
            t0 = time.perf_counter()
            try:
                with _quiet():
                    if name == "dynamo":
                        _export_dynamo(model, inputs, staged, opset, in_names, out_names)
                    else:
                        _export_torchscript(model, inputs, staged, opset, in_names, out_names)
            except Exception as exc:  # exporters raise anything: torch, onnxscript, onnx errors
                failures.append(f"the {name} exporter failed ({type(exc).__name__}: "
                                f"{first_line(exc)})")
                say(failures[-1])
                continue
            export_seconds = time.perf_counter() - t0
            written = _opset_of(staged)
            if written != opset:
                failures.append(f"the {name} exporter wrote opset {written} instead of the "
                                f"{opset} asked for")
                say(failures[-1])
                continue
            try:
                say("checking the file (onnx.checker, full check)…")
                check_onnx_file(staged)
                say("verifying with onnxruntime against PyTorch…")
                v = compare_with_onnxruntime(staged, model, plan, rtol=rtol, atol=atol)
            except ExportError as exc:
                failures.append(f"the {name} exporter's file did not verify: {exc}")
                say(failures[-1])
                continue
            say(f"max abs diff {v.max_abs_diff:.2g} on batches of "
                f"{' and '.join(map(str, v.batch_sizes))} (allowed {atol:g} + {rtol:g} x |value|)")
            publish(staged, path)
        return ExportReport(path, name, written, v.max_abs_diff,
                            time.perf_counter() - start, export_seconds,
                            in_names, out_names,
                            "; ".join(failures) or None)
    raise ExportError(f"cannot export '{graph.name}' to ONNX; nothing was written. "
                      + " ".join(f"({i + 1}) {f}" for i, f in enumerate(failures)))


def _output_names(plan: Plan) -> list[str]:
    """ONNX output names: the output nodes' identifiers (``fc3``), clear of the input names."""
    taken = {i.name for i in plan.inputs}
    out = []
    for nid, _, _ in plan.outputs:
        base = plan.names[nid]
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        out.append(name)
    return out


def _export_dynamo(model: torch.nn.Module, inputs: tuple, staged: Path, opset: int,
                   in_names: tuple[str, ...], out_names: tuple[str, ...]) -> None:
    import torch

    batch = torch.export.Dim("batch")
    program = torch.onnx.export(model, inputs, dynamo=True, opset_version=opset,
                                dynamic_shapes=tuple({0: batch} for _ in inputs),
                                verbose=False, optimize=True)
    graph = program.model.graph
    _rename_values(graph, [*zip(graph.inputs, in_names, strict=False),
                           *zip(graph.outputs, out_names, strict=False)])
    program.save(str(staged), external_data=None)


def _rename_values(graph: Any, wanted: list[tuple[Any, str]]) -> None:
    """Name the dynamo graph's inputs and outputs as the network's (``x``, ``fc3``).

    dynamo names them after its own values (``linear_2``; ``x_orig`` when an output is the
    input itself). A wanted name that another value already holds is left alone.
    """
    originals = [v.name for v, _ in wanted]
    for k, (value, _) in enumerate(wanted):
        value.name = f"__netbuilder_rename_{k}"
    taken = {v.name for v in graph.inputs} | set(graph.initializers)
    for node in graph:
        taken |= {o.name for o in node.outputs}
    for (value, name), original in zip(wanted, originals, strict=True):
        taken.discard(value.name)
        value.name = name if name not in taken else original
        taken.add(value.name)


def _export_torchscript(model: torch.nn.Module, inputs: tuple, staged: Path, opset: int,
                        in_names: tuple[str, ...], out_names: tuple[str, ...]) -> None:
    import torch

    _register_channel_shuffle(opset)
    axes = {n: {0: "batch"} for n in [*in_names, *out_names]}
    torch.onnx.export(model, inputs, str(staged), dynamo=False, opset_version=opset,
                      input_names=list(in_names), output_names=list(out_names),
                      dynamic_axes=axes, do_constant_folding=True)


def _register_channel_shuffle(opset: int) -> None:
    """TorchScript has no ONNX rule for ``aten::channel_shuffle`` (nn.ChannelShuffle); write
    it as ShuffleNet's Reshape -> Transpose -> Reshape, the pattern ONNX import recognises."""
    import torch
    from torch.onnx import symbolic_helper

    def channel_shuffle(g, x, groups):
        sizes = symbolic_helper._get_tensor_sizes(x)
        groups = symbolic_helper._get_const(groups, "i", "groups")
        split = g.op("Constant", value_t=torch.tensor([0, groups, sizes[1] // groups, -1]))
        y = g.op("Reshape", x, split)
        y = g.op("Transpose", y, perm_i=[0, 2, 1, 3])
        return g.op("Reshape", y, g.op("Shape", x))

    torch.onnx.register_custom_op_symbolic("aten::channel_shuffle", channel_shuffle, opset)


def _opset_of(path: Path) -> int:
    import onnx

    m = onnx.load(str(path), load_external_data=False)
    return next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), -1)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep the exporters' own chatter (prints, warnings, log lines) off the user's terminal."""
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "torch._dynamo",
                                              "onnxscript", "torch.fx.experimental")]
    with _EXPORT_LOCK:
        levels = [lg.level for lg in loggers]
        try:
            for lg in loggers:
                lg.setLevel(logging.ERROR)
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                yield
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)
