"""Shape inference and validation of a whole graph, explained node by node.

``Analyzer.run(graph)`` walks the nodes in topological order, feeds each layer's shape rule
the tensors on its input wires and records, per node, its status, shapes, cost, formula and
diagnostics. It is lenient, as an editor needs: an unconnected port or an unknown shape is a
state with a message, never an exception. A node downstream of a problem is *blocked* and
not reported again, so each mistake is reported once, where it happens.

Results of shape rules are memoised on (type, params, input tensors), so re-checking after
one edit costs little more than walking the graph.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .errors import ShapeError
from .model import Edge, Graph
from .spec import LayerResult, warning_code
from .tensor import INT, Tensor
from .walk import topological_order

OK = "ok"
ERROR = "error"            # this node's own problem
INCOMPLETE = "incomplete"  # an input port has no wire
BLOCKED = "blocked"        # downstream of an error or an incomplete node

SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    node: str | None = None
    code: str = ""           # unconnected, shape, param, cycle, unused, inexact, empty, no-input
    edge: Edge | None = None
    inner: tuple[str, ...] = ()  # for a block use: the path of inner node ids at fault


@dataclass
class NodeInfo:
    status: str = BLOCKED
    inputs: list[Tensor | None] = field(default_factory=list)
    output: Tensor | None = None
    result: LayerResult | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def params(self) -> int:
        return self.result.params if self.result else 0

    @property
    def macs(self) -> int:
        return self.result.macs if self.result else 0

    @property
    def formula(self) -> list[str]:
        return self.result.formula if self.result else []

    @property
    def inferred(self) -> dict[str, Any]:
        return self.result.inferred if self.result else {}


@dataclass
class Analysis:
    nodes: dict[str, NodeInfo]
    order: list[str]                  # topological order of the nodes not in a loop
    diagnostics: list[Diagnostic]
    inputs: list[str]                 # Input node ids, in graph order
    outputs: list[str]                # nodes nothing reads from (the network's outputs)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == SEVERITY_ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == SEVERITY_WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def total_params(self) -> int:
        return sum(i.params for i in self.nodes.values())

    @property
    def total_macs(self) -> int:
        return sum(i.macs for i in self.nodes.values())

    def activation_count(self) -> int:
        """Values produced per sample by every node (activation memory / 4 bytes in fp32)."""
        return sum(i.output.numel for i in self.nodes.values() if i.output is not None)

    def edge_shape(self, edge: Edge) -> Tensor | None:
        info = self.nodes.get(edge.source)
        return info.output if info else None


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Analyzer:
    """Runs inference on graphs, remembering shape-rule results between runs."""

    def __init__(self, cache_size: int = 50_000) -> None:
        self._cache: dict[tuple, LayerResult | ShapeError] = {}
        self._ranges: dict[tuple, tuple[str, ...]] = {}
        self._cache_size = cache_size

    def run(self, graph: Graph, feeds: dict[str, Tensor] | None = None) -> Analysis:
        """Analyse ``graph``. ``feeds`` give Input nodes the tensors that flow into a block."""
        nodes = graph.nodes
        info = {nid: NodeInfo() for nid in nodes}
        diags: list[Diagnostic] = []
        ins_of: dict[str, list[Edge]] = defaultdict(list)
        has_out: set[str] = set()
        for e in graph.edges:
            ins_of[e.target].append(e)
            has_out.add(e.source)

        order = topological_order(nodes, graph.edges)
        if order is None:  # a loop: networkx names the nodes in it, the rest is ordered
            import networkx as nx  # only here: importing it costs a quarter of start-up

            dg = nx.DiGraph()
            dg.add_nodes_from(nodes)
            dg.add_edges_from((e.source, e.target) for e in graph.edges)
            looped = {n for c in nx.strongly_connected_components(dg) if len(c) > 1 for n in c}
            looped |= {e.source for e in graph.edges if e.source == e.target}
            for nid in sorted(looped, key=list(nodes).index):
                msg = "this layer is part of a loop; networks here flow one way: remove one wire of the loop"
                d = Diagnostic(SEVERITY_ERROR, msg, nid, "cycle")
                info[nid].status = ERROR
                info[nid].diagnostics.append(d)
                diags.append(d)
            dg.remove_nodes_from(looped)
            order = list(nx.topological_sort(dg))

        inputs = [nid for nid, n in nodes.items() if n.type == "Input"]
        for nid in order:
            if feeds is not None and nid in feeds:
                info[nid].status, info[nid].output = OK, feeds[nid]
                continue
            self._visit(graph, nid, sorted(ins_of[nid], key=lambda e: e.target_port), info, diags)

        if not nodes:
            diags.append(Diagnostic(SEVERITY_ERROR, "the network is empty: start with an Input "
                                    "layer and connect layers after it", None, "empty"))
        elif not inputs:
            diags.append(Diagnostic(SEVERITY_ERROR, "the network has no Input layer: add one to "
                                    "say what shape of data enters it", None, "no-input"))
        for nid in inputs if feeds is None else ():
            if nid not in has_out and len(nodes) > 1:
                d = Diagnostic(SEVERITY_WARNING, "this Input is not connected to any layer",
                               nid, "unused")
                info[nid].diagnostics.append(d)
                diags.append(d)
        outputs = [nid for nid in nodes if nid not in has_out and nodes[nid].type != "Input"]
        if len(self._cache) > self._cache_size:
            self._cache.clear()
            self._ranges.clear()
        return Analysis(info, order, diags, inputs, outputs)

    # ------------------------------------------------------------------------------------
    def _visit(self, graph: Graph, nid: str, edges: list[Edge], info: dict[str, NodeInfo],
               diags: list[Diagnostic]) -> None:
        node = graph.nodes[nid]
        spec = graph.spec(node.type)
        me = info[nid]

        def report(msg: str, code: str, status: str = ERROR, severity: str = SEVERITY_ERROR,
                   edge: Edge | None = None, inner: tuple[str, ...] = ()) -> None:
            d = Diagnostic(severity, msg, nid, code, edge, inner)
            me.diagnostics.append(d)
            diags.append(d)
            if severity == SEVERITY_ERROR:
                me.status = status

        # Wiring of the input ports.
        ports = [e.target_port for e in edges]
        dupes = sorted({p for p in ports if ports.count(p) > 1})
        for p in dupes:
            report(f"input {p} has more than one wire; keep one", "port")
        if spec.variadic:
            if len(edges) < spec.min_inputs:
                report(f"{node.type} needs at least {spec.min_inputs} inputs; "
                       f"{'only 1 is' if len(edges) == 1 else f'{len(edges)} are'} connected",
                       "unconnected", INCOMPLETE)
        else:
            for p in range(spec.inputs):
                if p not in ports:
                    which = "its input" if spec.inputs == 1 else f"input {p}"
                    report(f"{which} is not connected: wire a layer's output into it",
                           "unconnected", INCOMPLETE)
            for e in edges:
                if e.target_port >= spec.inputs:
                    report(f"{node.type} has {spec.inputs} input(s); a wire from "
                           f"'{e.source}' goes to port {e.target_port}", "port", edge=e)
        if me.diagnostics:
            return

        upstream = [info[e.source] for e in edges]
        if any(u.status != OK for u in upstream):
            me.status = BLOCKED
            return
        tensors = [u.output for u in upstream]
        me.inputs = list(tensors)

        block = graph.blocks.get(node.type)
        params_key = (spec.type, block.token() if block is not None else "",
                      tuple(sorted((k, _key(v)) for k, v in node.params.items())))
        problems = self._ranges.get(params_key)
        if problems is None:
            problems = self._ranges[params_key] = tuple(spec.range_problems(node.params))
        if problems:
            for msg in problems:
                report(msg, "param")
            return
        if spec.id_limit_param is None and block is None:  # a block's inside decides itself
            for e, t in zip(edges, tensors, strict=True):
                if t is not None and t.dtype == INT:
                    report(f"{node.type} needs real numbers but receives integer token ids from "
                           f"'{e.source}': add an Embedding layer first", "dtype")
                    return

        key = (params_key, tuple(tensors))
        result = self._cache.get(key)
        if result is None:
            try:
                result = spec.rule(spec.full_params(node.params), tensors)  # type: ignore[arg-type]
            except ShapeError as exc:
                result = exc
            self._cache[key] = result
        if isinstance(result, ShapeError):
            report(str(result), "shape", inner=getattr(result, "inner", ()))
            return
        me.result = result
        me.output = result.outputs[0]
        me.status = OK
        for w in result.warnings:
            report(w, warning_code(w), severity=SEVERITY_WARNING)


_default = Analyzer()
_inner = Analyzer()


def inner_analyzer() -> Analyzer:
    """The analyzer that block uses run their inside with (its own memo)."""
    return _inner


def analyze(graph: Graph) -> Analysis:
    """Infer shapes and check the whole graph (with a shared memo of rule results)."""
    return _default.run(graph)


def activation_bytes(analysis: Analysis, batch: int = 1, bytes_per_value: int = 4) -> int:
    return analysis.activation_count() * batch * bytes_per_value
