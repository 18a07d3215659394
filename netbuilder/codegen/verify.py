"""Checking an exported ONNX file: the ONNX checker, then onnxruntime against PyTorch.

A file passes when ``onnx.checker.check_model(full_check=True)`` accepts it (structure and
strict shape inference), onnxruntime's outputs on a random batch of two match the PyTorch
module's in eval mode within ``rtol``/``atol`` (``numpy.allclose`` semantics:
``|ort - torch| <= atol + rtol * |torch|``), and a batch of three runs too, with outputs of
batch size three, which shows the batch dimension is really dynamic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ExportError, first_line
from .plan import Plan
from .samples import example_inputs

if TYPE_CHECKING:
    import torch

RTOL = 1e-3
ATOL = 1e-5


@dataclass(frozen=True)
class Verification:
    max_abs_diff: float        # over every output and both batches
    batch_sizes: tuple[int, ...]


def check_onnx_file(path: Path) -> None:
    """ExportError if the ONNX checker (full check, strict shape inference) refuses the file."""
    import onnx

    try:
        onnx.checker.check_model(str(path), full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as exc:
        raise ExportError(f"the ONNX checker refuses the exported file: {first_line(exc)}") from None


def compare_with_onnxruntime(path: Path, model: torch.nn.Module, plan: Plan, *,
                             rtol: float = RTOL, atol: float = ATOL, seed: int = 0,
                             batch_sizes: tuple[int, ...] = (2, 3)) -> Verification:
    """Run the file in onnxruntime and ``model`` (eval mode) on the same random batches."""
    import numpy as np
    import onnxruntime as ort
    import torch

    options = ort.SessionOptions()
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ExportError(f"onnxruntime cannot load the exported file: {first_line(exc)}") from None
    arg_names = [i.name for i in plan.inputs]
    wanted = [i.name for i in session.get_inputs()]
    unknown = [n for n in wanted if n not in arg_names]
    if unknown:
        raise ExportError(f"the exported file expects inputs {unknown} that the network does "
                          f"not have (its inputs: {arg_names})")
    model.eval()
    worst = 0.0
    for k, batch in enumerate(batch_sizes):
        inputs = example_inputs(plan.inputs, batch, seed + k)
        with torch.no_grad():
            expected = model(*inputs)
        expected = expected if isinstance(expected, tuple) else (expected,)
        feeds = {n: t.numpy() for n, t in zip(arg_names, inputs, strict=True) if n in wanted}
        try:
            got = session.run(None, feeds)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ExportError(f"onnxruntime fails on a batch of {batch}: {first_line(exc)}"
                              + (" (the batch dimension is not dynamic)" if k else "")) from None
        if len(got) != len(expected):
            raise ExportError(f"the exported file has {len(got)} outputs; the network has "
                              f"{len(expected)}")
        for (nid, _, _), ref, out in zip(plan.outputs, expected, got, strict=True):
            ref = ref.numpy()
            if out.shape != ref.shape:
                raise ExportError(f"output '{nid}' has shape {tuple(out.shape)} in onnxruntime "
                                  f"but {tuple(ref.shape)} in PyTorch (batch of {batch})")
            diff = float(np.max(np.abs(out.astype(np.float64) - ref))) if ref.size else 0.0
            worst = max(worst, diff)
            if not np.allclose(out, ref, rtol=rtol, atol=atol):
                raise ExportError(
                    f"onnxruntime's output '{nid}' differs from PyTorch's on a batch of {batch}: "
                    f"max abs diff {diff:.3g}, allowed {atol:g} + {rtol:g} x |value|; the "
                    "exported file does not compute the same network")
    return Verification(worst, tuple(batch_sizes))

