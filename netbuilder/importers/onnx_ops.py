"""The ONNX operator table: one function per operator family, each adding catalogue layers.

``OPS`` maps an ONNX op type to its function. A function reads the node (attributes,
constant inputs folded by ``onnx_fold``), adds one or more layers through the ``Mapper``
and stores their weights under torch's names; a node it cannot express raises
``Unsupported`` with the reason, so the refusal lists every such node at once. Patterns
that mean one layer (MatMul + Add, Mul + Add as a per-channel scale and shift, Reshape +
Transpose + Reshape as a channel shuffle) are recognised by the function of their first op.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..graph.tensor import Tensor
from .errors import Unsupported
from .onnx_fold import BATCH
from .onnx_mapper import Mapper, attr, data_input, name_of

# float32's lowest value: MaxPool's asymmetric padding must never win the max.
_LOWEST = float(np.finfo(np.float32).min)


# ---------------------------------------------------------------------------------------
# Convolution and pooling
# ---------------------------------------------------------------------------------------

def _pads(m: Mapper, node, kernel, strides, dilations, rank: int) -> list[int]:
    auto = attr(node, "auto_pad", "NOTSET")
    if auto in ("NOTSET", ""):
        return list(attr(node, "pads", [0] * (2 * rank)))
    if auto == "VALID":
        return [0] * (2 * rank)
    size = m.shape(data_input(node)).shape[1:]
    begin, end = [], []
    for d in range(rank):
        out = -(-size[d] // strides[d])
        total = max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - size[d])
        small, big = total // 2, total - total // 2
        begin.append(small if auto == "SAME_UPPER" else big)
        end.append(big if auto == "SAME_UPPER" else small)
    return begin + end


def _pad_first(m: Mapper, node, pads: list[int], rank: int, value: float) -> tuple[str, Any]:
    """Symmetric pads become the layer's ``padding``; others a ZeroPad2d/ConstantPad2d."""
    begin, end = pads[:rank], pads[rank:]
    if begin == end:
        return data_input(node), tuple(begin) if rank > 1 else begin[0]
    if rank != 2:
        raise Unsupported(node.op_type, name_of(node), f"asymmetric pads {pads} in 1-D")
    padding = [begin[1], end[1], begin[0], end[0]]   # left, right, top, bottom
    tmp = f"{node.output[0]}::padded"
    if value == 0.0:
        m.add("ZeroPad2d", [data_input(node)], node, out=tmp, suffix="_pad", padding=padding)
    else:
        m.add("ConstantPad2d", [data_input(node)], node, out=tmp, suffix="_pad", padding=padding,
              value=value)
    return tmp, (0, 0)


def conv(m: Mapper, node) -> None:
    w = m.const(node, 1, "the weight")
    b = m.opt_const(node, 2)
    rank = w.ndim - 2
    if rank not in (1, 2):
        raise Unsupported(node.op_type, name_of(node), f"{rank}-D convolution")
    kernel = list(attr(node, "kernel_shape", w.shape[2:]))
    strides = list(attr(node, "strides", [1] * rank))
    dil = list(attr(node, "dilations", [1] * rank))
    groups = attr(node, "group", 1)
    src, padding = _pad_first(m, node, _pads(m, node, kernel, strides, dil, rank), rank, 0.0)
    one = (lambda v: v[0]) if rank == 1 else tuple
    nid = m.add(f"Conv{rank}d", [src], node, out=node.output[0], out_channels=w.shape[0],
                kernel_size=one(kernel), stride=one(strides), padding=padding,
                dilation=one(dil), groups=groups, bias=b is not None)
    m.weights(nid, weight=w, bias=b)


