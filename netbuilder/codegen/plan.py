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

``source.render`` turns a plan into text. Nothing here imports torch. The records live in
``plan_data``, one class body is ``class_body``, blocks become classes in ``block_lowering``.
"""

from __future__ import annotations

from ..graph.analysis import Analysis, analyze
from ..graph.catalogue import CATALOGUE, canonical_type
from ..graph.model import Graph
from ..graph.spec import FWD_BLOCK
from ..graph.tensor import INT, Tensor
from ..graph.words import plural
from .block_lowering import BlockLowering
from .class_body import ClassBody
from .errors import CompileError
from .names import RESERVED, Namespace, class_name_for, is_safe_identifier
from .plan_data import (  # noqa: F401  (the plan's records are read from here)
    BlockClass,
    GraphCopy,
    InputArg,
    Plan,
    Step,
    Submodule,
    execution_order,
)


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
    top = GraphCopy(graph, analysis)
    blocks = BlockLowering(graph, top, classes).run()

    body = ClassBody(graph, [top], [], blocks.classes | {class_name}, blocks.nested)
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

