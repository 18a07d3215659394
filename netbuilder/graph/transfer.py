"""Transfer-learning edits as plain data: which nodes "Freeze up to here" freezes, and the
"Replace head" change (the last Linear's ``out_features`` set to the new class count).

Pure functions over the graph that return the edit; the document or the window applies it
(one undo step each). Nothing here changes a graph.
"""

from __future__ import annotations

from .errors import GraphEditError
from .model import Graph
from .walk import reachable, topological_order


def freeze_up_to(graph: Graph, node_id: str) -> dict[str, bool]:
    """``{node id: False}`` for ``node_id`` and every node that feeds it (directly or not).

    Layers after it stay as they are, so freezing the convolutions of a CNN leaves its
    classifier trainable.
    """
    graph.node(node_id)   # a missing node is a GraphEditError naming it
    return {nid: False for nid in sorted(reachable(graph.edges, node_id, forward=False))
            if nid in graph.nodes}


def frozen_nodes(graph: Graph) -> list[str]:
    """The ids of the frozen nodes, in file order."""
    return [nid for nid, n in graph.nodes.items() if not n.trainable]


def last_linear(graph: Graph) -> str | None:
    """The id of the Linear that runs last (the classifier head), or None."""
    order = topological_order(graph.nodes, graph.edges) or list(graph.nodes)
    linears = [nid for nid in order if graph.nodes[nid].type == "Linear"]
    return linears[-1] if linears else None


def replace_head(graph: Graph, num_classes: int) -> tuple[str, int]:
    """``(node id, out_features)`` for "Replace head": the last Linear gets ``num_classes``.

    GraphEditError when the network has no Linear layer or the count is not positive.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise GraphEditError(f"Replace head needs a class count of at least 1, received "
                             f"{num_classes!r}")
    head = last_linear(graph)
    if head is None:
        raise GraphEditError("Replace head changes the last Linear layer, and this network has "
                             "none: add a Linear layer as its classifier")
    return head, num_classes


def parameter_split(graph: Graph, node_params: dict[str, int]) -> tuple[int, int]:
    """``(trainable, frozen)`` parameter counts, from each node's count (``Analysis.nodes``),
    as torchinfo's summary splits them."""
    frozen = sum(node_params.get(nid, 0) for nid in frozen_nodes(graph))
    return sum(node_params.values()) - frozen, frozen