def conv_transpose(m: Mapper, node) -> None:
    w = m.const(node, 1, "the weight")
    b = m.opt_const(node, 2)
    if w.ndim != 4:
        raise Unsupported(node.op_type, name_of(node), f"{w.ndim - 2}-D transposed convolution")
    if attr(node, "output_shape") is not None or attr(node, "auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise Unsupported(node.op_type, name_of(node), "output_shape / auto_pad")
    pads = list(attr(node, "pads", [0] * 4))
    if pads[:2] != pads[2:]:
        raise Unsupported(node.op_type, name_of(node), f"asymmetric pads {pads}")
    groups = attr(node, "group", 1)
    nid = m.add("ConvTranspose2d", [data_input(node)], node, out_channels=w.shape[1] * groups,
                kernel_size=tuple(attr(node, "kernel_shape", w.shape[2:])),
                stride=tuple(attr(node, "strides", [1, 1])), padding=tuple(pads[:2]),
                output_padding=tuple(attr(node, "output_padding", [0, 0])),
                dilation=tuple(attr(node, "dilations", [1, 1])), groups=groups,
                bias=b is not None)
    m.weights(nid, weight=w, bias=b)


def pool(m: Mapper, node) -> None:
    kind = "Max" if node.op_type == "MaxPool" else "Avg"
    if len(node.output) > 1 and node.output[1]:
        raise Unsupported(node.op_type, name_of(node), "the Indices output")
    kernel = list(attr(node, "kernel_shape"))
    rank = len(kernel)
    if rank not in (1, 2):
        raise Unsupported(node.op_type, name_of(node), f"{rank}-D pooling")
    strides = list(attr(node, "strides", [1] * rank))
    dil = list(attr(node, "dilations", [1] * rank))
    if any(d != 1 for d in dil):
        raise Unsupported(node.op_type, name_of(node), f"dilations {dil}")
    pads = _pads(m, node, kernel, strides, dil, rank)
    include = bool(attr(node, "count_include_pad", 0))
    ceil = bool(attr(node, "ceil_mode", 0))
    if kind == "Avg" and pads[:rank] != pads[rank:] and not include:
        # Padding that is never averaged (Caffe's ceil-mode pads, [0, 0, 1, 1]): the torch
        # pool pads the begin amount on both sides and lets ceil_mode reach the rest.
        _avg_pool_excluding_pads(m, node, kernel, strides, pads, rank, ceil)
        return
    if ceil and pads[:rank] != pads[rank:]:
        ceil = _ceil_after_explicit_pads(m, node, kernel, strides, pads, rank)
    src, padding = _pad_first(m, node, pads, rank, _LOWEST if kind == "Max" else 0.0)
    one = (lambda v: v[0]) if rank == 1 else tuple
    params: dict[str, Any] = {"kernel_size": one(kernel), "stride": one(strides),
                              "padding": padding, "ceil_mode": ceil}
    if kind == "Avg":
        params["count_include_pad"] = include
    m.add(f"{kind}Pool{rank}d", [src], node, out=node.output[0], **params)


def _out_size(size: int, k: int, s: int, begin: int, end: int, ceil: bool) -> int:
    """ONNX's (and torch's) pooled size: a ceil window may not start in the end padding."""
    span = size + begin + end - k
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= size + begin:
        out -= 1
    return out


def _avg_pool_excluding_pads(m: Mapper, node, kernel, strides, pads, rank, ceil) -> None:
    size = m.shape(data_input(node)).shape[1:]
    begin = pads[:rank]
    want = [_out_size(size[d], kernel[d], strides[d], pads[d], pads[rank + d], ceil)
            for d in range(rank)]
    if want == [1] * rank and all(kernel[d] - begin[d] >= size[d] for d in range(rank)):
        # one window over the whole map (GoogLeNet's 7x7 on a 6x6 map): global average
        m.add(f"AdaptiveAvgPool{rank}d", [data_input(node)], node, output_size=1)
        return
    for c in (False, True):
        got = [_out_size(size[d], kernel[d], strides[d], begin[d], begin[d], c)
               for d in range(rank)]
        if got == want and all(2 * b <= k for b, k in zip(begin, kernel, strict=True)):
            one = (lambda v: v[0]) if rank == 1 else tuple
            m.add(f"AvgPool{rank}d", [data_input(node)], node, kernel_size=one(kernel),
                  stride=one(strides), padding=one(begin), ceil_mode=c,
                  count_include_pad=False)
            return
    raise Unsupported(node.op_type, name_of(node),
                      f"pads {pads} with count_include_pad=0 on {size}")


def _ceil_after_explicit_pads(m: Mapper, node, kernel, strides, pads, rank) -> bool:
    """The ceil_mode that gives ONNX's sizes once asymmetric pads are a layer of their own."""
    size = m.shape(data_input(node)).shape[1:]
    want = [_out_size(size[d], kernel[d], strides[d], pads[d], pads[rank + d], True)
            for d in range(rank)]
    for ceil in (False, True):
        got = [_out_size(size[d] + pads[d] + pads[rank + d], kernel[d], strides[d], 0, 0, ceil)
               for d in range(rank)]
        if got == want:
            return ceil
    raise Unsupported(node.op_type, name_of(node), f"ceil_mode with pads {pads} on {size}")


def global_pool(m: Mapper, node) -> None:
    rank = m.shape(data_input(node)).ndim - 1
    kind = "Avg" if node.op_type == "GlobalAveragePool" else "Max"
    if rank not in (1, 2) or (kind == "Max" and rank != 2):
        raise Unsupported(node.op_type, name_of(node), f"on {rank}-D inputs")
    m.add(f"Adaptive{kind}Pool{rank}d", [data_input(node)], node, output_size=1)


def reduce_pool(m: Mapper, node) -> None:
    """ReduceMean/ReduceMax over every spatial axis: global pooling (then Flatten when the
    axes are dropped), as ``x.mean((2, 3))`` exports."""
    x = m.shape(data_input(node))
    nd = x.ndim + 1
    axes = attr(node, "axes")
    if axes is None:
        given = m.opt_const(node, 1)
        axes = None if given is None else given.tolist()
    if axes is None or sorted(a % nd for a in axes) != list(range(2, nd)) or nd not in (3, 4):
        raise Unsupported(node.op_type, name_of(node), f"over axes {axes} of a {nd}-D tensor "
                          "(only every spatial axis: global pooling)")
    kind = "Avg" if node.op_type == "ReduceMean" else "Max"
    if kind == "Max" and nd != 4:
        raise Unsupported(node.op_type, name_of(node), "on 1-D feature maps")
    keep = attr(node, "keepdims", 1)
    out = node.output[0] if keep else f"{node.output[0]}::pooled"
    m.add(f"Adaptive{kind}Pool{nd - 2}d", [data_input(node)], node, out=out, output_size=1)
    if not keep:
        m.add("Flatten", [out], node, out=node.output[0], suffix="_flat")


# ---------------------------------------------------------------------------------------
# Linear
# ---------------------------------------------------------------------------------------

def gemm(m: Mapper, node) -> None:
    if attr(node, "transA", 0):
        raise Unsupported(node.op_type, name_of(node), "transA=1")
    w = m.const(node, 1, "B (the weight)").astype(np.float32)
    if not attr(node, "transB", 0):
        w = w.T
    w = w * np.float32(attr(node, "alpha", 1.0))
    c = m.opt_const(node, 2)
    if c is not None:
        c = (np.broadcast_to(c, (w.shape[0],)) * np.float32(attr(node, "beta", 1.0))).astype(np.float32)
    nid = m.add("Linear", [data_input(node)], node, out_features=w.shape[0], bias=c is not None)
    m.weights(nid, weight=w, bias=c)


def matmul(m: Mapper, node) -> None:
    w = m.const(node, 1, "the second operand (a weight matrix)")
    if w.ndim != 2:
        raise Unsupported(node.op_type, name_of(node), f"a {w.ndim}-D weight")
    bias, out = None, node.output[0]
    add = m.only_consumer(out, "Add")
    if add is not None:
        other = add.input[1] if add.input[0] == out else add.input[0]
        b = m.values.get(other)
        if b is not None and b.size == w.shape[1] and b.shape[-1:] == (w.shape[1],):
            bias, out = b.reshape(-1), add.output[0]
            m.skip.add(id(add))
    nid = m.add("Linear", [data_input(node)], node, out=out, out_features=w.shape[1],
                bias=bias is not None)
    m.weights(nid, weight=w.T, bias=bias)


# ---------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------

def batchnorm(m: Mapper, node) -> None:
    scale, bias = m.const(node, 1, "scale"), m.const(node, 2, "B")
    mean, var = m.const(node, 3, "mean"), m.const(node, 4, "var")
    if attr(node, "training_mode", 0):
        raise Unsupported(node.op_type, name_of(node), "training_mode=1")
    nd = m.shape(data_input(node)).ndim
    if nd > 3:
        raise Unsupported(node.op_type, name_of(node), f"on {nd - 1}-D feature maps")
    type_ = "BatchNorm2d" if nd == 3 else "BatchNorm1d"
    nid = m.add(type_, [data_input(node)], node, eps=float(attr(node, "epsilon", 1e-5)),
                momentum=round(1.0 - float(attr(node, "momentum", 0.9)), 6))
    _bn_weights(m, nid, scale, bias, mean, var)


def _bn_weights(m: Mapper, nid: str, scale, bias, mean, var) -> None:
    m.weights(nid, weight=scale, bias=bias, running_mean=mean, running_var=var,
              num_batches_tracked=np.array(0, dtype=np.int64))


def lrn(m: Mapper, node) -> None:
    m.add("LocalResponseNorm", [data_input(node)], node, size=attr(node, "size"),
          alpha=float(attr(node, "alpha", 1e-4)), beta=float(attr(node, "beta", 0.75)),
          k=float(attr(node, "bias", 1.0)))


# ---------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------

_PLAIN = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Softplus": "Softplus",
          "HardSwish": "Hardswish", "Mish": "Mish"}


