"""``import_onnx``: an ONNX file to a checked project with its weights, verified first.

Load safely (``onnx_load``), fix the input shapes, infer shapes with onnx's own inference,
fold constants (``onnx_fold``), map each remaining node through the table (``onnx_ops``),
lay the graph out, compile it with codegen, load the weights and compare it with
onnxruntime running the original file. Only a project that computes what the file computes
is returned; ``write_import`` then writes the project and the checkpoint (the format
``export --weights`` and ``train --resume`` read).
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..graph import atomic
from ..graph.errors import NetbuilderError
from ..graph.layout import apply_layout, layered_layout
from ..graph.project import Project, fingerprint
from .check import checked_import
from .errors import ModelImportError, Unsupported
from .onnx_fold import fold_constants
from .onnx_load import load_model
from .onnx_mapper import Mapper, name_of, readable
from .onnx_ops import OPS

if TYPE_CHECKING:
    import torch

RTOL, ATOL = 1e-3, 1e-5
MAX_SAMPLE_ELEMENTS = 2**26       # a declared input larger than this is refused
CHECKPOINT_FORMAT, CHECKPOINT_VERSION = "netbuilder-checkpoint", 1   # runtime/checkpoint.py


@dataclass
class ImportResult:
    project: Project
    state_dict: dict[str, torch.Tensor]
    max_abs_diff: float
    opset: int
    parameters: int


def import_onnx(path: str | os.PathLike[str], input_shape: tuple[int, ...] | None = None, *,
                rtol: float = RTOL, atol: float = ATOL) -> ImportResult:
    """Import and verify; ModelImportError (naming every unsupported node) otherwise."""
    import onnx

    p = Path(path)
    model, opset = load_model(p)
    inputs, batch = _fix_inputs(model, p.name, input_shape)
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception as exc:  # onnx's inference raises untyped errors on broken graphs
        raise ModelImportError(f"{p.name}: ONNX shape inference fails: "
                               f"{str(exc).splitlines()[0][:200]}") from None
    shapes = _shapes(inferred)
    values, nodes = fold_constants(model, shapes)
    graph_name = p.stem.replace("_", " ").replace("-", " ").strip() or "Imported model"
    m = Mapper(graph_name, values, nodes)
    m.outputs = {o.name for o in model.graph.output}
    for name, shape in inputs.items():
        nid = m.graph.new_id(readable(name) if readable(name)[:1].isalpha() else "input")
        m.builder.input(shape, id=nid)
        m.src[name] = nid
    problems = _map_nodes(m, nodes)
    if problems:
        head = f"{p.name}: cannot be imported; nothing was written."
        raise ModelImportError(head + " " + "; ".join(problems), problems, head)
    outputs = [o.name for o in model.graph.output]
    missing = [o for o in outputs if o not in m.src]
    if missing:
        raise ModelImportError(f"{p.name}: output(s) {missing} are constants or inputs; "
                               "expected every output to be computed by layers")
    # Bands of columns that fill a landscape window, as the canvas's own Auto Layout does.
    apply_layout(m.graph, wrap=_wrap(m.graph))
    project = Project(m.graph, description=f"Imported from {p.name} (ONNX opset {opset}).")
    model_t, state, params = _compile(m, p.name)
    diff = _verify(p, model, model_t, m, inputs, outputs, batch, rtol, atol)
    return ImportResult(project, state, diff, opset, params)


def _wrap(graph, width: float = 1600.0, height: float = 1000.0, dx: float = 240.0,
          dy: float = 130.0) -> int | None:
    """Columns per band so the whole graph shows largest in a landscape window."""
    flat = layered_layout(graph, dx=dx, dy=dy)
    cols = len({p[0] for p in flat.values()})
    rows = len({p[1] for p in flat.values()})
    best, best_zoom = None, 0.0
    for wrap in range(min(cols, 3), cols + 1):
        bands = -(-cols // wrap)
        zoom = min(width / (wrap * dx), height / ((bands * (rows + 1) - 1) * dy))
        if zoom > best_zoom + 1e-9:
            best, best_zoom = wrap, zoom
    return None if best == cols else best


def _fix_inputs(model, where: str, input_shape) -> tuple[dict[str, tuple[int, ...]], int | None]:
    """Each real input's sample shape (batch excluded); the file's fixed batch, if any."""
    init = {t.name for t in model.graph.initializer}
    real = [i for i in model.graph.input if i.name not in init]
    if not real:
        raise ModelImportError(f"{where}: has no inputs; expected a network with an input")
    if input_shape is not None and len(real) != 1:
        raise ModelImportError(f"{where}: --input-shape gives one shape but the model has "
                               f"{len(real)} inputs")
    out, batch = {}, None
    for i in real:
        tt = i.type.tensor_type
        if not i.type.HasField("tensor_type") or tt.elem_type != 1:
            raise ModelImportError(f"{where}: input '{i.name}' is not a float32 tensor; "
                                   "netbuilder imports networks with float inputs")
        dims = list(tt.shape.dim)
        if len(dims) < 2:
            raise ModelImportError(f"{where}: input '{i.name}' has {len(dims)} dimension(s); "
                                   "expected a batch dimension and at least one more")
        if dims[0].HasField("dim_value") and dims[0].dim_value > 0:
            batch = dims[0].dim_value
        if input_shape is not None:
            shape = tuple(input_shape)
            if len(shape) != len(dims) - 1:
                raise ModelImportError(
                    f"{where}: --input-shape {','.join(map(str, shape))} has {len(shape)} "
                    f"dimension(s); input '{i.name}' has {len(dims) - 1} besides the batch")
        else:
            open_ = [k for k, d in enumerate(dims[1:], 1) if not d.HasField("dim_value")
                     or d.dim_value < 1]
            if open_:
                raise ModelImportError(
                    f"{where}: input '{i.name}' leaves dimension(s) {open_} open "
                    f"({_dims_text(dims)}); give them with --input-shape, e.g. "
                    "--input-shape 3,224,224 (batch excluded)")
            shape = tuple(d.dim_value for d in dims[1:])
        if min(shape) < 1 or math.prod(shape) > MAX_SAMPLE_ELEMENTS:
            raise ModelImportError(f"{where}: input '{i.name}' declares a sample of "
                                   f"{'x'.join(map(str, shape))}, which is not a usable size "
                                   f"(at most {MAX_SAMPLE_ELEMENTS:,} values per sample)")
        for d, v in zip(dims[1:], shape, strict=True):
            d.dim_value = v
        if batch is None:
            dims[0].dim_param = "batch"
        out[i.name] = shape
    return out, batch


def _dims_text(dims) -> str:
    return "x".join(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?")
                    for d in dims)


def _shapes(model) -> dict[str, tuple]:
    out = {}
    for v in [*model.graph.input, *model.graph.value_info, *model.graph.output]:
        if v.type.HasField("tensor_type") and v.type.tensor_type.HasField("shape"):
            out[v.name] = tuple(d.dim_value if d.HasField("dim_value") else None
                                for d in v.type.tensor_type.shape.dim)
    return out


def _map_nodes(m: Mapper, nodes: list) -> list[str]:
    problems: list[str] = []
    for node in nodes:
        if id(node) in m.skip:
            continue
        fn = OPS.get(node.op_type)
        if fn is None:
            problems.append(Unsupported(node.op_type, name_of(node)).text())
            continue
        if any(i and i not in m.src and i not in m.values for i in node.input):
            continue   # fed by a node already refused: its refusal says enough
        if not node.input or node.input[0] not in m.src:
            problems.append(Unsupported(node.op_type, name_of(node),
                                        "on constants only").text())
            continue
        try:
            fn(m, node)
        except Unsupported as exc:
            problems.append(exc.text())
        except (NetbuilderError, KeyError, ValueError, TypeError) as exc:
            problems.append(Unsupported(node.op_type, name_of(node),
                                        str(exc).strip("'")[:200]).text())
    return problems


def _compile(m: Mapper, where: str):
    import torch

    from ..codegen.build import build_module
    from ..codegen.errors import CompileError
    analysis = checked_import(m.graph, where)
    try:
        module = build_module(m.graph, analysis)
    except CompileError as exc:
        raise ModelImportError(f"{where}: the imported graph does not compile: {exc}") from None
    own = module.state_dict()
    state = {k: torch.from_numpy(v.copy()).to(own[k].dtype) if k in own else torch.from_numpy(v.copy())
             for k, v in m.state.items()}
    # Layers the file gives no values for (a BatchNorm's counter) keep their initial state.
    for k, v in own.items():
        state.setdefault(k, v.clone())
    bad = [f"{k}: {tuple(state[k].shape)} in the file, {tuple(own[k].shape)} in the layer"
           for k in own if tuple(state[k].shape) != tuple(own[k].shape)]
    extra = [k for k in state if k not in own]
    if bad or extra:
        raise ModelImportError(f"{where}: the weights do not fit the imported layers: "
                               + "; ".join(bad + extra)[:400])
    module.load_state_dict(state, strict=True)
    module.eval()
    return module, {k: state[k] for k in own}, analysis.total_params


def _verify(path: Path, proto, module, m: Mapper, inputs: dict[str, tuple[int, ...]],
            outputs: list[str], batch: int | None, rtol: float, atol: float) -> float:
    """Run the loaded model in onnxruntime and the compiled project on the same random
    batches; compare the outputs and, on the first batch, every layer's output with the
    ONNX value it stands for (so a saturated Softmax cannot hide a wrong layer before it)."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnx import helper

    from ..codegen.build import build_tap_module

    # ONNX values a layer computes as such (not the helpers a pattern skips over).
    layers = {name: nid for name, nid in m.src.items()
              if "::" not in name and name not in inputs and name not in outputs}
    for name in layers:
        proto.graph.output.append(helper.make_tensor_value_info(name, 1, None))
    ort.set_default_logger_severity(4)   # failures become our message, not log lines
    options = ort.SessionOptions()
    options.log_severity_level = 3
    # The model as loaded (weights inside, old opsets converted): what the mapping read.
    try:
        session = ort.InferenceSession(proto.SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelImportError(f"{path.name}: onnxruntime cannot run the original file "
                               f"({str(exc).splitlines()[0][:200]}), so the import cannot "
                               "be verified; nothing was written") from None
    tap, plan, _ = build_tap_module(m.graph)
    tap.load_state_dict(module.state_dict())
    tap.eval()
    heard: dict[str, torch.Tensor] = {}
    tap.__dict__["_netbuilder_listener"] = lambda nid, value: heard.__setitem__(nid, value)
    order = [i.node_id for i in plan.inputs]         # forward() argument order
    by_id = {m.src[n]: n for n in inputs}
    out_index = {nid: k for k, (nid, _, _) in enumerate(plan.outputs)}
    for name in outputs:
        if m.src[name] not in out_index:
            raise ModelImportError(f"{path.name}: output '{name}' is also read by other "
                                   "layers; netbuilder's outputs are the layers nothing reads")
    gen = np.random.default_rng(0)
    worst = 0.0
    for k, b in enumerate([batch] if batch else [2, 3]):
        feeds = {n: gen.standard_normal((b, *s)).astype(np.float32) for n, s in inputs.items()}
        heard.clear()
        with torch.no_grad():
            got = tap(*[torch.from_numpy(feeds[by_id[i]]) for i in order])
        got = got if isinstance(got, tuple) else (got,)
        names = outputs + (list(layers) if k == 0 else [])
        try:
            ref = session.run(names, feeds)
        except Exception as exc:  # noqa: BLE001
            raise ModelImportError(f"{path.name}: onnxruntime fails on the original file "
                                   f"({str(exc).splitlines()[0][:200]}); nothing was "
                                   "written") from None
        ours_all = [got[out_index[m.src[n]]] for n in outputs] + \
                   [heard[layers[n]] for n in names[len(outputs):]]
        for name, ours, r in zip(names, ours_all, ref, strict=True):
            ours = ours.numpy()
            what = f"output '{name}'" if name in outputs else \
                f"layer '{m.src[name]}' (ONNX value '{name}')"
            if ours.shape != r.shape:
                raise ModelImportError(f"{path.name}: {what} is {r.shape} in onnxruntime but "
                                       f"{ours.shape} after import; nothing was written")
            diff = float(np.max(np.abs(ours.astype(np.float64) - r))) if r.size else 0.0
            if name in outputs:
                worst = max(worst, diff)
                ok = np.allclose(ours, r, rtol=rtol, atol=atol)
                allowed = f"{atol:g} + {rtol:g} x |value|"
            else:
                # Inside the network float32 sums differ in order; a wrong layer is off by
                # the size of its values, not by rounding: measured against the largest.
                scale = float(np.max(np.abs(r))) if r.size else 0.0
                ok = diff <= atol + rtol * scale
                allowed = f"{atol:g} + {rtol:g} x {scale:.3g} (its largest value)"
            if not ok:
                raise ModelImportError(
                    f"{path.name}: the imported network computes a different {what} than "
                    f"onnxruntime (max abs diff {diff:.3g}, allowed {allowed}); nothing was "
                    "written")
    return worst


def write_import(result: ImportResult, project_path: str | os.PathLike[str],
                 weights_path: str | os.PathLike[str] | None = None) -> tuple[Path, Path | None]:
    """Write the project and (when it has weights) the checkpoint beside it, atomically."""
    import torch

    from ..graph.project import dumps_project

    proj = Path(project_path)
    weights = None
    if result.state_dict and any(v.numel() for v in result.state_dict.values()):
        weights = Path(weights_path) if weights_path else proj.with_suffix(".pt")
    payload: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
        "fingerprint": fingerprint(result.project.graph), "epoch": 0,
        "model": result.state_dict, "optimizer": None, "metrics": {}, "trainer": {},
    }
    # through graph/atomic.py, weights first: a kill at any moment leaves the old files or
    # the new ones, never half a file (the writer sweeps a stale temporary next time)
    if weights is not None:
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        atomic.write_bytes(weights, buffer.getvalue())
    atomic.write_text(proj, dumps_project(result.project))
    return proj, weights
