"""Random weights for the ONNX package's "light" test models, whose weights are constant
fills (``ConstantOfShape``): with every weight equal, every output is the same number and a
comparison with onnxruntime would prove nothing. Used by the tests and the benchmark.

Scales follow He initialisation (std sqrt(2 / fan_in)) so a 100-layer network neither
explodes nor vanishes; BatchNormalization gets a positive variance.
"""

from __future__ import annotations

from pathlib import Path


def with_random_weights(source: str | Path, target: str | Path, seed: int = 0) -> Path:
    """Write ``source`` to ``target`` with each ``ConstantOfShape`` weight made random."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    rng = np.random.default_rng(seed)
    model = onnx.load(str(source))
    inits = {t.name: t for t in model.graph.initializer}
    role: dict[str, str] = {}
    for n in model.graph.node:
        if n.op_type == "BatchNormalization":
            for k, r in zip(n.input[1:5], ("scale", "shift", "mean", "var"), strict=False):
                role[k] = r
    keep = []
    for n in model.graph.node:
        if n.op_type != "ConstantOfShape" or n.input[0] not in inits:
            keep.append(n)
            continue
        shape = tuple(int(d) for d in numpy_helper.to_array(inits[n.input[0]]))
        r = role.get(n.output[0])
        if r == "scale":
            v = 1.0 + 0.1 * rng.standard_normal(shape)
        elif r == "var":
            v = rng.uniform(0.5, 1.5, shape)
        elif r in ("shift", "mean") or len(shape) < 2:
            v = 0.1 * rng.standard_normal(shape)
        else:
            fan_in = int(np.prod(shape[1:]))
            v = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        model.graph.initializer.append(numpy_helper.from_array(v.astype(np.float32), n.output[0]))
        if model.ir_version < 4:   # old files list every initializer among the inputs
            model.graph.input.append(helper.make_tensor_value_info(n.output[0], 1, shape))
    del model.graph.node[:]
    model.graph.node.extend(keep)
    onnx.save(model, str(target))
    return Path(target)