def activation(m: Mapper, node) -> None:
    op = node.op_type
    if op in _PLAIN:
        m.add(_PLAIN[op], [data_input(node)], node)
    elif op == "LeakyRelu":
        m.add("LeakyReLU", [data_input(node)], node, negative_slope=float(attr(node, "alpha", 0.01)))
    elif op == "Elu":
        m.add("ELU", [data_input(node)], node, alpha=float(attr(node, "alpha", 1.0)))
    elif op == "Selu":
        a, g = attr(node, "alpha", 1.67326), attr(node, "gamma", 1.0507)
        if abs(a - 1.6732632) > 1e-5 or abs(g - 1.0507010) > 1e-5:
            raise Unsupported(op, name_of(node), f"alpha={a:g}, gamma={g:g}")
        m.add("SELU", [data_input(node)], node)
    elif op == "HardSigmoid":
        a, b = attr(node, "alpha", 0.2), attr(node, "beta", 0.5)
        if abs(a - 1 / 6) > 1e-6 or abs(b - 0.5) > 1e-6:
            raise Unsupported(op, name_of(node), f"alpha={a:g}, beta={b:g} (torch's is 1/6, 0.5)")
        m.add("Hardsigmoid", [data_input(node)], node)
    elif op == "Gelu":
        m.add("GELU", [data_input(node)], node, approximate=attr(node, "approximate", "none"))
    elif op == "Clip":
        lo = m.opt_const(node, 1) if len(node.input) > 1 else attr(node, "min")
        hi = m.opt_const(node, 2) if len(node.input) > 2 else attr(node, "max")
        lo = None if lo is None else float(lo)
        hi = None if hi is None else float(hi)
        if lo == 0.0 and hi == 6.0:
            m.add("ReLU6", [data_input(node)], node)
        elif lo == 0.0 and (hi is None or math.isinf(hi)):
            m.add("ReLU", [data_input(node)], node)
        else:
            raise Unsupported(op, name_of(node), f"min={lo}, max={hi} (only ReLU/ReLU6 ranges)")
    elif op == "PRelu":
        slope = m.const(node, 1, "the slope")
        x = m.shape(data_input(node))
        if slope.size == 1:
            n = 1
        elif slope.size == x.shape[0] and slope.shape[0] in (x.shape[0], 1):
            n = slope.size
        else:
            raise Unsupported(op, name_of(node), f"slope of shape {list(slope.shape)}")
        nid = m.add("PReLU", [data_input(node)], node, num_parameters=n)
        m.weights(nid, weight=slope.reshape(-1).astype(np.float32))
    elif op in ("Softmax", "LogSoftmax"):
        axis = attr(node, "axis", -1)
        nd = m.shape(data_input(node)).ndim + 1
        if axis % nd == 0:
            raise Unsupported(op, name_of(node), "along the batch axis")
        m.add(op, [data_input(node)], node, dim=axis)
    else:
        raise Unsupported(op, name_of(node))


