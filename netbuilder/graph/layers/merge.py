"""Add, Multiply and Concat: nodes with several numbered inputs (order matters for Concat)."""

from __future__ import annotations

from ..errors import ShapeError
from ..params import INT, ParamSpec
from ..spec import FWD_ADD, FWD_CAT, FWD_MUL, LayerResult, LayerSpec
from ..tensor import Tensor
from ._common import torch_dim


def _same_shapes(name: str):
    def rule(p, ins):
        first = ins[0]
        if any(t.shape != first.shape for t in ins[1:]):
            got = " and ".join(str(t) for t in ins)
            raise ShapeError(f"{name} needs inputs of equal shape; received {got}")
        return LayerResult([first], 0, 0)
    return rule


def _concat(p, ins):
    first = ins[0]
    if any(t.ndim != first.ndim for t in ins):
        raise ShapeError("Concat needs inputs with the same number of dimensions; received "
                         + " and ".join(str(t) for t in ins))
    d = torch_dim("Concat", "dim", p["dim"], first)
    for t in ins[1:]:
        for i, (a, b) in enumerate(zip(first.shape, t.shape, strict=True)):
            if i != d and a != b:
                raise ShapeError(
                    f"Concat along dim {p['dim']} needs every other dimension equal; received "
                    + " and ".join(str(u) for u in ins))
    total = sum(t.shape[d] for t in ins)
    out = first.shape[:d] + (total,) + first.shape[d + 1:]
    formula = [" + ".join(str(t.shape[d]) for t in ins) + f" = {total} along dim {p['dim']}"]
    return LayerResult([Tensor(out, first.dtype)], formula=formula)


def _merge(type_, help_, rule, forward, params=()):
    return LayerSpec(type=type_, category="Merge", help=help_, params=params, rule=rule,
                     inputs=2, variadic=True, min_inputs=2, forward=forward,
                     summary=(lambda p: f"dim={p['dim']}") if params else None)


SPECS = (
    _merge("Add", "Adds its inputs element by element; the skip connection of ResNet.",
           _same_shapes("Add"), FWD_ADD),
    _merge("Multiply", "Multiplies its inputs element by element (gating).",
           _same_shapes("Multiply"), FWD_MUL),
    _merge("Concat", "Joins its inputs along one dimension (channels by default), in port "
           "order; the merge of an Inception module.", _concat, FWD_CAT,
           (ParamSpec("dim", INT, 1, "Dimension to join along (1 = channels; 0 is the batch)"),)),
)
