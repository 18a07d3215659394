"""Tracing a ``torch.nn.Module`` with torch.fx into graphs, one ``Scope`` per module traced.

The tracer stops at every catalogue layer (``nn.Conv2d`` becomes one ``call_module``) and
at every submodule of a class of the user's (a ``BasicBlock``): each such submodule is
traced on its own, as a ``Scope`` of its own, and its call becomes a *use* whose type
``torch_blocks`` decides once every use of the class is known (one block definition per
class and structure). torch.nn's containers (``nn.Sequential``) are traced through, so
their members are calls in the scope that holds them. A class whose calls cannot be a
block (several outputs, arguments that are not tensors) is traced through as well.

Values: a layer's output is its node id; ``x.size(0)`` is ``BATCH``; sizes are numbers.
Shapes come from running the traced graph once on a random sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..graph.model import Edge, Graph, Node
from .errors import ModelImportError, Unsupported
from .torch_functions import FUNCTIONS, METHODS, Pair
from .torch_modules import is_torch_nn, layer_of, qualified, spec_for

PENDING = "__use__"   # the type of a use until torch_blocks names its block


class Inline(Exception):
    """A class whose calls cannot be a block: trace through it instead (start again)."""

    def __init__(self, cls: type, why: str) -> None:
        super().__init__(why)
        self.cls = cls


@dataclass
class Use:
    """One call of a submodule of the user's class: a block use once resolved."""

    nid: str
    rels: list[str]          # its module path(s) relative to the calling scope (one a repeat)
    scope: Scope             # the submodule traced on its own
    parent: Scope            # the scope whose graph holds the use's node


@dataclass
class Scope:
    """One module traced on its own: the graph of its forward and where each layer is from."""

    module: Any
    path: str                                     # from the root module ('' for the root)
    graph: Graph
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)   # layer id -> relative module path
    uses: dict[str, Use] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    meta: dict[Any, tuple[int, ...]] = field(default_factory=dict)

    # -- used by the handlers in torch_functions ---------------------------------------------
    def is_tensor(self, v: Any) -> bool:
        return isinstance(v, str) and v in self.graph.nodes

    def tensor(self, v: Any, node) -> str:
        if not self.is_tensor(v):
            raise Unsupported(_what(node), node.name, f"on {v!r}, not a layer's output")
        return v

    def shape(self, v: Any) -> tuple[int, ...]:
        return self.meta[v]

    def add(self, type_: str, inputs: list[str], node, *, suffix: str = "",
            origin: str | None = None, base: str | None = None, **params: Any) -> str:
        from .torch_modules import coerce

        spec = self.graph.spec(type_)
        params = coerce(spec, {k: v for k, v in params.items()}, _what(node), node.name)
        base = base or readable(node.target if node.op == "call_module" else node.name)
        nid = self.graph.new_id(base + suffix)
        self.graph.add_node(Node(nid, spec.type, params))
        for port, src in enumerate(inputs):
            self.graph.edges.append(Edge(src, nid, port))
        if origin is not None:
            self.origin[nid] = origin
        self.meta[nid] = _meta(node)
        return nid


def readable(name: str) -> str:
    """``layer1.0.conv1`` -> ``layer1_0_conv1``: a module path as a node id."""
    text = re.sub(r"[^0-9A-Za-z_]+", "_", str(name)).strip("_")
    return text if text[:1].isalpha() else f"layer_{text}" if text else "layer"


def _what(node) -> str:
    if node.op == "call_method":
        return f".{node.target}()"
    if node.op == "call_function":
        t = node.target
        mod = getattr(t, "__module__", "") or ""
        name = getattr(t, "__name__", str(t))
        if mod.startswith("torch.nn.functional"):
            return f"F.{name}"
        if mod.startswith("torch") or mod == "":
            return f"torch.{name}"
        return f"{mod}.{name}"
    return str(node.target)


def _meta(node) -> tuple[int, ...]:
    shape = node.meta.get("netbuilder_shape")
    return tuple(shape[1:]) if shape is not None else ()


