"""The functional calls of a traced ``forward``: ``F.relu``, ``x + y``, ``torch.cat``, ``x.view``...

``FUNCTIONS`` maps a torch.fx ``call_function`` target, ``METHODS`` a ``call_method`` name,
to a handler. A handler reads the call's arguments (values the ``Scope`` resolved: a
layer's node id for a tensor, ``BATCH`` for the batch size, plain numbers) and adds the
catalogue layer it means through ``scope.add``, or returns the value the call stands for
(``x.size(1)`` is a number, ``x.contiguous()`` is ``x``). A call it cannot express raises
``Unsupported`` with the reason, so the refusal lists every such call at once.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import Unsupported

if TYPE_CHECKING:
    from .torch_trace import Scope


class _Batch:
    def __repr__(self) -> str:
        return "<batch>"


BATCH = _Batch()          # the batch size: x.size(0), x.shape[0]


class Pair:
    """What an RNN or attention layer returns: (output, state); ``[0]`` is the output."""

    def __init__(self, nid: str) -> None:
        self.nid = nid


class State:
    """An RNN's final state or attention's weights: no layer computes them alone."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"the state or weights '{self.name}' (only [0], the outputs, is a layer)"


def _arg(args, kwargs, i: int, name: str, default: Any = None) -> Any:
    if len(args) > i:
        return args[i]
    return kwargs.get(name, default)


# -- activations and other one-input layers --------------------------------------------------

# function name -> (layer type, its settings in argument order after the input)
_ONE = {
    "relu": ("ReLU", ()), "relu_": ("ReLU", ()), "relu6": ("ReLU6", ()),
    "sigmoid": ("Sigmoid", ()), "tanh": ("Tanh", ()), "silu": ("SiLU", ()),
    "gelu": ("GELU", ("approximate",)), "mish": ("Mish", ()), "hardswish": ("Hardswish", ()),
    "hardsigmoid": ("Hardsigmoid", ()), "selu": ("SELU", ()),
    "softplus": ("Softplus", ("beta", "threshold")),
    "leaky_relu": ("LeakyReLU", ("negative_slope",)), "elu": ("ELU", ("alpha",)),
    "softmax": ("Softmax", ("dim",)), "log_softmax": ("LogSoftmax", ("dim",)),
    "dropout": ("Dropout", ("p",)), "dropout2d": ("Dropout2d", ("p",)),
    "adaptive_avg_pool1d": ("AdaptiveAvgPool1d", ("output_size",)),
    "adaptive_avg_pool2d": ("AdaptiveAvgPool2d", ("output_size",)),
    "adaptive_max_pool2d": ("AdaptiveMaxPool2d", ("output_size",)),
    "max_pool1d": ("MaxPool1d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode")),
    "max_pool2d": ("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "ceil_mode")),
    "avg_pool1d": ("AvgPool1d", ("kernel_size", "stride", "padding", "ceil_mode",
                                 "count_include_pad")),
    "avg_pool2d": ("AvgPool2d", ("kernel_size", "stride", "padding", "ceil_mode",
                                 "count_include_pad")),
    "pixel_shuffle": ("PixelShuffle", ("upscale_factor",)),
    "channel_shuffle": ("ChannelShuffle", ("groups",)),
}
# keyword arguments that change nothing netbuilder keeps (in place or not, stacklevel)
_IGNORED = {"inplace", "_stacklevel", "training", "return_indices", "dtype"}


def one_input(type_: str, names: tuple[str, ...], label: str):
    def handler(s: Scope, node, args, kwargs):
        x = s.tensor(args[0], node)
        params = {}
        for i, name in enumerate(names, 1):
            v = _arg(args, kwargs, i, name, _MISSING)
            if v is not _MISSING and v is not None:
                params[name] = v
        for k, v in kwargs.items():
            if k not in names and k not in _IGNORED and k != "input":
                raise Unsupported(label, node.name, f"the argument {k}={v!r}")
        if kwargs.get("return_indices"):
            raise Unsupported(label, node.name, "return_indices=True")
        if type_ in ("Softmax", "LogSoftmax"):
            dim = params.get("dim")
            if dim is None or dim % (len(s.shape(args[0])) + 1) == 0:
                raise Unsupported(label, node.name, "without a dim, or along the batch")
        if type_.startswith(("MaxPool", "AvgPool")) and params.get("stride") in ((), []):
            params.pop("stride")
        return s.add(type_, [x], node, **params)
    return handler