# ---------------------------------------------------------------------------------------
# Element-wise arithmetic, merging, and reshaping
# ---------------------------------------------------------------------------------------

def arithmetic(m: Mapper, node) -> None:
    op = node.op_type
    ins = [i for i in node.input if i]
    consts = [i for i in ins if i in m.values]
    if not consts:
        if op == "Sub" or op == "Div":
            raise Unsupported(op, name_of(node), "of two computed tensors")
        shapes = {m.shape(i).shape for i in ins}
        if len(shapes) > 1:
            raise Unsupported(op, name_of(node), "with broadcasting between inputs of shapes "
                              + " and ".join("x".join(map(str, s)) for s in sorted(shapes)))
        m.add("Multiply" if op == "Mul" else "Add", ins, node)
        return
    if len(ins) != 2 or len(consts) != 1 or (op in ("Sub", "Div") and ins[1] not in m.values):
        raise Unsupported(op, name_of(node), "with these constant operands")
    x = ins[0] if ins[1] in m.values else ins[1]
    k = m.values[consts[0]].astype(np.float32)
    t = m.shape(x)
    c = t.shape[0]
    per = _per_channel(k, t)
    if per is None:
        raise Unsupported(op, name_of(node), f"by a constant of shape {list(k.shape)}")
    per = np.broadcast_to(per, (c,)).astype(np.float32)
    scale, shift = np.ones(c, np.float32), np.zeros(c, np.float32)
    if op == "Mul":
        scale = per
    elif op == "Div":
        scale = (1.0 / per).astype(np.float32)
    elif op == "Add":
        shift = per
    else:
        shift = -per
    out = node.output[0]
    if op in ("Mul", "Div"):  # x * a + b: one layer (BatchNorm written out)
        nxt = m.only_consumer(out, "Add")
        if nxt is not None:
            other = nxt.input[1] if nxt.input[0] == out else nxt.input[0]
            b = m.values.get(other)
            pb = _per_channel(b.astype(np.float32), t) if b is not None else None
            if pb is not None:
                shift, out = np.broadcast_to(pb, (c,)).astype(np.float32), nxt.output[0]
                m.skip.add(id(nxt))
    if t.ndim not in (1, 2, 3):
        raise Unsupported(op, name_of(node), f"by a constant on a {t.ndim}-D input")
    eps = 1e-5
    nid = m.add("BatchNorm2d" if t.ndim == 3 else "BatchNorm1d", [x], node, out=out, eps=eps)
    _bn_weights(m, nid, scale, shift, np.zeros(c, np.float32),
                np.full(c, 1.0 - eps, np.float32))


