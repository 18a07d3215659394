"""Lowering a checked graph to a *plan*: the classes, names, constructors and forward steps.

The plan is everything the generated source says, decided once, as plain data:

* the order of the forward steps: topological, ties broken by the order of the nodes in the
  file, so a file written top to bottom reads top to bottom;
* one identifier per node, from its id (never its label: labels are free to change, while
  state_dict keys must stay stable for checkpoints), used both for the submodule
  (``self.conv1``) and for the variable holding its output (``conv1``);
* which variable holds each value: along a plain chain the value stays in ``x``
  (``x = self.relu1(x)``); where the network branches, each branch's values keep their own
  names, and the merge that joins them takes ``x`` back;
* one ``nn.Module`` class per block definition (see ``blocks``), used like a layer:
  ``self.layer1 = nn.Sequential(BasicBlock(channels=64), BasicBlock(channels=64))``.

``source.render`` turns a plan into text. Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..graph.analysis import Analysis, analyze
from ..graph.catalogue import CATALOGUE, canonical_type
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
from ..graph.tensor import INT, Tensor
from ..graph.walk import topological_order
from ..graph.words import plural
from .errors import CompileError
from .literals import Ref, call, literal
from .names import RESERVED, Namespace, class_name_for, is_safe_identifier

MAIN = "x"  # the variable a plain chain flows through


@dataclass(frozen=True)
class InputArg:
    """One argument of the network's ``forward``: an Input node."""

    node_id: str
    name: str
    tensor: Tensor
    id_limit: int | None = None   # int64 inputs: token ids must be below this (Embedding size)


@dataclass(frozen=True)
class Submodule:
    """One ``self.<name> = <constructor>`` line of ``__init__``."""

    node_id: str
    name: str
    constructor: str              # e.g. ``nn.Conv2d(1, 6, 5, padding=2)``
    label: str | None
    inits: tuple[str, ...] = ()   # ``nn.init.kaiming_normal_(self.conv1.weight, ...)`` lines


@dataclass(frozen=True)
class Step:
    """One line of ``forward``: ``<target> = <expression>``."""

    node_id: str
    target: str                   # a name, or ``name, _`` for layers returning a pair
    variable: str                 # the name that holds the value afterwards
    expression: str
    tensor: Tensor | None         # None where uses of a block differ (no shape comment)


@dataclass(frozen=True)
class InitParam:
    """An ``__init__`` argument of a block class: a value that differs between uses."""

    name: str
    annotation: str               # ``int``, ``tuple``, ``float | None``...


@dataclass(frozen=True)
class BlockClass:
    """The ``nn.Module`` class generated for (one structural variant of) a block."""

    name: str
    block: str                    # the block's type name in the project
    description: str
    init_params: list[InitParam]
    args: list[str]               # forward arguments
    submodules: list[Submodule]
    steps: list[Step]
    output: str                   # the variable returned


@dataclass(frozen=True)
class Plan:
    project_name: str
    class_name: str
    inputs: list[InputArg]
    submodules: list[Submodule]
    steps: list[Step]
    outputs: list[tuple[str, str, Tensor]]   # (node id, variable, tensor), in graph order
    total_params: int
    names: dict[str, str]                    # node id -> its identifier
    blocks: list[BlockClass]                 # inner blocks first
    own_classes: tuple[str, ...] = ()        # classes written into the source (own_classes)


def checked_analysis(graph: Graph, analysis: Analysis | None = None) -> Analysis:
    """The analysis of ``graph``, or CompileError listing its errors if it is not valid."""
    analysis = analysis if analysis is not None else analyze(graph)
    if not analysis.valid:
        diags = [f"{d.node}: {d.message}" if d.node else d.message for d in analysis.errors]
        raise CompileError(
            f"the network '{graph.name}' has {plural(len(diags), 'problem')}"
            " to fix before it can become PyTorch code", diags)
    if not analysis.outputs:
        raise CompileError(f"the network '{graph.name}' computes nothing: connect at least one "
                           "layer after its Input")
    return analysis


def execution_order(graph: Graph) -> list[str]:
    """Topological order; among nodes that are ready, the one earliest in the file goes first."""
    order = topological_order(graph.nodes, graph.edges)
    if order is None:
        raise CompileError("the network contains a loop; networks here flow one way")
    return order


def make_plan(graph: Graph, analysis: Analysis | None = None,
              class_name: str | None = None) -> Plan:
    """Decide every name and line of the generated module. CompileError if the graph is invalid."""
    analysis = checked_analysis(graph, analysis)
    if class_name is None:
        class_name = class_name_for(graph.name)
    elif not is_safe_identifier(class_name):
        raise CompileError(f"class name {class_name!r} is not a usable Python identifier "
                           "(ASCII letters, digits and _, not a keyword or builtin)")
    classes = Namespace(RESERVED)
    classes.create(class_name)
    top = _Copy(graph, analysis)
    blocks = _BlockLowering(graph, top, classes).run()

    body = _Body(graph, [top], [], blocks.classes | {class_name}, blocks.nested)
    outs = [(nid, body.held[nid], _tensor(analysis, nid)) for nid in analysis.outputs]
    inputs = [InputArg(nid, body.held[nid], _tensor(analysis, nid),
                       _id_limit(graph, analysis, nid) if _tensor(analysis, nid).dtype == INT
                       else None)
              for nid in analysis.inputs]
    return Plan(graph.name, class_name, inputs, body.submodules, body.steps, outs,
                analysis.total_params, body.node_name, blocks.plans, _own_classes(graph))