_MISSING = object()


# -- arithmetic and merging --------------------------------------------------------------

def merge(type_: str, label: str):
    def handler(s: Scope, node, args, kwargs):
        if kwargs.get("alpha", 1) != 1 or len(args) > 2:
            raise Unsupported(label, node.name, "with alpha")
        a, b = args[0], args[1] if len(args) > 1 else kwargs.get("other")
        if _plain_int(a) and _plain_int(b):       # sizes: num_channels // groups * 2
            return a + b if type_ == "Add" else a * b
        if not (s.is_tensor(a) and s.is_tensor(b)):
            const = b if s.is_tensor(a) else a
            raise Unsupported(label, node.name, f"with the constant {const!r}: netbuilder "
                              "adds and multiplies layer outputs only")
        if s.shape(a) != s.shape(b):
            raise Unsupported(label, node.name, "with broadcasting between shapes "
                              f"{'x'.join(map(str, s.shape(a)))} and "
                              f"{'x'.join(map(str, s.shape(b)))}")
        return s.add(type_, [s.tensor(a, node), s.tensor(b, node)], node)
    return handler


def _plain_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def int_math(op: Callable[[int, int], int], label: str):
    def handler(s: Scope, node, args, kwargs):
        if len(args) == 2 and _plain_int(args[0]) and _plain_int(args[1]):
            return op(args[0], args[1])
        raise Unsupported(label, node.name, "on tensors or the batch size (only on sizes)")
    return handler


def cat(s: Scope, node, args, kwargs):
    tensors = _arg(args, kwargs, 0, "tensors")
    dim = _arg(args, kwargs, 1, "dim", 0)
    if not isinstance(tensors, (list, tuple)) or not all(s.is_tensor(t) for t in tensors):
        raise Unsupported("torch.cat", node.name, "of something other than layer outputs")
    if len(tensors) == 1:            # DenseNet's first layer: a list of one feature map
        return tensors[0]
    nd = len(s.shape(tensors[0])) + 1
    if dim % nd == 0:
        raise Unsupported("torch.cat", node.name, "along the batch dimension")
    return s.add("Concat", [s.tensor(t, node) for t in tensors], node, dim=dim % nd)


# -- shapes --------------------------------------------------------------------------------

def size(s: Scope, node, args, kwargs):
    full = (BATCH, *s.shape(args[0]))
    dim = _arg(args, kwargs, 1, "dim")
    return full if dim is None else full[dim]


def getattr_(s: Scope, node, args, kwargs):
    if args[1] == "shape" and s.is_tensor(args[0]):
        return (BATCH, *s.shape(args[0]))
    raise Unsupported("getattr", node.name, f"reads .{args[1]}")


def dim_(s: Scope, node, args, kwargs):
    return len(s.shape(args[0])) + 1


def getitem(s: Scope, node, args, kwargs):
    obj, key = args
    if isinstance(obj, Pair):
        # ``x, _ = self.rnn(x)``: the state is fine as long as nothing reads it
        return obj.nid if key == 0 else State(node.name)
    if isinstance(obj, State):       # ``out, (h, c) = self.lstm(x)``: h and c, unread
        return State(obj.name)
    if isinstance(obj, (tuple, list)):
        return obj[key]
    if s.is_tensor(obj) and key == (slice(None), -1) and len(s.shape(obj)) == 2:
        return s.add("LastTimeStep", [s.tensor(obj, node)], node, base="last_step")
    raise Unsupported("getitem", node.name, f"indexes with {key!r}")


