"""Reusable blocks: a named sub-network, used like a layer, with parameters of its own.

A ``BlockDef`` holds an inner graph whose ``Input`` nodes are the block's numbered inputs
and whose ``output`` node gives its (single) output. Chosen inner parameters are exposed
under a name of the block's (``channels`` sets ``conv1.out_channels`` and
``conv2.out_channels``), so each use sets its own values, and shapes inside each use are
inferred from what flows in: one residual block serves 64, 128 and 256 channels. A use is a
node whose ``type`` is the block's name; its parameters are the exposed ones plus
``repeat`` (chain N copies).

To every other part of netbuilder a block is a layer: ``BlockDef.spec()`` is a
``LayerSpec`` whose shape rule runs the inner analysis, so the canvas, the inspector, the
checker and the file format treat it as any other type.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .analysis import OK, analyze, inner_analyzer
from .catalogue import CATALOGUE
from .errors import GraphEditError, ShapeError
from .model import Edge, Graph, Node
from .params import INT, INTS, PADDING, ParamSpec
from .spec import FWD_BLOCK, LayerResult, LayerSpec, LayerWarning
from .tensor import Tensor
from .walk import reachable

REPEAT = "repeat"
CATEGORY = "Blocks"
MAX_DEPTH = 8


@dataclass(frozen=True)
class BlockParam:
    """An inner parameter exposed on the block: one name setting one or more inner params."""

    name: str
    targets: tuple[tuple[str, str], ...]   # (inner node id, parameter name)


@dataclass
class BlockDef:
    name: str
    graph: Graph
    output: str
    params: list[BlockParam] = field(default_factory=list)
    description: str = ""
    _spec: LayerSpec | None = field(default=None, repr=False, compare=False)
    _token: str | None = field(default=None, repr=False, compare=False)

    # -- structure ----------------------------------------------------------------------
    @property
    def inputs(self) -> list[str]:
        """Inner Input node ids, in graph order: input port i of a use feeds inputs[i]."""
        return [nid for nid, n in self.graph.nodes.items() if n.type == "Input"]

    def touch(self) -> None:
        """Forget the cached spec after the definition changed (an edit inside the block)."""
        self._spec = None
        self._token = None

    def token(self) -> str:
        """A hash of the definition: part of analysis cache keys, and of fingerprints."""
        if self._token is None:
            from .project import block_to_dict

            text = json.dumps(block_to_dict(self, positions=False), sort_keys=True)
            # The blocks used inside count too: editing one must change this block's key.
            text += "".join(self.graph.blocks[b].token() for b in sorted(
                {n.type for n in self.graph.nodes.values() if n.type in self.graph.blocks}))
            self._token = hashlib.sha256(text.encode()).hexdigest()[:16]
        return self._token

    def param_spec(self, bp: BlockParam) -> ParamSpec:
        node_id, pname = bp.targets[0]
        node = self.graph.nodes[node_id]
        inner = self.graph.spec(node.type).param(pname)
        where = ", ".join(f"{n}.{p}" for n, p in bp.targets)
        default = node.params.get(pname, inner.default)
        return replace(inner, name=bp.name, default=default, help=f"{inner.help} (sets {where})",
                       torch=False, positional=False, emit_always=False)

    def spec(self) -> LayerSpec:
        if self._spec is None:
            params = tuple(self.param_spec(bp) for bp in self.params) + (
                ParamSpec(REPEAT, INT, 1, "Chain this many copies, each feeding the next",
                          min=1, max=64, torch=False),)
            n_in = len(self.inputs)
            self._spec = LayerSpec(
                type=self.name,
                category=CATEGORY,
                help=self.description or f"A block of {len(self.graph.nodes) - n_in} layers.",
                params=params,
                rule=lambda p, ins: run_block(self, p, ins),
                inputs=n_in,
                forward=FWD_BLOCK,
                summary=lambda p: summary_words(self, p),
            )
        return self._spec

    def copy(self) -> BlockDef:
        return BlockDef(self.name, self.graph.copy(), self.output, list(self.params),
                        self.description)


# What an exposed parameter reads as on a card, by the torch parameter it finally sets:
# (names that mean just that parameter, the words, the value that goes without saying).
_WORDS: dict[str, tuple[frozenset[str], str, Any]] = {
    "out_channels": (frozenset({"channels", "out_channels", "filters", "ch", "width"}), "{} ch", None),
    "kernel_size": (frozenset({"kernel_size", "kernel", "k", "size"}), "{}", None),
    "stride": (frozenset({"stride", "step"}), "stride {}", 1),
    "padding": (frozenset({"padding", "pad"}), "pad {}", 0),
    "dilation": (frozenset({"dilation"}), "dilation {}", 1),
    "groups": (frozenset({"groups"}), "groups {}", 1),
    "p": (frozenset({"p", "dropout", "drop", "rate"}), "p={}", None),
    "out_features": (frozenset({"out_features", "units", "features", "hidden", "width"}),
                     "{} units", None),
}


def _final_target(defn: BlockDef, bp: BlockParam, depth: int = 0) -> ParamSpec:
    """The layer parameter an exposed one ends up setting (through nested blocks)."""
    node_id, pname = bp.targets[0]
    g = defn.graph
    node_type = g.nodes[node_id].type
    if node_type in g.blocks and depth < MAX_DEPTH:
        inner = g.blocks[node_type]
        for ibp in inner.params:
            if ibp.name == pname:
                return _final_target(inner, ibp, depth + 1)
    return g.spec(node_type).param(pname)


def _value_words(v: Any, n: int) -> str:
    if isinstance(v, tuple):
        return "x".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, int) and not isinstance(v, bool) and n > 1:
        return "x".join([str(v)] * n)
    return str(v)


def summary_words(defn: BlockDef, p: dict[str, Any]) -> str:
    """A use's exposed values in a student's words: ``96 ch, 3x3, stride 2`` for a block
    whose ``channels``/``kernel_size``/``stride`` set a convolution's; a name the block
    chose itself stays (``ch3x3 128``). Values that go without saying (stride 1, pad 0)
    are left out; the inspector keeps every name and value."""
    parts = []
    for bp in defn.params:
        if bp.name not in p:
            continue
        v = p[bp.name]
        try:
            target = _final_target(defn, bp)
        except (KeyError, IndexError):
            parts.append(f"{bp.name} {_value_words(v, 1)}")
            continue
        # a kernel reads as its area (3x3); a stride or a padding as the number given
        n = target.n if target.kind in (INTS, PADDING) and target.name == "kernel_size" else 1
        names, words, silent = _WORDS.get(target.name, (frozenset(), "", None))
        if bp.name in names or bp.name == target.name:
            if silent is not None and v in (silent, (silent,) * max(target.n, 1)):
                continue
            parts.append(words.format(_value_words(v, n)))
        else:
            parts.append(f"{bp.name} {_value_words(v, n)}")
    if p.get(REPEAT, 1) > 1:
        parts.append(f"x{p[REPEAT]}")
    return ", ".join(parts)


# -- inference ----------------------------------------------------------------------------

class BlockShapeError(ShapeError):
    """A problem inside a block use; ``inner`` is the path of inner node ids."""

    def __init__(self, message: str, inner: tuple[str, ...]) -> None:
        super().__init__(message)
        self.inner = inner


def instantiate(defn: BlockDef, params: dict[str, Any]) -> Graph:
    """The inner graph with this use's exposed values written into their targets."""
    g = defn.graph.copy()
    for bp in defn.params:
        if bp.name in params:
            for node_id, pname in bp.targets:
                g.nodes[node_id].params[pname] = params[bp.name]
    return g


