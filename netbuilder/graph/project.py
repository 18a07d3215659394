"""Project file format v1: reading, writing and refusing, with the place of every problem.

A project file is JSON (see docs/file-format.md). Reading checks every key and type and
refuses a bad file with a ``ProjectFileError`` that names the place, e.g.
``nodes[3] ('conv1').params.kernel_size: expected a whole number or a list of 2 whole
numbers, received 'abc'``. Nothing in a file is evaluated. Writing is deterministic: one
node or edge per line, so version control shows an edit as a one-line change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import atomic, jsonfile
from .catalogue import canonical_type, suggest
from .errors import GraphEditError, ParamError, ProjectFileError
from .model import Edge, Graph, Node

FORMAT = "netbuilder"
VERSION = 1
MAX_BYTES = jsonfile.MAX_BYTES
_kind, _show = jsonfile.kind, jsonfile.show

_TOP = {"format", "version", "name", "description", "blocks", "nodes", "edges", "training", "ui",
        "assignment"}
_SUBMISSION = {"fingerprint", "student"}
_BLOCK = {"name", "description", "output", "params", "nodes", "edges"}
_NODE = {"id", "type", "params", "position", "label", "trainable", "ui"}
_EDGE = {"source", "target", "target_port"}


@dataclass
class Project:
    """A graph plus what travels with it in the file."""

    graph: Graph
    description: str = ""
    training: dict[str, Any] | None = None   # read and checked by runtime/
    ui: dict[str, Any] = field(default_factory=dict)   # view state; never affects the network
    node_ui: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A submission's link to its assignment: {"fingerprint": str, "student": str} (see
    # graph/assignment.py); None for an ordinary project.
    assignment: dict[str, str] | None = None

    @property
    def name(self) -> str:
        return self.graph.name


# -- reading ---------------------------------------------------------------------------

def load_project(path: str | Path) -> Project:
    """Read a project file; ProjectFileError names the file and the place of any problem."""
    text = jsonfile.read_file(path, "project file", ProjectFileError)
    try:
        return loads_project(text)
    except ProjectFileError as e:
        raise ProjectFileError(f"{Path(path)}: {e}") from None


def loads_project(text: str) -> Project:
    return project_from_dict(jsonfile.parse(text, "project file", ProjectFileError))


def project_from_dict(data: Any) -> Project:
    if not isinstance(data, dict):
        raise ProjectFileError(f"expected a JSON object at the top, received {_kind(data)}")
    if data.get("format") != FORMAT:
        raise ProjectFileError(f'"format": expected "{FORMAT}", received {_show(data.get("format"))}'
                               " (is this a netbuilder project file?)")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectFileError(f'"version": expected a whole number, received {_show(version)}')
    if version > VERSION:
        raise ProjectFileError(f"the file is format version {version}, newer than this netbuilder "
                               f"reads (version {VERSION}): update netbuilder to open it")
    if version < 1:
        raise ProjectFileError(f'"version": expected 1, received {version}')
    _no_unknown(data, _TOP, "")
    name = _opt_str(data, "name", "", "Untitled")
    description = _opt_str(data, "description", "", "")
    graph = Graph(name)
    _read_blocks(data.get("blocks", []), graph)
    node_ui = _read_nodes_edges(data, graph, "")
    training = data.get("training")
    if training is not None and not isinstance(training, dict):
        raise ProjectFileError(f'"training": expected an object, received {_kind(training)}')
    ui = data.get("ui", {})
    if not isinstance(ui, dict):
        raise ProjectFileError(f'"ui": expected an object, received {_kind(ui)}')
    return Project(graph, description, training, ui, node_ui,
                   _read_submission(data.get("assignment")))


def _read_submission(raw: Any) -> dict[str, str] | None:
    """The ``assignment`` key of a submission: the assignment's fingerprint, the student."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProjectFileError(f'"assignment": expected an object with "fingerprint" and '
                               f'"student", received {_kind(raw)}')
    _no_unknown(raw, _SUBMISSION, '"assignment"')
    out = {}
    for key in sorted(_SUBMISSION):
        value = raw.get(key)
        if not isinstance(value, str):
            raise ProjectFileError(f'"assignment".{key}: expected a string, received {_show(value)}')
        if len(value) > 200:
            raise ProjectFileError(f'"assignment".{key}: at most 200 characters, received '
                                   f"{len(value)}")
        out[key] = value
    return out