def identity(s: Scope, node, args, kwargs):
    if not isinstance(args[0], Grouped):
        s.tensor(args[0], node)
    return args[0]


def transpose(s: Scope, node, args, kwargs):
    dims = sorted(d % 5 for d in args[1:3]) if len(args) == 3 else None
    if isinstance(args[0], Grouped) and dims == [1, 2] and not args[0].swapped:
        g = args[0]
        return Grouped(g.nid, g.groups, g.shape, swapped=True)
    raise Unsupported(_label(node, "transpose"), node.name, "netbuilder's layers keep the "
                      "order of dimensions (a channel shuffle is recognised: view, "
                      "transpose(1, 2), view back)")


def _label(node, name: str) -> str:
    return f".{name}()" if node.op == "call_method" else f"torch.{name}"


def flatten(s: Scope, node, args, kwargs):
    x = s.tensor(args[0], node)
    start = _arg(args, kwargs, 1, "start_dim", 0)
    end = _arg(args, kwargs, 2, "end_dim", -1)
    nd = len(s.shape(args[0])) + 1
    if start % nd == 0:
        raise Unsupported("flatten", node.name, "from dimension 0 mixes the batch into the "
                          "features (flatten(x, 1) keeps it)")
    if len(s.shape(args[0])) == 1:
        return args[0]
    return s.add("Flatten", [x], node, start_dim=start, end_dim=end)


class Grouped:
    """A CxHxW map viewed as (groups, C/groups, H, W): the first step of a channel shuffle."""

    def __init__(self, nid: str, groups: int, shape: tuple[int, ...], swapped: bool = False):
        self.nid, self.groups, self.shape, self.swapped = nid, groups, shape, swapped

    def __repr__(self) -> str:
        return (f"'{self.nid}' viewed as {self.groups} groups of channels (netbuilder keeps "
                "only a channel shuffle: view, transpose(1, 2), view back)")


def view(s: Scope, node, args, kwargs):
    """``x.view(x.size(0), -1)``, ``x.reshape(-1, 320)``, ``torch.reshape(x, (n, c, h, w))``;
    ShuffleNet's ``view(n, g, c // g, h, w)``, ``transpose(1, 2)``, ``view(n, -1, h, w)``
    is one ChannelShuffle."""
    shape = list(args[1] if len(args) == 2 and isinstance(args[1], (tuple, list))
                 else args[1:] or kwargs.get("shape", ()))
    grouped = args[0] if isinstance(args[0], Grouped) and args[0].swapped else None
    if grouped is None:
        x = s.tensor(args[0], node)
        have = s.shape(args[0])
    else:
        x, have = grouped.nid, grouped.shape
    numel = math.prod(have)
    text = f"to {tuple('batch' if v is BATCH else v for v in shape)}"
    if not shape or shape[0] not in (BATCH, -1) or BATCH in shape[1:] \
            or not all(isinstance(v, int) for v in shape[1:]):
        raise Unsupported(f"{node.target}", node.name, f"{text}: its first dimension is not "
                          "the batch (write x.size(0) or -1 first)")
    rest = list(shape[1:])
    if shape[0] == -1 and -1 in rest:
        raise Unsupported(f"{node.target}", node.name, f"{text}: two -1 sizes")
    if -1 in rest:
        known = math.prod(v for v in rest if v != -1)
        rest[rest.index(-1)] = numel // known if known else 0
    if math.prod(rest) != numel:
        raise Unsupported(f"{node.target}", node.name, f"{text} from {have}")
    if grouped is not None:
        if tuple(rest) != tuple(have):
            raise Unsupported(f"{node.target}", node.name, f"{text}: a channel shuffle views "
                              f"back to {have}")
        return s.add("ChannelShuffle", [x], node, base="channel_shuffle", groups=grouped.groups)
    if len(have) == 3 and len(rest) == 4 and rest[0] * rest[1] == have[0] \
            and tuple(rest[2:]) == tuple(have[1:]):
        return Grouped(x, rest[0], tuple(have))
    if tuple(rest) == tuple(have):
        return args[0]
    if len(rest) == 1:
        return s.add("Flatten", [x], node)
    if len(have) > 1:
        x = s.add("Flatten", [x], node, suffix="_flat")
    return s.add("Unflatten", [x], node, dim=1, unflattened_size=tuple(rest))