def _per_channel(k: np.ndarray, t: Tensor):
    """The per-channel vector of a constant that broadcasts along channels only, or None."""
    if k.size == 1:
        return k.reshape(1)
    shape = list(k.shape)
    full = [1] * (t.ndim + 1 - len(shape)) + shape
    if len(full) != t.ndim + 1 or full[0] != 1 or full[1] != t.shape[0]:
        return None
    if any(d != 1 for d in full[2:]):
        return None
    return k.reshape(-1)


def sum_(m: Mapper, node) -> None:
    if len([i for i in node.input if i]) == 1:
        m.src[node.output[0]] = m.src[node.input[0]]
        return
    arithmetic(m, node)


def concat(m: Mapper, node) -> None:
    ins = [i for i in node.input if i]
    if any(i in m.values for i in ins):
        raise Unsupported(node.op_type, name_of(node), "with a constant input")
    m.add("Concat", ins, node, dim=attr(node, "axis"))


def identity(m: Mapper, node) -> None:
    if node.op_type == "Dropout" and len(node.output) > 1 and node.output[1] \
            and m.consumers.get(node.output[1]):
        raise Unsupported(node.op_type, name_of(node), "its mask output is used")
    m.src[node.output[0]] = m.src[data_input(node)]


def flatten(m: Mapper, node) -> None:
    axis = attr(node, "axis", 1)
    nd = m.shape(data_input(node)).ndim + 1
    if axis % nd != 1 and not (axis % nd == 0 and nd == 1):
        raise Unsupported(node.op_type, name_of(node), f"axis={axis} mixes the batch into "
                          "the features")
    m.add("Flatten", [data_input(node)], node)


def reshape(m: Mapper, node) -> None:
    target = [int(v) for v in m.const(node, 1, "the target shape").tolist()]
    x = m.shape(data_input(node))
    if _channel_shuffle(m, node, target, x) or _pixel_shuffle(m, node, target, x):
        return
    if not target or target[0] not in (0, BATCH, -1, 1) or (target[0] == -1 and -1 in target[1:]):
        raise Unsupported(node.op_type, name_of(node), f"to {target}: its first dimension is "
                          "not the batch")
    rest = [x.shape[i] if v == 0 else v for i, v in enumerate(target[1:])]
    if BATCH in rest:
        raise Unsupported(node.op_type, name_of(node), "moves the batch")
    if -1 in rest:
        known = math.prod(v for v in rest if v != -1)
        rest[rest.index(-1)] = x.numel // known if known else 0
    if math.prod(rest) != x.numel:
        raise Unsupported(node.op_type, name_of(node), f"to {target} from {x}")
    if tuple(rest) == x.shape:
        m.src[node.output[0]] = m.src[data_input(node)]
        return
    src = data_input(node)
    if x.ndim > 1:
        if len(rest) == 1:
            m.add("Flatten", [src], node)
            return
        src = f"{node.output[0]}::flat"
        m.add("Flatten", [data_input(node)], node, out=src, suffix="_flat")
    m.add("Unflatten", [src], node, dim=1, unflattened_size=tuple(rest))