def _read_nodes_edges(data: dict, graph: Graph, where: str) -> dict[str, dict[str, Any]]:
    nodes = data.get("nodes", [])
    if not isinstance(nodes, list):
        raise ProjectFileError(f'{where}"nodes": expected a list, received {_kind(nodes)}')
    node_ui: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(nodes):
        node, ui = _read_node(raw, f"{where}nodes[{i}]", graph)
        if where and not node.trainable:
            raise ProjectFileError(f"{where}nodes[{i}] ({node.id!r}).trainable: layers inside a "
                                   "block are frozen with the block: set \"trainable\": false "
                                   "on the block's use in the network instead")
        graph.nodes[node.id] = node
        if ui:
            node_ui[node.id] = ui
    edges = data.get("edges", [])
    if not isinstance(edges, list):
        raise ProjectFileError(f'{where}"edges": expected a list, received {_kind(edges)}')
    for i, raw in enumerate(edges):
        graph.edges.append(_read_edge(raw, f"{where}edges[{i}]", graph))
    return node_ui


def _read_blocks(raw: Any, graph: Graph) -> None:
    from .blocks import BlockDef, BlockParam, block_depth, definition_problems, name_problem

    if not isinstance(raw, list):
        raise ProjectFileError(f'"blocks": expected a list, received {_kind(raw)}')
    # Names first: a block may use another block defined after it.
    pending = []
    for i, b in enumerate(raw):
        where = f"blocks[{i}]"
        if not isinstance(b, dict):
            raise ProjectFileError(f"{where}: expected an object, received {_kind(b)}")
        name = b.get("name")
        if not isinstance(name, str):
            raise ProjectFileError(f"{where}.name: expected a string, received {_show(name)}")
        where = f"{where} ({name!r})"
        _no_unknown(b, _BLOCK, where)
        problem = name_problem(name, set(graph.blocks))
        if problem:
            raise ProjectFileError(f"{where}.name: {problem}")
        inner = Graph(name)
        inner.blocks = graph.blocks
        output = b.get("output")
        if not isinstance(output, str):
            raise ProjectFileError(f"{where}.output: expected a node id, received {_show(output)}")
        description = _opt_str(b, "description", f"{where}.", "")
        params = []
        raw_params = b.get("params", [])
        if not isinstance(raw_params, list):
            raise ProjectFileError(f"{where}.params: expected a list, received {_kind(raw_params)}")
        for j, p in enumerate(raw_params):
            pw = f"{where}.params[{j}]"
            if (not isinstance(p, dict) or set(p) != {"name", "targets"}
                    or not isinstance(p["name"], str) or not isinstance(p["targets"], list)
                    or not all(isinstance(t, list) and len(t) == 2
                               and all(isinstance(x, str) for x in t) for t in p["targets"])):
                raise ProjectFileError(f'{pw}: expected {{"name": str, "targets": [[node id, '
                                       f'parameter], ...]}}, received {_show(p)}')
            params.append(BlockParam(p["name"], tuple((t[0], t[1]) for t in p["targets"])))
        graph.blocks[name] = BlockDef(name, inner, output, params, description)
        pending.append((where, b, graph.blocks[name]))
    for where, b, defn in _inner_blocks_first(pending):
        _read_nodes_edges(b, defn.graph, f"{where}.")
        problems = definition_problems(defn)
        if problems:
            raise ProjectFileError(f"{where}: " + "; ".join(problems))
    for where, _b, defn in pending:
        try:
            depth = block_depth(graph, defn.name)
        except GraphEditError as e:
            raise ProjectFileError(f"{where}: {e}") from None
        if depth > 8:
            raise ProjectFileError(f"{where}: blocks are nested {depth} deep; at most 8")


