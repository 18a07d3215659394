"""The candidate fixes for one diagnostic, from the layer's facts (never the message's words).

Each generator looks at the layer at fault, its input shapes and parameters and the
conv/pool arithmetic of ``convpool``, and yields ``(description, edit, nodes to preview)``.
Candidates are not checked here: ``fixes.fixes_for`` applies each to a copy of the graph and
keeps those that cure the problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from math import isqrt
from typing import Any

from . import convpool
from .analysis import OK, Analysis, Diagnostic
from .edits import Bypass, Connect, Edit, InsertLayers, NewLayer, SetParam
from .model import Edge, Graph, Node
from .tensor import Tensor, fmt_shape

MAX_NEIGHBOURS = 8     # outputs tried for an unconnected input, nearest first

_CONV = ("Conv1d", "Conv2d")
_POOL = ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d")
_MERGE_EQUAL = ("Add", "Multiply")


@dataclass
class Context:
    graph: Graph
    analysis: Analysis
    diag: Diagnostic
    node: Node = field(init=False)
    inputs: list[Tensor | None] = field(init=False)
    edges: list[Edge] = field(init=False)

    def __post_init__(self) -> None:
        self.node = self.graph.nodes[self.diag.node or ""]
        self.edges = self.graph.in_edges(self.node.id)
        self.inputs = [self.analysis.nodes[e.source].output for e in self.edges]

    def new_id(self, type_: str, taken: frozenset[str] | set[str] = frozenset()) -> str:
        """A fresh id for a new layer, unlike the graph's and those in ``taken``."""
        base = self.graph.new_id(type_)
        i = 2
        out = base
        while out in taken:
            out = f"{base}_{i}"
            i += 1
        return out


Candidate = tuple[str, Edit, list[str]]   # description, edit, nodes whose shape to preview


def candidates(ctx: Context) -> Iterator[Candidate]:
    code, t = ctx.diag.code, ctx.node.type
    if code == "unconnected":
        yield from _connect_nearest(ctx)
        return
    if code not in ("shape", "inexact", "warning") or any(x is None for x in ctx.inputs):
        return
    if t in _CONV + _POOL:
        if code == "shape":
            yield from _kernel_fits(ctx)
        if code == "inexact":
            yield from _exact_division(ctx)
    if t == "ConvTranspose2d" and code == "shape":   # output size <= 0: padding too large
        yield ("Set padding to 0 so the output size is positive",
               (SetParam(ctx.node.id, "padding", 0),), [ctx.node.id])
    if t in _MERGE_EQUAL or t == "Concat":
        yield from _merge_sizes(ctx)
    # a reshape before the layer: for its error, or for Linear's "acts on the last
    # dimension only" (the one warning a reshape is the cure for)
    if len(ctx.edges) == 1 and (code == "shape" or (code == "warning" and t == "Linear")):
        yield from _reshape_before(ctx)


# -- conv and pooling: the kernel, the padding, the pooling before -------------------------

def _axis_values(ctx: Context, name: str, n: int, default: Any = 0) -> list[int]:
    from .params import as_tuple

    spec = ctx.graph.spec(ctx.node.type)
    v = spec.full_params(ctx.node.params).get(name, default)
    if name == "stride" and v is None:           # pooling: stride defaults to the kernel
        v = spec.full_params(ctx.node.params)["kernel_size"]
    if isinstance(v, str):
        v = 0
    return list(as_tuple(v, n))


def _one(values: list[int]) -> int | tuple[int, ...]:
    return values[0] if len(set(values)) == 1 else tuple(values)


def _geometry(ctx: Context) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
    x = ctx.inputs[0]
    assert x is not None
    n = x.ndim - 1
    k, s, p = (_axis_values(ctx, a, n) for a in ("kernel_size", "stride", "padding"))
    d = _axis_values(ctx, "dilation", n, 1) if "dilation" in ctx.graph.spec(ctx.node.type).param_names() else [1] * n
    return list(x.shape[1:]), k, s, p, d


