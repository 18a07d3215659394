"""Small ONNX files written with onnx.helper, for the import tests: patterns, refusals and
hostile files. Each function writes ``path`` and returns it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(0)


def weight(name: str, *shape: int) -> TensorProto:
    return numpy_helper.from_array(RNG.standard_normal(shape).astype(np.float32) * 0.5, name)


def save(path: Path, nodes, inputs, outputs, inits=(), opset: int = 17, check=True) -> Path:
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if check:  # outputs get the shapes onnx infers, as exporters write them
        inferred = onnx.shape_inference.infer_shapes(model)
        for out, got in zip(model.graph.output, inferred.graph.output, strict=True):
            out.CopyFrom(got)
        onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def f32(name: str, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def conv_net(path: Path, **conv_attrs) -> Path:
    """x (N,3,9,9) -> Conv(4 filters 3x3, conv_attrs) -> MaxPool(ceil, asymmetric pads) ->
    Relu -> y."""
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv1", kernel_shape=[3, 3],
                         **conv_attrs),
        helper.make_node("MaxPool", ["c"], ["p"], name="pool1", kernel_shape=[2, 2],
                         strides=[2, 2], pads=[0, 0, 1, 1], ceil_mode=1),
        helper.make_node("Relu", ["p"], ["y"], name="relu1"),
    ]
    return save(path, nodes, [f32("x", ["N", 3, 9, 9])], [f32("y", None)],
                [weight("w", 4, 3, 3, 3), weight("b", 4)])


def scale_shift_matmul(path: Path) -> Path:
    """BatchNorm written as Mul + Add, then Flatten, then MatMul + Add (a Linear)."""
    nodes = [
        helper.make_node("Mul", ["x", "s"], ["m"], name="bn_mul"),
        helper.make_node("Add", ["m", "t"], ["a"], name="bn_add"),
        helper.make_node("Flatten", ["a"], ["f"], name="flat"),
        helper.make_node("MatMul", ["f", "w"], ["mm"], name="fc"),
        helper.make_node("Add", ["mm", "b"], ["y"], name="fc_bias"),
    ]
    return save(path, nodes, [f32("x", ["N", 2, 3, 3])], [f32("y", None)],
                [weight("s", 2, 1, 1), weight("t", 2, 1, 1), weight("w", 18, 5),
                 weight("b", 5)])


def shuffle_with_shape_ops(path: Path) -> Path:
    """ShuffleNet's channel shuffle written with Shape/Gather/Concat feeding the Reshapes."""
    i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)  # noqa: E731
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["n"], name="batch", axis=0),
        helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="n1"),
        helper.make_node("Concat", ["n1", "split"], ["target"], name="target", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["r"], name="shuffle_split"),
        helper.make_node("Transpose", ["r"], ["t"], name="shuffle_swap", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["t", "shape"], ["y"], name="shuffle_join"),
    ]
    return save(path, nodes, [f32("x", ["N", 6, 4, 4])], [f32("y", None)],
                [i64("zero", 0), i64("axes0", [0]), i64("split", [3, 2, 4, 4])])


def cubic_upsample(path: Path) -> Path:
    """A Resize in cubic mode and an Erf: two operators netbuilder does not map."""
    nodes = [
        helper.make_node("Resize", ["x", "", "scales"], ["u"], name="up1", mode="cubic"),
        helper.make_node("Erf", ["u"], ["y"], name="erf1"),
    ]
    return save(path, nodes, [f32("x", ["N", 2, 4, 4])], [f32("y", None)],
                [numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")])


def cycle(path: Path) -> Path:
    """Two Relus feeding each other: not a DAG (and not topologically sorted)."""
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="a"),
             helper.make_node("Relu", ["a"], ["b"], name="b"),
             helper.make_node("Relu", ["b"], ["y"], name="y")]
    return save(path, nodes, [f32("x", ["N", 4])], [f32("y", None)], check=False)


def huge_input(path: Path) -> Path:
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return save(path, nodes, [f32("x", ["N", 100000, 100000, 100000])], [f32("y", None)])


def unknown_domain(path: Path) -> Path:
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("FancyOp", ["r"], ["y"], name="fancy", domain="com.example")]
    graph = helper.make_graph(nodes, "test", [f32("x", ["N", 4])], [f32("y", ["N", 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)])
    onnx.save(model, str(path))
    return path


def external_data(path: Path, location: str | None = None) -> Path:
    """A Gemm whose weight lives in an external file (``location`` overrides where the
    file says it is: a hostile path)."""
    nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "test", [f32("x", ["N", 64])], [f32("y", ["N", 32])],
                              [weight("w", 32, 64), weight("b", 32)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
              location=path.name + ".data", size_threshold=0)
    if location is not None:
        model = onnx.load(str(path), load_external_data=False)
        for t in model.graph.initializer:
            for e in t.external_data:
                if e.key == "location":
                    e.value = location
        onnx.save(model, str(path))
    return path