def _inner_blocks_first(pending: list) -> list:
    """The blocks in an order where each is read after the blocks used inside it (a use's
    parameters come from its definition, so that must be read and checked first); a block
    that uses itself, directly or through others, is refused here."""
    from .walk import topological_order

    names = {defn.name for _, _, defn in pending}
    uses = []
    for where, b, defn in pending:
        nodes = b.get("nodes", [])
        for n in nodes if isinstance(nodes, list) else []:
            t = n.get("type") if isinstance(n, dict) else None
            if t == defn.name:
                raise ProjectFileError(f"{where}: a block cannot contain itself")
            if isinstance(t, str) and t in names:
                uses.append(Edge(t, defn.name))
    order = topological_order([defn.name for _, _, defn in pending], uses)
    if order is None:
        raise ProjectFileError("blocks: the blocks use each other in a loop; a block cannot "
                               "contain itself, directly or through another block")
    rank = {name: i for i, name in enumerate(order)}
    return sorted(pending, key=lambda item: rank[item[2].name])


def _read_node(raw: Any, where: str, graph: Graph) -> tuple[Node, dict[str, Any]]:
    if not isinstance(raw, dict):
        raise ProjectFileError(f"{where}: expected an object, received {_kind(raw)}")
    nid = raw.get("id")
    if not isinstance(nid, str) or not nid.strip():
        raise ProjectFileError(f'{where}.id: expected a non-empty string, received {_show(nid)}')
    if len(nid) > 200:
        raise ProjectFileError(f"{where}.id: at most 200 characters, received {len(nid)}")
    here = f"{where} ({nid!r})"
    _no_unknown(raw, _NODE, here)
    if nid in graph.nodes:
        raise ProjectFileError(f"{here}: the id {nid!r} is used by another node; ids must be unique")
    type_ = raw.get("type")
    if not isinstance(type_, str):
        raise ProjectFileError(f"{here}.type: expected a layer type name, received {_show(type_)}")
    canon = type_ if type_ in graph.blocks else canonical_type(type_)
    if canon is None:
        close = suggest(type_)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise ProjectFileError(f"{here}.type: unknown layer type {type_!r}{hint}")
    spec = graph.spec(canon)
    params_raw = raw.get("params", {})
    if not isinstance(params_raw, dict):
        raise ProjectFileError(f"{here}.params: expected an object, received {_kind(params_raw)}")
    params: dict[str, Any] = {}
    names = spec.param_names()
    for k, v in params_raw.items():
        if k not in names:
            if k in _INFERRED_ARGS:
                raise ProjectFileError(f"{here}.params.{k}: {k} is inferred from the incoming shape; "
                                       "remove it from the file")
            valid = ", ".join(names) or "none"
            raise ProjectFileError(f"{here}.params: {canon} has no parameter {k!r} (its "
                                   f"parameters: {valid})")
        try:
            params[k] = spec.param(k).coerce(v)
        except ParamError as e:
            raise ProjectFileError(f"{here}.params.{k}: {e}") from None
    position = raw.get("position")
    if position is not None:
        if (not isinstance(position, list) or len(position) != 2
                or not all(_is_number(v) for v in position)):
            raise ProjectFileError(f"{here}.position: expected [x, y] numbers, received {_show(position)}")
        position = (float(position[0]), float(position[1]))
    label = raw.get("label")
    if label is not None and not isinstance(label, str):
        raise ProjectFileError(f"{here}.label: expected a string, received {_show(label)}")
    trainable = raw.get("trainable", True)
    if not isinstance(trainable, bool):
        raise ProjectFileError(f"{here}.trainable: expected true or false, received {_show(trainable)}")
    ui = raw.get("ui", {})
    if not isinstance(ui, dict):
        raise ProjectFileError(f"{here}.ui: expected an object, received {_kind(ui)}")
    # an empty label is no label (the writer leaves it out, so it must read back the same)
    return Node(nid, canon, params, position, label or None, trainable), ui


_INFERRED_ARGS = {"in_channels", "in_features", "num_features", "input_size", "embed_dim",
                  "d_model", "num_channels"}