def _kernel_fits(ctx: Context) -> Iterator[Candidate]:
    x = ctx.inputs[0]
    spec = ctx.graph.spec(ctx.node.type)
    if x is None or x.ndim - 1 != int(ctx.node.type[-2]):   # Conv2d: CxHxW
        return
    size, k, s, p, d = _geometry(ctx)
    nid, shape = ctx.node.id, fmt_shape(tuple(size))
    pad_is_text = isinstance(spec.full_params(ctx.node.params).get("padding"), str)
    pool = ctx.node.type in _POOL
    # 'same' padding: keeps the size, when every axis has a whole-number half-span.
    same = [convpool.keep_size_padding(ki, di) for ki, di in zip(k, d, strict=True)]
    if not pool and all(v is not None for v in same) and all(v == 1 for v in s) and not pad_is_text:
        yield (f"Set padding to {_one(same)} so the {_words(k)} kernel keeps the size {shape}",
               (SetParam(nid, "padding", _one(same)),), [nid])  # type: ignore[arg-type]
    # the least padding that lets the kernel fit
    fit = [max(pi, convpool.fitting_padding(xi, ki, si, di))
           for xi, ki, si, pi, di in zip(size, k, s, p, d, strict=True)]
    if not pad_is_text and fit != p:
        yield (f"Add padding {_one(fit)} so the {_words(k)} {'window' if pool else 'kernel'} "
               f"fits the {shape} input", (SetParam(nid, "padding", _one(fit)),), [nid])
    # a smaller kernel
    smaller = [ki if convpool.output_size(xi, ki, si, pi, di) else
               (convpool.largest_kernel(xi, si, pi, di, ki) or 0)
               for xi, ki, si, pi, di in zip(size, k, s, p, d, strict=True)]
    if all(smaller) and smaller != k:
        yield (f"Lower kernel_size to {_words(smaller)} to fit the {shape} input",
               (SetParam(nid, "kernel_size", _one(smaller)),), [nid])
    # the usual small sizes (a 2x2 pooling halves; a 3x3 conv, padded 1, keeps the size),
    # which leave room for the layers after it
    usual = 2 if pool else 3
    if all(ki > usual for ki in k) and all(v >= usual for v in size):
        edit: Edit = (SetParam(nid, "kernel_size", usual),)
        if not pool and not pad_is_text and all(v == 1 for v in s) and p != [1] * len(p):
            edit += (SetParam(nid, "padding", 1),)
        what = "halves the size" if pool else "keeps the size" if len(edit) > 1 else "small"
        yield (f"Use the usual kernel_size {usual}{' with padding 1' if len(edit) > 1 else ''} "
               f"({what})", edit, [nid])
    # the pooling that shrank it too far
    pool_before = _pool_upstream(ctx.graph, nid)
    if pool_before is not None:
        yield (f"Remove the pooling '{pool_before}' that shrank the input too far",
               (Bypass(pool_before),), [nid])


def _pool_upstream(g: Graph, nid: str) -> str | None:
    """The nearest pooling layer up a chain of one-input layers (each feeding only the next)."""
    cur = nid
    for _ in range(6):
        ins = g.in_edges(cur)
        if len(ins) != 1:
            return None
        up = ins[0].source
        if g.nodes[up].type in _POOL:
            return up if len(g.in_edges(up)) == 1 else None
        if len(g.out_edges(up)) != 1 or g.nodes[up].type == "Input":
            return None
        cur = up
    return None


def _exact_division(ctx: Context) -> Iterator[Candidate]:
    x = ctx.inputs[0]
    if x is None or x.ndim - 1 != int(ctx.node.type[-2]):
        return
    size, k, s, p, d = _geometry(ctx)
    nid = ctx.node.id
    exact = [convpool.exact_padding(xi, ki, si, pi, di)
             for xi, ki, si, pi, di in zip(size, k, s, p, d, strict=True)]
    if all(v is not None for v in exact) and exact != p:
        yield (f"Set padding to {_one(exact)} (the division by stride {_words(s)} is then exact)",  # type: ignore[arg-type]
               (SetParam(nid, "padding", _one(exact)),), [nid])  # type: ignore[arg-type]
    if ctx.node.type in _POOL:
        yield ("Set ceil_mode so the last partial window counts",
               (SetParam(nid, "ceil_mode", True),), [nid])


def _words(v: list[int]) -> str:
    return "x".join(map(str, v))


# -- wrong rank: the reshape the layer needs -------------------------------------------------

