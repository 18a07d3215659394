"""Which catalogue layer a ``torch.nn`` module is, and its settings read off the module.

``layer_of(module)`` returns ``(type, params)`` for a module whose class is the one a
catalogue spec names (``nn.Conv2d`` -> ``Conv2d``), its settings read from the module's
attributes under the same names torch uses, or raises ``Unsupported`` saying why. The
classes netbuilder writes into generated code itself (``PositionalEncoding``, ``Maxout``,
see ``codegen/own_classes.py``) are recognised by name and attributes; the verification
after import catches a look-alike that computes something else.
"""

from __future__ import annotations

from typing import Any

from ..codegen.own_classes import CLASS_NAMES
from ..graph.catalogue import CATALOGUE
from ..graph.spec import LayerSpec
from .errors import Unsupported

# Catalogue layers that take extra forward arguments netbuilder writes itself (a causal
# mask): a module of that kind is accepted only called the way generated code calls it.
_NOT_MAPPED = {"TransformerDecoderLayer"}


def _torch_classes() -> dict[type, LayerSpec]:
    from torch import nn

    out = {}
    for spec in CATALOGUE.values():
        if spec.module and not spec.own_class and spec.type not in _NOT_MAPPED:
            cls = getattr(nn, spec.module, None)
            if isinstance(cls, type):
                out[cls] = spec
    return out


_CLASSES: dict[type, LayerSpec] | None = None


def spec_for(module) -> LayerSpec | None:
    """The catalogue spec for this module's class, or None when it is not a layer."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _torch_classes()
    spec = _CLASSES.get(type(module))
    if spec is None and type(module).__name__ in CLASS_NAMES:
        spec = CATALOGUE[type(module).__name__]
    return spec


def is_torch_nn(module) -> bool:
    """A class torch.nn defines (a layer, a container or one netbuilder has no layer for)."""
    return type(module).__module__.startswith("torch.nn.")


def qualified(module) -> str:
    """``torch.nn.Hardtanh`` rather than ``torch.nn.modules.activation.Hardtanh``."""
    from torch import nn

    cls = type(module)
    if getattr(nn, cls.__name__, None) is cls:
        return f"torch.nn.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _short(v: Any) -> Any:
    """``(3, 3)`` -> 3 (torch stores every size as a tuple; a student writes one number)."""
    if isinstance(v, (tuple, list)) and v and all(x == v[0] for x in v) \
            and not isinstance(v[0], (tuple, list)):
        return v[0]
    return v


def _read(spec: LayerSpec, m, name: str) -> Any:
    t = spec.type
    if name == "bias":
        if t in ("TransformerEncoderLayer",):
            return m.linear1.bias is not None
        if t == "MultiheadAttention":
            return m.in_proj_bias is not None
        if t in ("RNN", "LSTM", "GRU"):
            return bool(m.bias)
        return getattr(m, "bias", None) is not None
    if t == "TransformerEncoderLayer":
        import torch.nn.functional as F

        act = m.activation
        return {"nhead": lambda: m.self_attn.num_heads,
                "dim_feedforward": lambda: m.linear1.out_features,
                "dropout": lambda: m.dropout.p,
                "activation": lambda: {F.relu: "relu", F.gelu: "gelu"}.get(act, act),
                "layer_norm_eps": lambda: m.norm1.eps,
                "norm_first": lambda: m.norm_first}[name]()
    if t == "PositionalEncoding" and name == "encoding":
        from torch import nn

        return "learned" if isinstance(m.pe, nn.Parameter) else "sinusoidal"
    return getattr(m, name)


def _refusals(spec: LayerSpec, m) -> str | None:
    """Module settings netbuilder's layer cannot express (checked before mapping)."""
    t = spec.type
    checks = {
        "MaxPool1d": lambda: m.return_indices and "return_indices=True",
        "MaxPool2d": lambda: m.return_indices and "return_indices=True",
        "AvgPool1d": lambda: False,
        "AvgPool2d": lambda: m.divisor_override is not None and "divisor_override",
        "Embedding": lambda: (m.max_norm is not None or m.sparse) and "max_norm / sparse",
        "RNN": lambda: not m.batch_first and "batch_first=False (netbuilder's are batch-first)",
        "GRU": lambda: not m.batch_first and "batch_first=False (netbuilder's are batch-first)",
        "LSTM": lambda: (not m.batch_first and "batch_first=False (netbuilder's are "
                         "batch-first)") or (m.proj_size and "proj_size"),
        "MultiheadAttention": lambda: (not m.batch_first and "batch_first=False") or (
            not m._qkv_same_embed_dim and "kdim/vdim") or (m.bias_k is not None and
                                                          "add_bias_kv"),
        "TransformerEncoderLayer": lambda: not m.self_attn.batch_first and "batch_first=False",
        "Upsample": lambda: m.recompute_scale_factor and "recompute_scale_factor",
        "BatchNorm1d": lambda: m.momentum is None and "momentum=None",
        "BatchNorm2d": lambda: m.momentum is None and "momentum=None",
    }
    check = checks.get(t)
    return (check() or None) if check else None


def layer_of(module, where: str) -> tuple[str, dict[str, Any]]:
    """``(type, params)`` of a catalogue module; Unsupported naming it otherwise."""
    spec = spec_for(module)
    cls = type(module).__name__
    if spec is None:
        raise Unsupported(cls, where, f"{qualified(module)} has no netbuilder layer")
    why = _refusals(spec, module)
    if why:
        raise Unsupported(cls, where, why)
    params: dict[str, Any] = {}
    for p in spec.params:
        if not p.torch or p.name in dict(spec.fixed_kwargs):
            continue
        try:
            v = _read(spec, module, p.name)
        except AttributeError:
            continue
        if p.name in ("kernel_size", "stride", "padding", "dilation", "output_padding",
                      "output_size", "scale_factor", "size"):
            v = _short(v)
        if p.name == "stride" and spec.type.startswith(("MaxPool", "AvgPool")) \
                and v == _short(module.kernel_size):
            v = None       # torch stores stride=None as the kernel size
        params[p.name] = v
    if spec.type == "LayerNorm" and len(module.normalized_shape) > 1:
        params["normalized_shape"] = tuple(module.normalized_shape)
    return spec.type, coerce(spec, params, cls, where)


def coerce(spec: LayerSpec, params: dict[str, Any], what: str, where: str) -> dict[str, Any]:
    """The values as the catalogue stores them; Unsupported for one it cannot hold."""
    out = {}
    for k, v in params.items():
        p = spec.param(k)
        try:
            c = p.coerce(list(v) if isinstance(v, tuple) else v)
        except Exception as exc:  # noqa: BLE001 - coerce raises ValueError/TypeError/own errors
            raise Unsupported(what, where, f"{k}={v!r}: {str(exc)[:120]}") from None
        problems = p.range_problems(c)
        if problems:
            raise Unsupported(what, where, problems[0])
        if c != p.default or p.emit_always or p.positional:
            out[k] = c
    return out