def _read_edge(raw: Any, where: str, graph: Graph) -> Edge:
    if not isinstance(raw, dict):
        raise ProjectFileError(f"{where}: expected an object, received {_kind(raw)}")
    _no_unknown(raw, _EDGE, where)
    ends = []
    for end in ("source", "target"):
        v = raw.get(end)
        if not isinstance(v, str):
            raise ProjectFileError(f"{where}.{end}: expected a node id, received {_show(v)}")
        if v not in graph.nodes:
            raise ProjectFileError(f"{where}.{end}: there is no node {v!r}")
        ends.append(v)
    port = raw.get("target_port", 0)
    if isinstance(port, bool) or not isinstance(port, int) or port < 0:
        raise ProjectFileError(f"{where}.target_port: expected a whole number >= 0, received {_show(port)}")
    if port > 10_000:
        raise ProjectFileError(f"{where}.target_port: {port} is not a plausible port number")
    return Edge(ends[0], ends[1], port)


def _no_unknown(obj: dict, allowed: set[str], where: str) -> None:
    for k in obj:
        if k not in allowed:
            place = f"{where}: " if where else ""
            raise ProjectFileError(f"{place}unknown key {k!r} (known keys: {', '.join(sorted(allowed))})")


def _opt_str(obj: dict, key: str, where: str, default: str) -> str:
    v = obj.get(key, default)
    if not isinstance(v, str):
        raise ProjectFileError(f'{where}"{key}": expected a string, received {_show(v)}')
    return v


def _is_number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, int | float) and v == v and abs(v) < 1e12


# -- writing ---------------------------------------------------------------------------

def project_to_dict(project: Project) -> dict[str, Any]:
    g = project.graph
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": g.name}
    if project.description:
        out["description"] = project.description
    used = _blocks_in_use(g)
    if used:
        out["blocks"] = [block_to_dict(g.blocks[name]) for name in used]
    out["nodes"] = [_node_dict(g, n, project.node_ui.get(n.id)) for n in g.nodes.values()]
    out["edges"] = [_edge_dict(e) for e in g.edges]
    if project.training is not None:
        out["training"] = project.training
    if project.ui:
        out["ui"] = project.ui
    if project.assignment is not None:
        out["assignment"] = {"fingerprint": project.assignment["fingerprint"],
                             "student": project.assignment["student"]}
    return out


def _blocks_in_use(g: Graph) -> list[str]:
    """Every block definition the project holds, in definition order (kept even when unused:
    a block in the palette is part of the user's work)."""
    return list(g.blocks)


