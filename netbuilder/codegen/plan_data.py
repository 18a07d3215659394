"""The plan's data: what the generated source says, as plain frozen records.

``plan.make_plan`` fills them; ``source.render`` writes them out; nothing here decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph.analysis import Analysis
from ..graph.model import Graph
from ..graph.tensor import Tensor
from ..graph.walk import topological_order
from .errors import CompileError

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


@dataclass(frozen=True)
class GraphCopy:
    """One copy of a graph body: the graph with its parameters and its inference."""

    graph: Graph
    analysis: Analysis



def execution_order(graph: Graph) -> list[str]:
    """Topological order; among nodes that are ready, the one earliest in the file goes first."""
    order = topological_order(graph.nodes, graph.edges)
    if order is None:
        raise CompileError("the network contains a loop; networks here flow one way")
    return order

