"""``netbuilder import``: an ONNX file or a PyTorch module (``MODULE:CALLABLE``) to a
project (and its weights), verified first.

Exit codes as every netbuilder command: 0 written, 2 the model cannot be imported
(unreadable, unsafe, unsupported, or not matching onnxruntime) or the output cannot be
written. One message on stderr, never a traceback; nothing is written on failure.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..graph.atomic import WriteError
from .errors import ModelImportError

EXIT_OK, EXIT_UNREADABLE = 0, 2


def parse_shape(text: str) -> tuple[int, ...]:
    """``3,224,224`` -> (3, 224, 224); ModelImportError for anything else."""
    try:
        shape = tuple(int(v) for v in text.replace("x", ",").split(",") if v.strip())
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise ModelImportError(f"--input-shape expects sizes separated by commas, batch "
                               f"excluded (e.g. 3,224,224); received {text!r}")
    return shape


def import_command(args: argparse.Namespace) -> int:
    try:
        return _import(args)
    except KeyboardInterrupt:
        raise
    except ModelImportError as exc:
        if exc.problems:   # one line per node: a long list stays readable in a terminal
            print(f"error: {exc.head} {len(exc.problems)} node(s) have no mapping:",
                  file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"error: {exc}", file=sys.stderr)
    except WriteError as exc:   # graph/atomic.py: the file, why, and that the old one stands
        print(f"error: {exc}", file=sys.stderr)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}cannot write the file ({exc.strerror or exc})", file=sys.stderr)
    except Exception as exc:  # an onnx/torch failure nobody foresaw: a message, not a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        print(f"error: import failed unexpectedly ({type(exc).__name__}: {first}); nothing "
              "was written. Please report this with the model file", file=sys.stderr)
    return EXIT_UNREADABLE


def _import(args: argparse.Namespace) -> int:
    from .onnx_import import import_onnx, write_import

    model = Path(args.model)
    shape = parse_shape(args.input_shape) if getattr(args, "input_shape", None) else None
    out = Path(args.output)
    if not out.parent.is_dir():
        raise ModelImportError(f"{out.parent}: no such folder for the project file")
    if model.suffix.lower() != ".onnx":
        if ":" not in args.model or model.exists():
            raise ModelImportError(f"{model}: expected an ONNX file (.onnx) or a PyTorch "
                                   "module as MODULE:CALLABLE (e.g. torchvision.models:resnet18)")
        return _import_torch(args.model, shape, out, getattr(args, "weights_out", None))
    print(f"importing {model} …", flush=True)
    result = import_onnx(model, shape)
    proj, weights = write_import(result, out, getattr(args, "weights_out", None))
    n = len(result.project.graph.nodes)
    print(f"verified against onnxruntime (max abs diff {result.max_abs_diff:.2g})")
    print(f"wrote {proj}: {n} layers, {result.parameters:,} parameters (ONNX opset "
          f"{result.opset})")
    if weights is not None:
        print(f"wrote {weights}: the weights (use with export --weights or train --resume)")
    return EXIT_OK


def _import_torch(spec: str, shape, out: Path, weights_out) -> int:
    """``MODULE:CALLABLE``: run that import, call it, import the module it returns."""
    import os

    from .onnx_import import write_import
    from .torch_import import import_torch, load_callable

    if shape is None:
        raise ModelImportError("--input-shape is required for a PyTorch module (one sample, "
                               "batch excluded, e.g. --input-shape 3,224,224)")
    # as ``python -m`` does: the current folder's modules can be named
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    print(f"importing {spec} (running its Python code) …", flush=True)
    module = load_callable(spec)
    result = import_torch(module, shape)
    proj, weights = write_import(result, out, weights_out)
    graph = result.project.graph
    blocks = ", ".join(f"{b} x{sum(1 for n in graph.nodes.values() if n.type == b)}"
                       for b in graph.blocks)
    print(f"verified against the module itself (max abs diff {result.max_abs_diff:.2g})")
    print(f"wrote {proj}: {len(graph.nodes)} layers, {result.parameters:,} parameters"
          + (f"; blocks {blocks}" if blocks else ""))
    if weights is not None:
        print(f"wrote {weights}: the weights (use with export --weights or train --resume)")
    return EXIT_OK