def _reshape_before(ctx: Context) -> Iterator[Candidate]:
    x, e, t = ctx.inputs[0], ctx.edges[0], ctx.node.type
    assert x is not None
    nid = ctx.node.id

    def insert(type_: str, params: tuple = ()) -> Edit:
        return (InsertLayers(e.source, nid, e.target_port,
                             (NewLayer(ctx.new_id(type_), type_, params),)),)

    if t == "Linear" and x.ndim >= 3:
        first = _first_linear(ctx.graph, ctx.analysis, nid)
        if first != nid:   # fc2 after fc1: the Flatten belongs before fc1, where it began
            (e0,) = ctx.graph.in_edges(first)
            x0 = ctx.analysis.nodes[first].inputs[0]
            yield (f"Insert a Flatten before {first}, where the {x0} tensor first meets a Linear",
                   (InsertLayers(e0.source, first, e0.target_port,
                                 (NewLayer(ctx.new_id("Flatten"), "Flatten"),)),), [first, nid])
    if x.ndim >= 2:
        yield (f"Insert a Flatten before {nid}, so it sees all {x.numel} values of {x}",
               insert("Flatten"), [nid])
    if x.ndim >= 3 and t != "Linear":   # a sequence layer: channels as time steps
        rest = x.shape[1:]
        yield (f"Insert a Flatten(start_dim=2) before {nid}: a sequence of {x.shape[0]} steps "
               f"of {fmt_shape(rest)} = {Tensor(rest).numel} values",
               insert("Flatten", (("start_dim", 2),)), [nid])
    if x.ndim == 1:
        n = x.shape[0]
        r = isqrt(n)
        if t in ("Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d") and r * r == n:
            yield (f"Insert an Unflatten before {nid}: {n} values as a 1x{r}x{r} image",
                   insert("Unflatten", (("dim", 1), ("unflattened_size", (1, r, r)))), [nid])
        yield (f"Insert an Unflatten before {nid}: {n} values as {n} steps of 1 feature",
               insert("Unflatten", (("dim", 1), ("unflattened_size", (n, 1)))), [nid])


def _first_linear(g: Graph, a: Analysis, nid: str) -> str:
    """The first Linear up a chain of one-input layers that all see a 3-D (or more) tensor."""
    first, cur = nid, nid
    for _ in range(50):
        ins = g.in_edges(cur)
        if len(ins) != 1:
            break
        up = ins[0].source
        info = a.nodes[up]
        if not info.inputs or info.inputs[0] is None or info.inputs[0].ndim < 3 \
                or len(g.out_edges(up)) != 1:
            break
        if g.nodes[up].type == "Linear":
            first = up
        cur = up
    return first


# -- Add, Multiply, Concat: make the branches agree ----------------------------------------

def _merge_sizes(ctx: Context) -> Iterator[Candidate]:
    order = {n: i for i, n in enumerate(ctx.analysis.order)}
    shapes = [x.shape for x in ctx.inputs if x is not None]
    concat = ctx.node.type == "Concat"
    # The reference: the shape most inputs have; ties go to the later branch (the long one).
    ranked = sorted(range(len(shapes)),
                    key=lambda i: (-shapes.count(shapes[i]), -order.get(ctx.edges[i].source, 0)))
    ref = shapes[ranked[0]]
    for i, e in enumerate(ctx.edges):
        got = shapes[i]
        if got == ref if not concat else _concat_ok(got, ref, ctx):
            continue
        src = e.source
        if not concat and len(got) == 3 == len(ref):
            yield from _projection(ctx, e, got, ref)
        yield from _producer_change(ctx, src, got, ref, concat)
        # the other way round: make the reference branch match this one
        yield from _producer_change(ctx, ctx.edges[ranked[0]].source, ref, got, concat)


def _concat_ok(a: tuple[int, ...], b: tuple[int, ...], ctx: Context) -> bool:
    dim = ctx.graph.spec("Concat").full_params(ctx.node.params)["dim"]
    if len(a) != len(b):
        return False
    d = (dim + len(a) + 1 if dim < 0 else dim) - 1
    return all(x == y for i, (x, y) in enumerate(zip(a, b, strict=True)) if i != d)


