"""Property test over the convolution and pooling arithmetic ONNX allows: random kernels,
strides, dilations, explicit (often asymmetric) pads, auto_pad and ceil_mode, on random
image sizes. Each model either imports (and ``import_onnx`` has then matched onnxruntime on
random inputs) or is refused with a ModelImportError naming the node; never anything else.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from netbuilder.importers.errors import ModelImportError
from netbuilder.importers.onnx_import import import_onnx


@st.composite
def conv_pool_models(draw):
    size = draw(st.integers(5, 14))
    k = [draw(st.integers(1, 4)), draw(st.integers(1, 4))]
    s = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    conv = {"kernel_shape": k, "strides": s, "group": draw(st.sampled_from([1, 2]))}
    if draw(st.booleans()):
        conv["auto_pad"] = draw(st.sampled_from(["SAME_UPPER", "SAME_LOWER", "VALID"]))
    else:
        conv["pads"] = draw(st.lists(st.integers(0, 2), min_size=4, max_size=4))
        conv["dilations"] = [draw(st.integers(1, 2)), draw(st.integers(1, 2))]
    op = draw(st.sampled_from(["MaxPool", "AveragePool"]))
    pk = [draw(st.integers(1, 3)), draw(st.integers(1, 3))]
    pool = {"kernel_shape": pk, "strides": [draw(st.integers(1, 3)), draw(st.integers(1, 3))],
            "pads": [draw(st.integers(0, max(0, p - 1))) for p in pk * 2],
            "ceil_mode": int(draw(st.booleans()))}
    if op == "AveragePool":
        pool["count_include_pad"] = int(draw(st.booleans()))
    return size, conv, op, pool


@pytest.mark.parametrize("seed", [0])
@settings(max_examples=int(__import__("os").environ.get("NETBUILDER_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(model=conv_pool_models())
def test_conv_and_pool_arithmetic_imports_exactly_or_is_refused(tmp_path, seed, model):
    size, conv, op, pool = model
    rng = np.random.default_rng(seed)
    g = conv["group"]
    w = numpy_helper.from_array(rng.standard_normal((4, 4 // g, *conv["kernel_shape"]))
                                .astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", **conv),
             helper.make_node(op, ["c"], ["y"], name="pool", **pool)]
    graph = helper.make_graph(nodes, "p", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, ["N", 4, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    try:
        m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
        m.graph.output[0].CopyFrom(m.graph.value_info[-1] if m.graph.value_info[-1].name == "y"
                                   else m.graph.output[0])
        onnx.checker.check_model(m, full_check=True)
    except Exception:  # noqa: BLE001 - a model ONNX itself refuses is not a test case
        event("invalid ONNX")
        return
    path = tmp_path / "m.onnx"
    onnx.save(m, str(path))
    try:
        result = import_onnx(path)
    except ModelImportError as exc:
        text = str(exc)
        assert "'conv'" in text or "'pool'" in text or "does not check" in text, text
        event("refused: " + text.split("nothing was written. ")[-1][:70])
        return
    event("imported")
    assert result.max_abs_diff <= 1e-3