def mean(s: Scope, node, args, kwargs):
    """``x.mean((2, 3))``: global average pooling (then Flatten unless keepdim)."""
    dims = _arg(args, kwargs, 1, "dim")
    keep = _arg(args, kwargs, 2, "keepdim", False)
    nd = len(s.shape(args[0])) + 1
    dims = [dims] if isinstance(dims, int) else list(dims or [])
    if nd not in (3, 4) or sorted(d % nd for d in dims) != list(range(2, nd)):
        raise Unsupported("mean", node.name, f"over dims {dims} of a {nd}-D tensor (only "
                          "every spatial dim: global average pooling)")
    out = s.add(f"AdaptiveAvgPool{nd - 2}d", [s.tensor(args[0], node)], node, output_size=1)
    return out if keep else s.add("Flatten", [out], node, suffix="_flat")


def interpolate(s: Scope, node, args, kwargs):
    x = s.tensor(args[0], node)
    params = {k: _arg(args, kwargs, i, k) for i, k in
              enumerate(("size", "scale_factor", "mode", "align_corners"), 1)}
    if _arg(args, kwargs, 5, "recompute_scale_factor") or kwargs.get("antialias"):
        raise Unsupported("interpolate", node.name, "recompute_scale_factor / antialias")
    params["mode"] = params["mode"] or "nearest"
    for k in ("size", "scale_factor"):
        v = params[k]
        if isinstance(v, (tuple, list)) and len(set(v)) == 1:
            params[k] = v[0]
    return s.add("Upsample", [x], node, **params)


def pad(s: Scope, node, args, kwargs):
    x = s.tensor(args[0], node)
    pads = list(_arg(args, kwargs, 1, "pad"))
    mode = _arg(args, kwargs, 2, "mode", "constant")
    value = _arg(args, kwargs, 3, "value", None) or 0.0
    if mode != "constant" or len(pads) != 4 or len(s.shape(args[0])) != 3:
        raise Unsupported("pad", node.name, f"pad={pads}, mode={mode} (only 2-D constant "
                          "padding of a CxHxW map)")
    if value == 0.0:
        return s.add("ZeroPad2d", [x], node, padding=pads)
    return s.add("ConstantPad2d", [x], node, padding=pads, value=float(value))


def _table() -> tuple[dict[Any, Callable], dict[str, Callable]]:
    import torch
    import torch.nn.functional as F

    functions: dict[Any, Callable] = {}
    methods: dict[str, Callable] = {}
    for name, (type_, names) in _ONE.items():
        h = one_input(type_, names, f"F.{name}")
        for owner in (F, torch):
            if hasattr(owner, name):
                functions[getattr(owner, name)] = h
        if name in ("relu", "relu_", "sigmoid", "tanh", "softmax", "log_softmax"):
            methods[name] = one_input(type_, names, f".{name}()")
    add, mul = merge("Add", "+"), merge("Multiply", "*")
    functions.update({operator.add: add, operator.iadd: add, torch.add: add,
                      operator.mul: mul, operator.imul: mul, torch.mul: mul,
                      torch.cat: cat, torch.concat: cat, torch.flatten: flatten,
                      torch.reshape: view, operator.getitem: getitem, getattr: getattr_,
                      torch.mean: mean, F.interpolate: interpolate, F.pad: pad,
                      torch.transpose: transpose, operator.floordiv: int_math(
                          operator.floordiv, "//"), operator.sub: int_math(operator.sub, "-")})
    methods.update({"add": add, "add_": add, "mul": mul, "mul_": mul, "size": size,
                    "dim": dim_, "view": view, "reshape": view, "flatten": flatten,
                    "contiguous": identity, "mean": mean, "transpose": transpose})
    return functions, methods


FUNCTIONS, METHODS = _table()
