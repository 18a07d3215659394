"""Checks shared by the codegen tests: a built module against the analysis, and an ONNX
export checked again independently of ``export_onnx``'s own verification."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

from netbuilder.codegen.build import build_module
from netbuilder.codegen.onnx_export import DEFAULT_OPSET, ExportReport, export_onnx
from netbuilder.codegen.plan import make_plan
from netbuilder.codegen.samples import example_inputs
from netbuilder.graph.analysis import analyze
from netbuilder.graph.model import Graph


def check_module(graph: Graph) -> torch.nn.Module:
    """Build the module; its parameter count and output shapes must be the analysis'."""
    analysis = analyze(graph)
    assert analysis.valid, [d.message for d in analysis.errors]
    plan = make_plan(graph, analysis)
    model = build_module(graph, analysis).eval()
    assert sum(p.numel() for p in model.parameters()) == analysis.total_params
    with torch.no_grad():
        out = model(*example_inputs(plan.inputs, batch=3))
    out = out if isinstance(out, tuple) else (out,)
    assert len(out) == len(analysis.outputs)
    for nid, tensor in zip(analysis.outputs, out, strict=True):
        inferred = analysis.nodes[nid].output
        assert tuple(tensor.shape) == (3, *inferred.shape), nid
        assert tensor.dtype == torch.float32
    return model


def export_and_check(graph: Graph, path: Path, exporter: str) -> ExportReport:
    """Export with known weights, then run the file in onnxruntime on a batch of five."""
    model = build_module(graph).eval()
    report = export_onnx(graph, path, weights=model.state_dict(), exporter=exporter)
    assert report.exporter == exporter and report.fallback_reason is None
    assert report.opset == DEFAULT_OPSET
    assert report.max_abs_diff <= 1e-4
    onnx.checker.check_model(str(path), full_check=True)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "stray files"

    plan = make_plan(graph)
    inputs = example_inputs(plan.inputs, batch=5, seed=123)
    with torch.no_grad():
        expected = model(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    feeds = {i.name: t.numpy() for i, t in zip(plan.inputs, inputs, strict=True)
             if i.name in wanted}
    got = session.run(None, feeds)
    assert [o.name for o in session.get_outputs()] == list(report.output_names)
    for ref, out in zip(expected, got, strict=True):
        assert out.shape == tuple(ref.shape) and out.shape[0] == 5
        np.testing.assert_allclose(out, ref.numpy(), rtol=1e-3, atol=1e-5)
    return report