def block_to_dict(defn: Any, positions: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {"name": defn.name}
    if defn.description:
        d["description"] = defn.description
    d["output"] = defn.output
    if defn.params:
        d["params"] = [{"name": p.name, "targets": [list(t) for t in p.targets]}
                       for p in defn.params]
    nodes = []
    for n in defn.graph.nodes.values():
        nd = _node_dict(defn.graph, n, None)
        if not positions:
            nd.pop("position", None)
        nodes.append(nd)
    d["nodes"] = nodes
    d["edges"] = [_edge_dict(e) for e in defn.graph.edges]
    return d


def _node_dict(g: Graph, n: Node, ui: dict | None) -> dict[str, Any]:
    spec = g.spec(n.type)
    d: dict[str, Any] = {"id": n.id, "type": n.type}
    if n.params:
        d["params"] = {k: spec.param(k).to_json(n.params[k]) for k in spec.param_names()
                       if k in n.params}
    if n.label:
        d["label"] = n.label
    if n.position is not None:
        d["position"] = [_round(n.position[0]), _round(n.position[1])]
    if not n.trainable:   # written only when frozen: files without frozen layers are unchanged
        d["trainable"] = False
    if ui:
        d["ui"] = ui
    return d


def _edge_dict(e: Edge) -> dict[str, Any]:
    d: dict[str, Any] = {"source": e.source, "target": e.target}
    if e.target_port:
        d["target_port"] = e.target_port
    return d


def _round(v: float) -> float | int:
    r = round(float(v), 1)
    return int(r) if r.is_integer() else r


def dumps_project(project: Project, *, ascii_only: bool = False) -> str:
    """Deterministic JSON text: one node or edge per line.

    Text is written as UTF-8 characters; a string that cannot be encoded (a lone surrogate
    escape read from a file) makes the whole file fall back to \\u escapes.
    """
    text = _dumps(project_to_dict(project), ascii_only)
    if not ascii_only:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _dumps(project_to_dict(project), True)
    return text


def _dumps(d: dict[str, Any], ascii_only: bool) -> str:
    lines = ["{"]
    items = list(d.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if k in ("nodes", "edges"):
            lines += _list_lines(k, v, "  ", comma, ascii_only)
        elif k == "blocks":
            lines.append(f'  "{k}": [')
            for j, block in enumerate(v):
                lines.append("    {")
                keys = list(block)
                for m, bk in enumerate(keys):
                    c = "," if m < len(keys) - 1 else ""
                    if bk in ("nodes", "edges"):
                        lines += _list_lines(bk, block[bk], "      ", c, ascii_only)
                    else:
                        lines.append(f'      "{bk}": {json.dumps(block[bk], ensure_ascii=ascii_only)}{c}')
                lines.append("    }" + ("," if j < len(v) - 1 else ""))
            lines.append(f"  ]{comma}")
        else:
            body = json.dumps(v, indent=2, ensure_ascii=ascii_only).replace("\n", "\n  ")
            lines.append(f'  "{k}": {body}{comma}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _list_lines(key: str, items: list, indent: str, comma: str, ascii_only: bool) -> list[str]:
    if not items:
        return [f'{indent}"{key}": []{comma}']
    out = [f'{indent}"{key}": [']
    for j, item in enumerate(items):
        c = "," if j < len(items) - 1 else ""
        out.append(indent + "  " + json.dumps(item, ensure_ascii=ascii_only) + c)
    out.append(f"{indent}]{comma}")
    return out


FRAGMENT_FORMAT = "netbuilder-clipboard"


def fragment_to_dict(graph: Graph, ids: Any) -> dict[str, Any]:
    """Some nodes of ``graph`` and the wires between them, in the project file's node and
    edge schema (the clipboard: copy, paste, duplicate)."""
    sub = graph.subgraph(ids)
    return {"format": FRAGMENT_FORMAT, "version": 1,
            "nodes": [_node_dict(graph, n, None) for n in sub.nodes.values()],
            "edges": [_edge_dict(e) for e in sub.edges]}


def fragment_from_dict(data: Any, graph: Graph) -> tuple[list[Node], list[Edge]]:
    """The nodes and wires of a fragment, read as strictly as a project file's (types may be
    ``graph``'s blocks); their ids are the fragment's own. ProjectFileError names what is wrong."""
    if not isinstance(data, dict) or data.get("format") != FRAGMENT_FORMAT:
        raise ProjectFileError("this is not netbuilder clipboard data")
    scratch = Graph(graph.name)
    scratch.blocks = graph.blocks
    _read_nodes_edges({"nodes": data.get("nodes", []), "edges": data.get("edges", [])},
                      scratch, "")
    return list(scratch.nodes.values()), list(scratch.edges)


def save_project(project: Project, path: str | Path) -> None:
    """Write atomically: a crash mid-save never leaves a half-written project.

    WriteError (an OSError) names the file and says why; the previous file is unchanged."""
    atomic.write_text(path, dumps_project(project), make_folder=False)


def fingerprint(graph: Graph) -> str:
    """A hash of what determines the network's weights: types, parameters and wiring.

    Positions, labels and the name do not count, so moving a node keeps checkpoints valid.
    """
    def params(n: Node) -> list:
        spec = graph.spec(n.type)
        return sorted([k, spec.param(k).to_json(v)] for k, v in spec.full_params(n.params).items())

    canon = {
        "blocks": sorted([name, b.token()] for name, b in graph.blocks.items()),
        "nodes": sorted([n.id, n.type, params(n)] for n in graph.nodes.values()),
        "edges": sorted([e.source, e.target, e.target_port] for e in graph.edges),
    }
    return hashlib.sha256(json.dumps(canon, sort_keys=True).encode()).hexdigest()[:16]