class Tracer:
    """Traces module after module; ``inline`` holds the user classes traced through."""

    def __init__(self) -> None:
        self.inline: set[type] = set()
        self.blocks: dict[str, Any] = {}    # shared by every scope's graph, as in a project

    def trace(self, module, path: str, shapes: list[tuple[int, ...]]) -> Scope:
        import torch
        from torch import fx, nn

        inline = self.inline

        class _T(fx.Tracer):
            def is_leaf_module(self, m, qualname):  # noqa: D102
                if spec_for(m) is not None:
                    return True
                if is_torch_nn(m):
                    return not isinstance(m, (nn.Sequential, nn.ModuleList, nn.ModuleDict))
                return type(m) not in inline

        cls = type(module).__name__
        where = f"{cls} '{path}'" if path else cls
        tracer = _T()
        fixed = _defaults(module, len(shapes))
        try:
            g = tracer.trace(module, concrete_args=fixed)
        except Exception as exc:  # noqa: BLE001 - fx raises TraceError, TypeError, anything
            raise ModelImportError(_trace_failure(where, exc)) from None
        gm = fx.GraphModule(tracer.root, g, cls)
        every = [n for n in g.nodes if n.op == "placeholder"]
        placeholders = every[:len(every) - len(fixed or {})]
        constants = [n.args[0] if n.args else None for n in every[len(placeholders):]]
        if len(placeholders) != len(shapes):
            raise ModelImportError(f"{where}: forward takes {len(placeholders)} input(s); "
                                   f"received {len(shapes)} input shape(s)")
        gen = torch.Generator().manual_seed(0)

        class _Shapes(fx.Interpreter):
            """Runs the graph once, noting each tensor's shape on its node."""

            def run_node(self, n):  # noqa: D102
                result = super().run_node(n)
                if isinstance(result, torch.Tensor):
                    n.meta["netbuilder_shape"] = tuple(result.shape)
                return result

        try:
            with torch.no_grad():
                _Shapes(gm).run(*[torch.randn((1, *s), generator=gen).to(device_of(module))
                                  for s in shapes], *constants)
        except Exception as exc:  # noqa: BLE001 - the user's forward raises what it raises
            while exc.__cause__ is not None:
                exc = exc.__cause__
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ModelImportError(f"{where}: running forward on a random batch of shape "
                                   f"{'x'.join(map(str, ('N', *shapes[0])))} fails: {first}; "
                                   "check --input-shape") from None
        scope = Scope(module, path, Graph(cls))
        scope.graph.blocks = self.blocks
        self._map(scope, gm, placeholders, shapes, dict(zip(every[len(placeholders):],
                                                            constants, strict=True)))
        return scope

    # -- one graph ---------------------------------------------------------------------------
    def _map(self, s: Scope, gm, placeholders, shapes, constants: dict) -> None:
        values: dict[Any, Any] = dict(constants)    # forward's arguments left at their default
        refused = object()
        for ph, shape in zip(placeholders, shapes, strict=True):
            nid = "input" if len(placeholders) == 1 else s.graph.new_id(readable(ph.name))
            s.graph.add_node(Node(nid, "Input", {"shape": tuple(shape)}))
            s.meta[nid] = tuple(shape)
            s.inputs.append(nid)
            values[ph] = nid
        calls: dict[str, int] = {}
        for node in gm.graph.nodes:
            if node.op == "placeholder":
                continue
            if node.op == "call_function" and getattr(node.target, "__name__", "") \
                    == "_assert_is_none":       # fx's guard on an argument left at None
                continue
            if node.op == "output":
                self._outputs(s, node, values, refused)
                continue
            args = _resolve(node.args, values)
            kwargs = _resolve(node.kwargs, values)
            if _contains(args, refused) or _contains(kwargs, refused):
                # fed by a refused call: named too when it has no mapping of its own
                unknown = self._unknown(gm, node)
                if unknown:
                    _refuse(s, unknown)
                values[node] = refused
                continue
            try:
                values[node] = self._one(s, gm, node, args, kwargs, calls)
            except Unsupported as exc:
                _refuse(s, exc)
                values[node] = refused

    def _unknown(self, gm, node) -> Unsupported | None:
        """The refusal of a call that no input could make acceptable, or None."""
        if node.op == "call_module":
            sub = gm.get_submodule(node.target)
            if spec_for(sub) is None and is_torch_nn(sub) and not isinstance(
                    sub, _containers()):
                return Unsupported(type(sub).__name__, node.target,
                                   f"{qualified(sub)} has no netbuilder layer")
            return None
        table = FUNCTIONS if node.op == "call_function" else METHODS
        if node.op in ("call_function", "call_method") and node.target not in table:
            return Unsupported(_what(node), node.name)
        return None

    def _one(self, s: Scope, gm, node, args, kwargs, calls: dict[str, int]) -> Any:
        if node.op == "get_attr":
            raise Unsupported("a parameter or buffer", node.target, "read directly in forward "
                              "(netbuilder's layers hold their own weights)")
        if node.op == "call_module":
            return self._module(s, gm, node, args, kwargs, calls)
        table = FUNCTIONS if node.op == "call_function" else METHODS
        handler = table.get(node.target)
        if handler is None:
            raise Unsupported(_what(node), node.name)
        out = handler(s, node, args, kwargs)
        if isinstance(out, str) and out in s.graph.nodes and _meta(node):
            s.meta[out] = _meta(node)
        return out

    def _module(self, s: Scope, gm, node, args, kwargs, calls: dict[str, int]) -> Any:
        sub = gm.get_submodule(node.target)
        cls = type(sub).__name__
        calls[node.target] = calls.get(node.target, 0) + 1
        if calls[node.target] > 1 and any(True for _ in sub.parameters()):
            raise Unsupported(cls, node.target, "called more than once: its weights would be "
                              "shared, and netbuilder's layers each hold their own")
        spec = spec_for(sub)
        tensors = [a for a in args if s.is_tensor(a)]
        if spec is None and not is_torch_nn(sub):
            if kwargs or len(tensors) != len(args) or not args:
                raise Inline(type(sub), "called with arguments that are not layer outputs")
            inner = self.trace(sub, _join(s.path, node.target), [s.shape(a) for a in args])
            if not inner.problems and (len(inner.outputs) != 1
                                       or inner.outputs[0] in inner.inputs):
                raise Inline(type(sub), "returns something other than one computed tensor")
            s.problems += inner.problems
            nid = s.graph.new_id(readable(node.target))
            s.graph.nodes[nid] = Node(nid, PENDING, {})   # typed by torch_blocks
            for port, a in enumerate(args):
                s.graph.edges.append(Edge(a, nid, port))
            s.uses[nid] = Use(nid, [node.target], inner, s)
            s.meta[nid] = _meta(node)
            return nid
        type_, params = layer_of(sub, node.target)
        if spec.forward == "attention":
            if len(args) != 3 or len(set(args)) != 1 or kwargs.get("need_weights", True):
                raise Unsupported(cls, node.target, "called other than as self-attention "
                                  "attn(x, x, x, need_weights=False)")
            args = args[:1]
        elif len(args) != 1 or kwargs:
            raise Unsupported(cls, node.target, "called with more than one input")
        elif not tensors:
            raise Unsupported(cls, node.target, f"on {args[0]!r}, not a layer's output")
        nid = s.add(type_, [args[0]], node, origin=node.target, **params)
        return Pair(nid) if spec.forward in ("rnn", "attention") else nid

    def _outputs(self, s: Scope, node, values, refused) -> None:
        out = _resolve(node.args[0], values)
        items = list(out) if isinstance(out, (tuple, list)) else [out]
        for v in items:
            if v is refused:
                continue
            if isinstance(v, Pair):
                v = v.nid
            if not s.is_tensor(v):
                s.problems.append(Unsupported("return", "output", f"returns {v!r}, not a "
                                              "layer's output").text())
                continue
            s.outputs.append(v)