def run_block(defn: BlockDef, params: dict[str, Any], ins: list[Tensor]) -> LayerResult:
    repeat = params.get(REPEAT, 1)
    if repeat > 1 and len(ins) != 1:
        raise ShapeError(f"repeat needs a block with one input; {defn.name} has {len(ins)}")
    g = instantiate(defn, params)
    total_params = total_macs = 0
    warnings: list[str] = []
    inner = []
    current = list(ins)
    for copy in range(repeat):
        feeds = dict(zip(defn.inputs, current, strict=True))
        a = inner_analyzer().run(g, feeds=feeds)
        inner.append(a)
        label = f"{defn.name}" + (f" (copy {copy + 1} of {repeat})" if repeat > 1 else "")
        for d in a.errors:
            if d.node is None:
                continue
            node = g.nodes[d.node]
            path = (d.node, *d.inner)
            raise BlockShapeError(f"inside {label}, '{d.node}' ({node.type}): {d.message}", path)
        out = a.nodes[defn.output]
        if out.status != OK or out.output is None:
            raise BlockShapeError(f"inside {label}: the output '{defn.output}' has no shape",
                                  (defn.output,))
        warnings += [LayerWarning(f"inside {label}, '{d.node}': {d.message}", d.code)
                     for d in a.warnings if d.code != "unused"]
        total_params += a.total_params
        total_macs += a.total_macs
        current = [out.output]
    shapes = " and ".join(str(t) for t in ins)
    formula = [f"{defn.name}: {shapes} -> {current[0]}"
               + (f" through {repeat} copies" if repeat > 1 else "")]
    return LayerResult([current[0]], total_params, total_macs, {}, formula, warnings, inner=inner)


