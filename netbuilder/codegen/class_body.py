"""One generated class body: ``__init__`` and ``forward`` shared by every copy of a graph.

Used for the network's own class and for each block class: constructor values that agree
between copies are literals, the others become ``__init__`` arguments; along a plain chain the
value flows through ``x``, branches keep their own names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..graph.layers.init import NAMES as INIT_NAMES
from ..graph.layers.init import init_calls
from ..graph.model import Graph
from ..graph.spec import (
    FWD_ADD,
    FWD_ATTENTION,
    FWD_BLOCK,
    FWD_CAT,
    FWD_INPUT,
    FWD_LAST,
    FWD_MODULE,
    FWD_MUL,
    FWD_RNN,
    LayerSpec,
)
from .errors import CompileError
from .literals import Ref, call, literal
from .names import RESERVED, Namespace, is_safe_identifier
from .plan_data import MAIN, GraphCopy, InitParam, Step, Submodule, execution_order


@dataclass(frozen=True)
class _Slot:
    """One constructor argument of one node in one copy."""

    key: tuple                     # (node id, argument) or (node id, repeat index, argument)
    value: Any
    exposed: tuple[str, ...]       # the block's own parameter names that set this argument
    generic: tuple[str, ...]       # other names for it: ``in_channels``, ``conv1_in_channels``
    emitted: bool = True           # keyword arguments at their default are left out


@dataclass(frozen=True)
class _Entry:
    nid: str
    structure: tuple               # what must agree between copies sharing a class
    slots: tuple[_Slot, ...]


def layout(structure: Graph, copy: GraphCopy, nested: dict[int, tuple[str, dict[str, Any]]],
            exposed: list = ()) -> list[_Entry]:
    """The constructor arguments of every layer in one copy, in execution order."""
    out = []
    for nid in execution_order(structure):
        node = copy.graph.nodes[nid]
        spec = copy.graph.spec(node.type)
        if spec.forward == FWD_BLOCK:
            result = copy.analysis.nodes[nid].result
            uses = [nested[id(a)] for a in (result.inner if result is not None else [])]
            slots = tuple(
                _Slot((nid, r, arg), value, _exposed(exposed, nid, arg), (arg, f"{nid}_{arg}"))
                for r, (_, args) in enumerate(uses) for arg, value in args.items())
            out.append(_Entry(nid, (nid, "block", tuple(c for c, _ in uses)), slots))
        elif spec.module is not None:
            info = copy.analysis.nodes[nid]
            args, kwargs = spec.constructor(node.params, info.inferred)
            names = _positional_names(spec, info.inferred)
            if len(names) != len(args):
                raise CompileError(f"{node.type}: cannot name its constructor arguments")
            full = spec.full_params(node.params)
            keywords = [p.name for p in spec.params if p.torch and not p.positional]
            keywords += [k for k, _ in spec.fixed_kwargs]
            slots = tuple(
                [_Slot((nid, n), v, _exposed(exposed, nid, n), (n, f"{nid}_{n}"))
                 for n, v in zip(names, args, strict=True)]
                + [_Slot((nid, k), kwargs[k] if k in kwargs else full[k],
                         _exposed(exposed, nid, k), (k, f"{nid}_{k}"), k in kwargs)
                   for k in keywords])
            init = tuple(full.get(k) for k in INIT_NAMES)   # another init: another class
            out.append(_Entry(nid, (nid, spec.module, tuple(names), tuple(keywords), init), slots))
        else:
            out.append(_Entry(nid, (nid, node.type), ()))
    return out


def _exposed(exposed: list, nid: str, arg: str) -> tuple[str, ...]:
    return tuple(bp.name for bp in exposed if (nid, arg) in bp.targets)


def _positional_names(spec: LayerSpec, inferred: dict[str, Any]) -> list[str]:
    """Names of the positional arguments ``LayerSpec.constructor`` returns, in order."""
    if spec.arg_order:
        return list(spec.arg_order)
    return ([a for a in spec.inferred_args if a in inferred]
            + [p.name for p in spec.params if p.torch and p.positional])


class ClassBody:
    """``__init__`` and ``forward`` of one class, shared by every copy given.

    Copies share the graph's structure; constructor values that agree between all copies are
    written as literals, the others become ``__init__`` arguments (``copy_args`` holds each
    copy's values for them).
    """

    def __init__(self, structure: Graph, copies: list[GraphCopy], layouts: list[list[_Entry]],
                 classes: set[str], nested: dict[int, tuple[str, dict[str, Any]]], *,
                 exposed: list = ()) -> None:
        self.structure = structure
        self.copies = copies
        self.layouts = layouts or [layout(structure, c, nested, exposed) for c in copies]
        self.classes = classes
        self.nested = nested
        names = Namespace(RESERVED | classes)
        self.node_name = {nid: names.create(nid, node.type.lower())
                          for nid, node in structure.nodes.items()}
        self.init_params: list[InitParam] = []
        self.copy_args: list[dict[str, Any]] = [{} for _ in copies]
        self._init_ns = Namespace(RESERVED | classes)
        self._by_values: dict[tuple, str] = {}
        self._preferred = self._preferred_names()
        self.held: dict[str, str] = {}
        self.submodules: list[Submodule] = []
        self.steps: list[Step] = []
        self._build()

    def _preferred_names(self) -> dict[tuple, list[str]]:
        """For each set of differing values: the names to try, the block's own parameter
        names first (``channels`` rather than the ``in_channels`` of the first conv)."""
        exposed: dict[tuple, list[str]] = {}
        generic: dict[tuple, list[str]] = {}
        for pos in range(len(self.layouts[0])):
            entries = [lay[pos] for lay in self.layouts]
            for i, first in enumerate(entries[0].slots):
                shown = tuple(literal(e.slots[i].value) for e in entries)
                if len(set(shown)) == 1:
                    continue
                own = exposed.setdefault(shown, [])
                own += [n for n in first.exposed if n not in own]
                generic.setdefault(shown, list(first.generic))
        return {k: exposed[k] + [n for n in generic[k] if n not in exposed[k]] for k in generic}

    # -- building -----------------------------------------------------------------------
    def _build(self) -> None:
        graph = self.structure
        order = execution_order(graph)
        rank = {nid: i for i, nid in enumerate(order)}
        sources = {nid: [e.source for e in graph.in_edges(nid)] for nid in graph.nodes}
        consumers: dict[str, set[str]] = {nid: set() for nid in graph.nodes}
        for nid, srcs in sources.items():
            for s in srcs:
                consumers[s].add(nid)
        sinks = {nid for nid, c in consumers.items()
                 if not c and graph.nodes[nid].type != "Input"}
        inputs = [nid for nid, n in graph.nodes.items() if n.type == "Input"]
        single = len(inputs) == 1
        for nid in inputs:
            self.held[nid] = MAIN if single else self.node_name[nid]
        chain = _MainChain(inputs[0] if single else None, rank, consumers, sinks)
        position = {e.nid: i for i, e in enumerate(self.layouts[0])}

        for nid in order:
            node = graph.nodes[nid]
            spec = self.copies[0].graph.spec(node.type)
            if spec.forward == FWD_INPUT:
                continue
            name = self.node_name[nid]
            entries = [lay[position[nid]] for lay in self.layouts]  # this node, every copy
            ctor = self._constructor(spec, entries)
            if ctor is not None:
                params = spec.full_params(self.copies[0].graph.nodes[nid].params)
                inits = tuple(init_calls(node.type, params, f"self.{name}"))
                self.submodules.append(Submodule(nid, name, ctor, node.label, inits))
            args = [self.held[s] for s in sources[nid]]
            expression, pair = forward_expression(spec.forward, node.type, name, args,
                                           spec.full_params(node.params),
                                           spec.keywords(node.params, args[0]) if args else ())
            merge = len(set(sources[nid])) > 1 or spec.forward in (FWD_ADD, FWD_MUL, FWD_CAT)
            variable = MAIN if chain.takes(nid, sources[nid], merge) else name
            self.held[nid] = variable
            tensors = {c.analysis.nodes[nid].output for c in self.copies}
            self.steps.append(Step(nid, f"{variable}, _" if pair else variable, variable,
                                   expression, tensors.pop() if len(tensors) == 1 else None))

    def _value(self, entries: list[_Entry], i: int) -> Any:
        """Slot ``i`` of a node: its literal value if every copy agrees, else a Ref to an
        ``__init__`` argument (one argument per distinct set of values: ``bn1`` and
        ``conv2`` share ``channels`` when they always hold the same number)."""
        slots = [e.slots[i] for e in entries]
        shown = tuple(literal(s.value) for s in slots)
        if len(set(shown)) == 1:
            return slots[0].value
        name = self._by_values.get(shown)
        if name is None:
            candidates = self._preferred[shown]
            name = next((c for c in candidates
                         if is_safe_identifier(c) and c not in self._init_ns), None)
            name = self._init_ns.create(name or candidates[-1])
            self._by_values[shown] = name
            self.init_params.append(InitParam(name, _annotation([s.value for s in slots])))
            for args, s in zip(self.copy_args, slots, strict=True):
                args[name] = s.value
        return Ref(name)

    def _constructor(self, spec: LayerSpec, entries: list[_Entry]) -> str | None:
        entry = entries[0]
        if spec.forward == FWD_BLOCK:
            parts = []
            for r, cls in enumerate(entry.structure[2]):
                kwargs = {s.key[2]: self._value(entries, i)
                          for i, s in enumerate(entry.slots) if s.key[1] == r}
                parts.append(call(cls, [], kwargs))
            return parts[0] if len(parts) == 1 else "nn.Sequential(" + ", ".join(parts) + ")"
        if spec.module is None:
            return None
        if not spec.module.isidentifier():
            raise CompileError(f"{spec.type}: {spec.module!r} is not a torch.nn class name")
        n_pos = len(entry.structure[2])
        args = [self._value(entries, i) for i in range(n_pos)]
        kwargs = {entry.slots[i].key[1]: self._value(entries, i)
                  for i in range(n_pos, len(entry.slots))
                  if any(e.slots[i].emitted for e in entries)}
        return call(spec.module if spec.own_class else f"nn.{spec.module}", args, kwargs)


def _annotation(values: list[Any]) -> str:
    kinds = []
    for v in values:
        k = "None" if v is None else type(v).__name__
        if k not in kinds:
            kinds.append(k)
    return " | ".join(sorted(kinds, key=lambda k: (k == "None", k)))


class _MainChain:
    """Tracks the value held in ``x`` and decides which node's output goes there next.

    A node takes ``x`` when it is the only reader of the value in ``x`` (a plain chain
    step), or when it merges several values and nothing after it still needs the value in
    ``x`` (the Add that closes a residual block, the Concat of an Inception module). Any
    other node keeps its output under its own name, so a value that is still needed is
    never overwritten.
    """

    def __init__(self, value: str | None, rank: dict[str, int], consumers: dict[str, set[str]],
                 outputs: set[str]) -> None:
        self.value = value
        self._rank = rank
        self._consumers = consumers
        self._outputs = outputs

    def takes(self, nid: str, sources: list[str], merge: bool) -> bool:
        plain_step = self.value in sources and self._consumers[self.value] == {nid}
        if plain_step or (merge and self._free_after(nid)):
            self.value = nid
            return True
        return False

    def _free_after(self, nid: str) -> bool:
        if self.value is None:
            return True
        if self.value in self._outputs:
            return False
        return all(self._rank[c] <= self._rank[nid] for c in self._consumers[self.value])



def forward_expression(kind: str, type_: str, name: str, args: list[str],
                params: dict, keywords: tuple[tuple[str, str], ...] = ()) -> tuple[str, bool]:
    """The right-hand side of a forward line, and whether the call returns a pair."""
    if kind in (FWD_MODULE, FWD_BLOCK):
        return f"self.{name}({', '.join([*args, *(f'{k}={v}' for k, v in keywords)])})", False
    if kind == FWD_RNN:
        return f"self.{name}({args[0]})", True
    if kind == FWD_ATTENTION:
        a = args[0]
        return f"self.{name}({a}, {a}, {a}, need_weights=False)", True
    if kind == FWD_ADD:
        return " + ".join(args), False
    if kind == FWD_MUL:
        return " * ".join(args), False
    if kind == FWD_CAT:
        return f"torch.cat([{', '.join(args)}], dim={literal(params['dim'])})", False
    if kind == FWD_LAST:
        return f"{args[0]}[:, -1]", False
    raise CompileError(f"netbuilder cannot write code for {type_} layers yet "
                       f"(forward kind {kind!r})")