def _channel_shuffle(m: Mapper, node, target: list[int], x: Tensor) -> bool:
    """Reshape(N, g, C/g, ...) -> Transpose(swap 1, 2) -> Reshape(back): ChannelShuffle."""
    if x.ndim < 2 or len(target) < 4:
        return False
    c = x.shape[0]
    g = target[1]
    if g < 1 or c % g or target[2] != c // g:
        return False
    tr = m.only_consumer(node.output[0], "Transpose")
    if tr is None:
        return False
    perm = list(attr(tr, "perm", []))
    if perm[:3] != [0, 2, 1] or perm[3:] != list(range(3, len(perm))):
        return False
    back = m.only_consumer(tr.output[0], "Reshape")
    if back is None:
        return False
    shape_back = m.values.get(back.input[1])
    if shape_back is None:
        return False
    sb = [int(v) for v in shape_back.tolist()]
    if len(sb) != x.ndim + 1 or sb[0] not in (0, BATCH, -1, 1) \
            or not all(v in (d, 0, -1) for v, d in zip(sb[1:], x.shape, strict=True)):
        return False
    m.skip.update({id(tr), id(back)})
    m.add("ChannelShuffle", [data_input(node)], node, out=back.output[0], groups=g)
    return True


def _pixel_shuffle(m: Mapper, node, target: list[int], x: Tensor) -> bool:
    """Reshape(N, C, r, r, H, W) -> Transpose(0, 1, 4, 2, 5, 3) -> Reshape(N, C, H*r, W*r):
    PixelShuffle, as older exporters wrote it."""
    if x.ndim != 3 or len(target) != 6:
        return False
    c, h, w = x.shape
    r = target[2]
    if r < 1 or target[3] != r or target[1] * r * r != c or target[4:] != [h, w]:
        return False
    tr = m.only_consumer(node.output[0], "Transpose")
    if tr is None or list(attr(tr, "perm", [])) != [0, 1, 4, 2, 5, 3]:
        return False
    back = m.only_consumer(tr.output[0], "Reshape")
    shape_back = m.values.get(back.input[1]) if back is not None else None
    if shape_back is None or [int(v) for v in shape_back.tolist()][1:] != [c // (r * r), h * r,
                                                                           w * r]:
        return False
    m.skip.update({id(tr), id(back)})
    m.add("PixelShuffle", [data_input(node)], node, out=back.output[0], upscale_factor=r)
    return True


def pad(m: Mapper, node) -> None:
    mode = attr(node, "mode", "constant")
    if mode != "constant":
        raise Unsupported(node.op_type, name_of(node), f"mode={mode}")
    pads = m.opt_const(node, 1)
    pads = list(attr(node, "pads", [])) if pads is None else pads.tolist()
    if m.opt_const(node, 3) is not None:
        raise Unsupported(node.op_type, name_of(node), "the axes input")
    value = m.opt_const(node, 2)
    value = float(attr(node, "value", 0.0)) if value is None or value.size == 0 else float(value)
    n = len(pads) // 2
    begin, end = pads[:n], pads[n:]
    if n < 3 or any(begin[:-2]) or any(end[:-2]) or min(pads) < 0:
        raise Unsupported(node.op_type, name_of(node), f"pads {pads}: only the last two "
                          "dimensions, by at least 0")
    padding = [begin[-1], end[-1], begin[-2], end[-2]]
    if value == 0.0:
        m.add("ZeroPad2d", [data_input(node)], node, padding=padding)
    else:
        m.add("ConstantPad2d", [data_input(node)], node, padding=padding, value=value)