def _projection(ctx: Context, e: Edge, got: tuple[int, ...], want: tuple[int, ...]
                ) -> Iterator[Candidate]:
    """A 1x1 Conv2d (stride to match the size) + BatchNorm2d on the shortcut, as ResNet."""
    stride = []
    for a, b in zip(got[1:], want[1:], strict=True):
        st = max(1, a // b) if b else 1
        if convpool.output_size(a, 1, st, 0, 1) != b:
            return
        stride.append(st)
    conv_id = ctx.new_id("Conv2d")
    bn_id = ctx.new_id("BatchNorm2d", {conv_id})
    conv_params: tuple = (("out_channels", want[0]), ("kernel_size", 1), ("bias", False))
    if any(v != 1 for v in stride):
        conv_params += (("stride", _one(stride)),)
    layers = (NewLayer(conv_id, "Conv2d", conv_params), NewLayer(bn_id, "BatchNorm2d"))
    how = f"1x1 Conv2d{f' stride {_one(stride)}' if any(v != 1 for v in stride) else ''}"
    yield (f"Project the shortcut from '{e.source}' ({fmt_shape(got)}) to {fmt_shape(want)} "
           f"with a {how} + BatchNorm2d, as ResNet does",
           (InsertLayers(e.source, ctx.node.id, e.target_port, layers),), [bn_id, ctx.node.id])


def _producer_change(ctx: Context, src: str, got: tuple[int, ...], want: tuple[int, ...],
                     concat: bool) -> Iterator[Candidate]:
    """Change the branch's last layer with a size (conv, pool, Linear) to give ``want``."""
    g = ctx.graph
    layer = _sized_upstream(g, src)
    if layer is None:
        return
    t = g.nodes[layer].type
    names = g.spec(t).param_names()
    nid = ctx.node.id
    if not concat and got[0] != want[0]:
        for name in ("out_channels", "out_features"):
            if name in names:
                yield (f"Change {name} of '{layer}' on the branch to {want[0]}, to match "
                       f"{fmt_shape(want)}", (SetParam(layer, name, want[0]),), [layer, nid])
    if len(got) >= 2 and got[1:] != want[1:] and t in _CONV + _POOL:
        yield from _size_search(ctx, layer, want[1:])


def _sized_upstream(g: Graph, nid: str) -> str | None:
    """The layer that sets the shape of ``nid``'s output, up through shape-keeping layers."""
    cur = nid
    for _ in range(8):
        names = g.spec_of(cur).param_names()
        if any(n in names for n in ("out_channels", "out_features", "kernel_size")):
            return cur
        ins = g.in_edges(cur)
        if len(ins) != 1 or g.nodes[cur].type == "Input":
            return None
        cur = ins[0].source
    return None


def _size_search(ctx: Context, layer: str, want: tuple[int, ...]) -> Iterator[Candidate]:
    """The stride/padding of ``layer`` that give the spatial size ``want`` (conv arithmetic)."""
    g = ctx.graph
    (e,) = g.in_edges(layer) or (None,)
    x = ctx.analysis.nodes[e.source].output if e is not None else None
    if x is None or x.ndim - 1 != len(want):
        return
    sub = Context(g, ctx.analysis, Diagnostic(ctx.diag.severity, "", layer))
    size, k, s, p, d = _geometry(sub)
    pool = g.nodes[layer].type in _POOL
    options = []
    for st in range(1, 5):
        for pad in range(0, max(k) + 1):
            if pool and pad > min(k) // 2:
                continue
            if all(convpool.output_size(xi, ki, st, pad, di) == w
                   for xi, ki, di, w in zip(size, k, d, want, strict=True)):
                options.append((st != s[0], abs(pad - p[0]), st, pad))
    if any(not changed for changed, *_ in options):   # keep the stride where padding suffices
        options = [o for o in options if not o[0]]
    for _, _, st, pad in sorted(options)[:2]:
        edit: Edit = ()
        words = []
        if [st] * len(s) != s:
            edit += (SetParam(layer, "stride", st),)
            words.append(f"stride {st}")
        if [pad] * len(p) != p:
            edit += (SetParam(layer, "padding", pad),)
            words.append(f"padding {pad}")
        if edit:
            yield (f"Set {' and '.join(words)} on '{layer}' so the branch gives "
                   f"{_words(list(want))}", edit, [layer, ctx.node.id])


# -- an unconnected input: the nearest output that fits -------------------------------------

def _connect_nearest(ctx: Context) -> Iterator[Candidate]:
    g, a, nid = ctx.graph, ctx.analysis, ctx.node.id
    spec = g.spec(ctx.node.type)
    taken = {e.target_port for e in ctx.edges}
    if spec.variadic:
        port = g.free_port(nid)
    else:
        free = [p for p in range(spec.inputs) if p not in taken]
        if not free:
            return
        port = free[0]
    feeding = {e.source for e in ctx.edges}
    here = ctx.node.position
    order = {n: i for i, n in enumerate(a.order)}

    def distance(other: str) -> float:
        there = g.nodes[other].position
        if here is None or there is None:
            return abs(order.get(other, 0) - order.get(nid, 0))
        # layers above (before) the input are preferred: wires run downwards
        return ((here[0] - there[0]) ** 2 + (here[1] - there[1]) ** 2) ** 0.5 + (
            0 if there[1] <= here[1] else 1000)

    sources = [n for n, info in a.nodes.items() if info.status == OK and info.output is not None
               and n != nid and n not in feeding and not g.would_cycle(n, nid)]
    # outputs nothing reads yet come first: the dangling end is most likely the one meant
    sources.sort(key=lambda n: (bool(g.out_edges(n)), distance(n)))
    which = "its input" if spec.inputs == 1 and not spec.variadic else f"input {port}"
    for src in sources[:MAX_NEIGHBOURS]:
        out = a.nodes[src].output
        yield (f"Connect '{src}' ({out}) to {which}", (Connect(src, nid, port),), [nid])