def device_of(module):
    """Where the module's weights are (a model on the GPU is run there)."""
    import torch

    first = next(module.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


def _refuse(s: Scope, exc: Unsupported) -> None:
    if s.path:       # inside a submodule: its full path, as named in the model
        exc.node = f"{s.path}.{exc.node}"
    s.problems.append(exc.text())


def _defaults(module, given: int) -> dict[str, Any] | None:
    """forward's arguments after the inputs given keep their defaults (``mask=None``)."""
    import inspect

    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        return None
    plain = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    out = {p.name: p.default for p in plain[given:] if p.default is not p.empty}
    return out or None


def _containers() -> tuple[type, ...]:
    from torch import nn

    return (nn.Sequential, nn.ModuleList, nn.ModuleDict)


def _join(a: str, b: str) -> str:
    return f"{a}.{b}" if a else b


def _resolve(obj, values):
    from torch import fx

    if isinstance(obj, fx.Node):
        return values[obj]
    if isinstance(obj, tuple):
        return tuple(_resolve(o, values) for o in obj)
    if isinstance(obj, list):
        return [_resolve(o, values) for o in obj]
    if isinstance(obj, dict):
        return {k: _resolve(v, values) for k, v in obj.items()}
    return obj


def _contains(obj, marker) -> bool:
    if obj is marker:
        return True
    if isinstance(obj, (tuple, list)):
        return any(_contains(o, marker) for o in obj)
    if isinstance(obj, dict):
        return any(_contains(o, marker) for o in obj.values())
    return False


def _trace_failure(where: str, exc: Exception) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:240]
    if "control flow" in text or "iterate" in text or "len(" in text \
            or type(exc).__name__ == "TraceError":
        return (f"{where}: its forward decides what to run from the values of its input "
                f"({text}); netbuilder imports networks whose forward runs the same layers "
                "for every input: no if or for on tensor values")
    return f"{where}: torch.fx cannot trace its forward ({type(exc).__name__}: {text})"