def resize(m: Mapper, node) -> None:
    x = m.shape(data_input(node))
    mode = attr(node, "mode", "nearest")
    if node.op_type == "Upsample":
        scales = attr(node, "scales") or m.opt_const(node, 1)
        sizes = None
    else:
        scales = m.opt_const(node, 2)
        sizes = m.opt_const(node, 3)
        if attr(node, "antialias", 0) or attr(node, "axes") is not None:
            raise Unsupported(node.op_type, name_of(node), "antialias / axes")
    scales = None if scales is None or np.size(scales) == 0 else [float(s) for s in np.ravel(scales)]
    coord = attr(node, "coordinate_transformation_mode", "half_pixel")
    spatial = x.ndim - 1
    if mode == "nearest":
        near = attr(node, "nearest_mode", "round_prefer_floor")
        if node.op_type == "Resize" and (coord, near) != ("asymmetric", "floor") and not (
                coord in ("half_pixel", "pytorch_half_pixel")
                and near in ("round_prefer_floor", "round_prefer_ceil")
                and _integer_scales(x, scales, sizes)):
            # (with whole-number scales, half-pixel rounding picks the same pixels)
            raise Unsupported(node.op_type, name_of(node), f"mode=nearest with {coord}/{near}")
        torch_mode, align = "nearest", None
    elif mode in ("linear", "bilinear"):
        if coord not in ("half_pixel", "pytorch_half_pixel", "align_corners"):
            raise Unsupported(node.op_type, name_of(node), f"mode=linear with {coord}")
        torch_mode = {1: "linear", 2: "bilinear", 3: "trilinear"}.get(spatial)
        align = coord == "align_corners"
    else:
        raise Unsupported(node.op_type, name_of(node), f"mode={mode}")
    if torch_mode is None:
        raise Unsupported(node.op_type, name_of(node), f"on a {spatial}-D input")
    if sizes is not None and sizes.size:
        size = tuple(int(v) for v in sizes.tolist()[2:])
        m.add("Upsample", [data_input(node)], node, size=size, scale_factor=None, mode=torch_mode,
              align_corners=align)
        return
    if scales is None or len(scales) != spatial + 2 or scales[:2] != [1.0, 1.0]:
        raise Unsupported(node.op_type, name_of(node), f"scales {scales}")
    s = set(scales[2:])
    if len(s) != 1:
        size = tuple(int(math.floor(d * f)) for d, f in zip(x.shape[1:], scales[2:], strict=True))
        m.add("Upsample", [data_input(node)], node, size=size, scale_factor=None, mode=torch_mode,
              align_corners=align)
        return
    m.add("Upsample", [data_input(node)], node, scale_factor=s.pop(), mode=torch_mode,
          align_corners=align)


def _integer_scales(x: Tensor, scales, sizes) -> bool:
    if sizes is not None and sizes.size:
        out = [int(v) for v in sizes.tolist()[2:]]
        return len(out) == x.ndim - 1 and all(o % i == 0 for o, i in zip(out, x.shape[1:],
                                                                          strict=True))
    return scales is not None and all(float(f).is_integer() for f in scales)


def depth_to_space(m: Mapper, node) -> None:
    if attr(node, "mode", "DCR") != "CRD":
        raise Unsupported(node.op_type, name_of(node), "mode=DCR (only CRD is PixelShuffle)")
    m.add("PixelShuffle", [data_input(node)], node, upscale_factor=attr(node, "blocksize"))


OPS: dict[str, Callable[[Mapper, Any], None]] = {
    "Conv": conv, "ConvTranspose": conv_transpose,
    "MaxPool": pool, "AveragePool": pool,
    "GlobalAveragePool": global_pool, "GlobalMaxPool": global_pool,
    "ReduceMean": reduce_pool, "ReduceMax": reduce_pool,
    "Gemm": gemm, "MatMul": matmul,
    "BatchNormalization": batchnorm, "LRN": lrn,
    **{op: activation for op in (*_PLAIN, "LeakyRelu", "Elu", "Selu", "HardSigmoid", "Gelu",
                                 "Clip", "PRelu", "Softmax", "LogSoftmax")},
    "Add": arithmetic, "Mul": arithmetic, "Sub": arithmetic, "Div": arithmetic, "Sum": sum_,
    "Concat": concat,
    "Identity": identity, "Dropout": identity,
    "Flatten": flatten, "Reshape": reshape,
    "Pad": pad, "Resize": resize, "Upsample": resize, "DepthToSpace": depth_to_space,
}