# -- checks -------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def name_problem(name: str, taken: set[str] = frozenset()) -> str | None:
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        return (f"block name {name!r} must start with a letter and hold only letters, digits "
                "and _ (at most 64)")
    if name in CATALOGUE or name == "Block":
        return f"block name {name!r} is a layer type already; choose another name"
    if name in taken:
        return f"there is already a block named {name!r}"
    return None


def definition_problems(defn: BlockDef) -> list[str]:
    """Structural problems of a definition (the file reader turns them into refusals)."""
    out = []
    g = defn.graph
    if not defn.inputs:
        out.append("a block needs at least one Input inside it")
    if defn.output not in g.nodes:
        out.append(f"its output {defn.output!r} is not a node inside it")
    elif g.nodes[defn.output].type == "Input":
        out.append("its output cannot be one of its Inputs")
    seen = set()
    for bp in defn.params:
        if not _NAME.fullmatch(bp.name) or bp.name == REPEAT or bp.name in seen:
            out.append(f"parameter name {bp.name!r} must be a unique identifier other than 'repeat'")
        seen.add(bp.name)
        if not bp.targets:
            out.append(f"parameter {bp.name!r} sets nothing")
        kinds = set()
        for node_id, pname in bp.targets:
            if node_id not in g.nodes:
                out.append(f"parameter {bp.name!r} targets {node_id!r}, which is not inside the block")
                continue
            try:
                kinds.add(g.spec(g.nodes[node_id].type).param(pname).kind)
            except KeyError:
                out.append(f"parameter {bp.name!r} targets {node_id}.{pname}, which does not exist")
        if len(kinds) > 1:
            out.append(f"parameter {bp.name!r} sets parameters of different kinds")
    return out


def uses_of(graph: Graph, name: str) -> list[str]:
    return [nid for nid, n in graph.nodes.items() if n.type == name]


# -- which blocks hold which: one walk for every question about nesting --------------------

def inner_blocks(graph: Graph, name: str) -> set[str]:
    """The blocks used directly inside block ``name``."""
    defn = graph.blocks.get(name)
    if defn is None:
        return set()
    return {n.type for n in defn.graph.nodes.values() if n.type in graph.blocks}


def _nesting(graph: Graph) -> list[Edge]:
    """One edge from each block to each block used directly inside it."""
    return [Edge(b, inner) for b in graph.blocks for inner in sorted(inner_blocks(graph, b))]


def blocks_inside(graph: Graph, name: str) -> set[str]:
    """``name`` and every block it uses inside, at any depth."""
    return reachable(_nesting(graph), name)


def containing_blocks(graph: Graph, name: str) -> set[str]:
    """The blocks that use ``name`` inside them, at any depth."""
    return reachable(_nesting(graph), name, forward=False) - {name}


def contains_any(graph: Graph, name: str, names: set[str]) -> bool:
    """Whether block ``name`` is one of ``names`` or uses one of them, at any depth."""
    return bool(blocks_inside(graph, name) & names)


def block_depth(graph: Graph, name: str, seen: tuple[str, ...] = ()) -> int:
    """Nesting depth of a block; GraphEditError for a block that contains itself."""
    if name in seen:
        raise GraphEditError("a block cannot contain itself: " + " -> ".join((*seen, name)))
    return 1 + max((block_depth(graph, b, (*seen, name)) for b in inner_blocks(graph, name)),
                   default=0)


# -- make and ungroup -----------------------------------------------------------------------

