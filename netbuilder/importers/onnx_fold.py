"""Constant folding before mapping: every node whose inputs are all known becomes a value.

Initializers and ``Constant`` nodes are values; so is ``Shape`` of a tensor whose sample
dimensions are known (its batch entry is ``BATCH``, a marker the Reshape mapping reads as
"the batch"). Any standard node fed only by values is computed with onnx's own reference
implementation (``onnx.reference``), never with code from the file: ``ConstantOfShape``,
``Shape -> Gather -> Unsqueeze -> Concat`` feeding a ``Reshape``, weights computed from
constants. What is left is the graph the operator table maps.
"""

from __future__ import annotations

from typing import Any

from .errors import ModelImportError

# The batch entry of a folded Shape: large, odd and recognisable, never a real size.
BATCH = 2**31 - 3
MAX_FOLDED_ELEMENTS = 150_000_000


def fold_constants(model, shapes: dict[str, tuple]) -> tuple[dict[str, Any], list]:
    """(values by name, the nodes still to map). ``shapes``: static shapes by value name
    (batch entry None)."""
    import numpy as np
    from onnx import numpy_helper

    values: dict[str, Any] = {}
    for t in model.graph.initializer:
        try:
            values[t.name] = numpy_helper.to_array(t)
        except (ValueError, TypeError) as exc:
            raise ModelImportError(
                f"tensor '{t.name}' declares shape {list(t.dims)} but its data does not fit it "
                f"({str(exc).splitlines()[0][:120]}); the file is damaged or was edited") from None
    rest = []
    for node in model.graph.node:
        ins = [i for i in node.input if i]
        if node.op_type == "Shape" and ins[0] not in values:
            shape = shapes.get(ins[0])
            if shape is not None and all(isinstance(d, int) for d in shape[1:]):
                full = np.array([BATCH, *shape[1:]], dtype=np.int64)
                start = _attr(node, "start", 0)
                end = _attr(node, "end", None)
                values[node.output[0]] = full[start:end]
                continue
        if node.op_type in ("Constant", "ConstantOfShape") or (
                ins and all(i in values for i in ins) and node.op_type not in _KEEP):
            out = _evaluate(node, values)
            if out is not None:
                values.update(out)
                continue
        rest.append(node)
    return values, rest


# Computed at run time even when fed by constants: they draw random numbers.
_KEEP = {"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial",
         "Bernoulli"}


def _attr(node, name: str, default):
    from onnx import helper

    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _evaluate(node, values: dict[str, Any]) -> dict[str, Any] | None:
    """Run one standard node with onnx's reference implementation; None if it cannot."""
    import numpy as np
    from onnx import helper
    from onnx.reference import ReferenceEvaluator

    if node.op_type == "ConstantOfShape":
        shape = values.get(node.input[0]) if node.input else np.zeros(0, np.int64)
        if shape is None or BATCH in shape.tolist() or int(np.prod(shape)) > MAX_FOLDED_ELEMENTS:
            return None
    ins = [i for i in node.input if i]
    feeds = {i: values[i] for i in ins}
    inputs = [helper.make_tensor_value_info(i, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
              for i, v in feeds.items()]
    outputs = [helper.make_tensor_value_info(o, 0, None) for o in node.output if o]
    graph = helper.make_graph([node], "fold", inputs, outputs)
    try:
        ev = ReferenceEvaluator(helper.make_model(graph))
        got = ev.run(None, feeds)
    except Exception:  # noqa: BLE001 - an op the reference cannot fold stays in the graph
        return None
    return {o: np.asarray(v) for o, v in zip([o for o in node.output if o], got, strict=True)}