def _own_classes(graph: Graph) -> tuple[str, ...]:
    """The classes of ``own_classes`` that the network or any of its blocks uses, by name."""
    used = set()
    for g in [graph, *(d.graph for d in graph.blocks.values())]:
        for node in g.nodes.values():
            spec = CATALOGUE.get(canonical_type(node.type) or "")
            if spec is not None and spec.own_class:
                used.add(spec.module)
    return tuple(sorted(used))


# -- blocks --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Copy:
    """One copy of a graph body: the graph with its parameters and its inference."""

    graph: Graph
    analysis: Analysis


class _BlockLowering:
    """Finds every copy of every block (uses, repeats, blocks inside blocks) and makes one
    class per definition and structure, innermost blocks first."""

    def __init__(self, graph: Graph, top: _Copy, classes: Namespace) -> None:
        self.graph = graph
        self.top = top
        self.class_ns = classes
        self.copies: dict[str, list[_Copy]] = {}
        self._seen: set[int] = set()
        self.nested: dict[int, tuple[str, dict[str, Any]]] = {}  # id(analysis) -> class, args
        self.plans: list[BlockClass] = []
        self.classes: set[str] = set()

    def run(self) -> _BlockLowering:
        if not self.graph.blocks:
            return self
        self._collect(self.top)
        from ..graph.blocks import block_depth

        names = sorted(self.copies, key=lambda b: (block_depth(self.graph, b),
                                                   list(self.copies).index(b)))
        # Every class name is kept clear of the names inside classes (an __init__ argument
        # called ``BasicBlock`` would hide the class from the line that builds it).
        self.classes = {class_name_for(b) for b in names} | set(self.class_ns)
        for name in names:
            self._lower(name)
        return self

    def _collect(self, copy: _Copy) -> None:
        from ..graph.blocks import instantiate

        for nid in execution_order(copy.graph):
            node = copy.graph.nodes[nid]
            defn = copy.graph.blocks.get(node.type)
            if defn is None:
                continue
            params = copy.graph.spec(node.type).full_params(node.params)
            inner_graph = instantiate(defn, params)
            result = copy.analysis.nodes[nid].result
            for a in (result.inner if result is not None else []):
                if id(a) in self._seen:
                    continue
                self._seen.add(id(a))
                inner = _Copy(inner_graph, a)
                self.copies.setdefault(defn.name, []).append(inner)
                self._collect(inner)

    def _lower(self, block: str) -> None:
        defn = self.graph.blocks[block]
        copies = self.copies[block]
        layouts = [_layout(defn.graph, c, self.nested, defn.params) for c in copies]
        groups: dict[tuple, list[int]] = {}
        for i, lay in enumerate(layouts):
            groups.setdefault(tuple(e.structure for e in lay), []).append(i)
        base = class_name_for(block)
        for k, members in enumerate(groups.values()):
            name = self.class_ns.create(base if k == 0 else f"{base}{k + 1}")
            self.classes.add(name)
            group = [copies[i] for i in members]
            body = _Body(defn.graph, group, [layouts[i] for i in members], self.classes,
                         self.nested, exposed=defn.params)
            self.plans.append(BlockClass(name, block, defn.description, body.init_params,
                                         [body.held[i] for i in defn.inputs], body.submodules,
                                         body.steps, body.held[defn.output]))
            for copy, args in zip(group, body.copy_args, strict=True):
                self.nested[id(copy.analysis)] = (name, args)


# -- one class body --------------------------------------------------------------------------

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


def _layout(structure: Graph, copy: _Copy, nested: dict[int, tuple[str, dict[str, Any]]],
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


class _Body:
    """``__init__`` and ``forward`` of one class, shared by every copy given.

    Copies share the graph's structure; constructor values that agree between all copies are
    written as literals, the others become ``__init__`` arguments (``copy_args`` holds each
    copy's values for them).
    """

    def __init__(self, structure: Graph, copies: list[_Copy], layouts: list[list[_Entry]],
                 classes: set[str], nested: dict[int, tuple[str, dict[str, Any]]], *,
                 exposed: list = ()) -> None:
        self.structure = structure
        self.copies = copies
        self.layouts = layouts or [_layout(structure, c, nested, exposed) for c in copies]
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
            expression, pair = _expression(spec.forward, node.type, name, args,
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


def _id_limit(graph: Graph, analysis: Analysis, nid: str) -> int:
    """Token ids fed to Input ``nid`` must stay below every Embedding that reads them,
    directly or inside a block."""
    from ..graph.blocks import instantiate

    limits: list[int] = []
    for e in graph.out_edges(nid):
        node = graph.nodes[e.target]
        spec = graph.spec(node.type)
        if spec.id_limit_param is not None:
            limits.append(spec.full_params(node.params)[spec.id_limit_param])
        elif spec.forward == FWD_BLOCK:
            defn = graph.blocks[node.type]
            inner = instantiate(defn, spec.full_params(node.params))
            result = analysis.nodes[e.target].result
            if result is not None and result.inner and e.target_port < len(defn.inputs):
                limits.append(_id_limit(inner, result.inner[0], defn.inputs[e.target_port]))
    return min(limits, default=2)


def _tensor(analysis: Analysis, nid: str) -> Tensor:
    t = analysis.nodes[nid].output
    if t is None:  # a valid analysis has every shape; this guards against a stale one
        raise CompileError(f"{nid}: its output shape is unknown; check the network first")
    return t


def _expression(kind: str, type_: str, name: str, args: list[str],
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