def make_block(graph: Graph, node_ids: list[str], name: str, use_id: str | None = None,
               description: str = "") -> str:
    """Replace a selection by one use of a new block; returns the use's id.

    Wires entering the selection become the block's inputs (one per outside source, in
    the order they are met), the one node feeding the outside becomes its output.
    """
    ids = [n for n in graph.nodes if n in set(node_ids)]
    if not ids:
        raise GraphEditError("select the layers to put in the block")
    problem = name_problem(name, set(graph.blocks))
    if problem:
        raise GraphEditError(problem)
    if any(graph.nodes[n].type == "Input" for n in ids):
        raise GraphEditError("a block cannot contain the network's Input; leave it outside")
    inside = set(ids)
    entering = [e for e in graph.edges if e.target in inside and e.source not in inside]
    leaving = [e for e in graph.edges if e.source in inside and e.target not in inside]
    out_sources = list(dict.fromkeys(e.source for e in leaving))
    if len(out_sources) > 1:
        raise GraphEditError(f"a block has one output; the selection feeds the rest of the "
                             f"network from {len(out_sources)} layers ({', '.join(out_sources)})")
    sinks = [n for n in ids if not any(e.source == n for e in graph.edges if e.target in inside)]
    output = out_sources[0] if out_sources else (sinks[-1] if sinks else ids[-1])
    # The network must not flow out of the selection and back in (it would become a loop).
    outside_path = Graph(graph.name)
    outside_path.nodes = {k: v for k, v in graph.nodes.items() if k not in inside}
    outside_path.edges = [e for e in graph.edges if e.source not in inside and e.target not in inside]
    for e_out in leaving:
        for e_in in entering:
            if e_out.target == e_in.source or outside_path.would_cycle(e_in.source, e_out.target):
                raise GraphEditError("the selection's output flows back into it from outside; "
                                     "include the layers in between in the selection")
    inner = Graph(name)
    inner.blocks = graph.blocks
    sources = list(dict.fromkeys(e.source for e in entering))
    in_ids = {}
    before = analyze(graph)
    for i, src in enumerate(sources):
        nid = "input" if len(sources) == 1 else f"input{i + 1}"
        while nid in inside:
            nid += "_"
        in_ids[src] = nid
        # The shape that flows in now, so the inside reads sensibly when opened for editing.
        t = before.nodes[src].output
        params = {"shape": t.shape, **({"dtype": t.dtype} if t.dtype != "float32" else {})} if t else {}
        inner.nodes[nid] = Node(nid, "Input", params, None)
    for n in ids:
        inner.nodes[n] = graph.nodes[n].copy()
    for e in graph.edges:
        if e.target in inside and e.source in inside:
            inner.edges.append(e)
        elif e.target in inside:
            inner.edges.append(Edge(in_ids[e.source], e.target, e.target_port))
    defn = BlockDef(name, inner, output, [], description)
    graph.blocks[name] = defn
    use = use_id or graph.new_id(name)
    xs = [graph.nodes[n].position for n in ids if graph.nodes[n].position is not None]
    pos = (sum(p[0] for p in xs) / len(xs), sum(p[1] for p in xs) / len(xs)) if xs else None
    for n in ids:
        graph.remove_node(n)
    graph.nodes[use] = Node(use, name, {}, pos)
    for i, src in enumerate(sources):
        graph.edges.append(Edge(src, use, i))
    for e in leaving:
        graph.edges.append(Edge(use, e.target, e.target_port))
    return use


def ungroup(graph: Graph, use_id: str) -> list[str]:
    """Replace a use by plain copies of the block's layers (repeat unrolled); returns new ids."""
    return [new for mapping in ungroup_mapped(graph, use_id) for new in mapping.values()]


def ungroup_mapped(graph: Graph, use_id: str) -> list[dict[str, str]]:
    """``ungroup``, returning for each copy (one per ``repeat``) inner id -> new id.

    The mapping lets a caller follow what pointed into the use: an outer block's exposed
    setting, or the outer block's output (``block_defs.delete_block``).
    """
    use = graph.node(use_id)
    if use.type not in graph.blocks:
        raise GraphEditError(f"'{use_id}' is not a block")
    defn = graph.blocks[use.type]
    repeat = use.params.get(REPEAT, 1)
    g = instantiate(defn, use.params)
    incoming = {e.target_port: e.source for e in graph.edges if e.target == use_id}
    outgoing = [e for e in graph.edges if e.source == use_id]
    graph.remove_node(use_id)
    mappings: list[dict[str, str]] = []
    feeds = [incoming.get(i) for i in range(len(defn.inputs))]
    base = use.position or (0.0, 0.0)
    last = None
    for copy in range(repeat):
        mapping = {}
        for nid, node in g.nodes.items():
            if node.type == "Input":
                continue
            stem = f"{use_id}_{nid}" if repeat == 1 else f"{use_id}_{copy + 1}_{nid}"
            new = graph.new_id(stem) if stem in graph.nodes else stem
            c = node.copy()
            c.id = new
            if node.position is not None:
                c.position = (base[0] + node.position[0] + copy * 40, base[1] + node.position[1])
            else:
                c.position = None
            graph.nodes[new] = c
            mapping[nid] = new
        mappings.append(mapping)
        input_map = dict(zip(defn.inputs, feeds, strict=True))
        for e in g.edges:
            if e.source in input_map:
                if input_map[e.source] is not None:
                    graph.edges.append(Edge(input_map[e.source], mapping[e.target], e.target_port))
            else:
                graph.edges.append(Edge(mapping[e.source], mapping[e.target], e.target_port))
        last = mapping[defn.output]
        feeds = [last]
    for e in outgoing:
        graph.edges.append(Edge(last, e.target, e.target_port))
    return mappings
