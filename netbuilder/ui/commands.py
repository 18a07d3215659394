"""Undoable edits: each QUndoCommand replays Document primitives with stored ids and plain data.

Commands never hold graphics items or widgets, so undo cannot break when views rebuild
(the NodeGraphQt failure the architecture guide warns about). Every command runs its
Document calls inside one ``doc.batch()``: one analysis and one Change per step.

When the Document refuses (a cycle, a taken port, a locked document, a wrong type), the
command undoes what it had done, marks itself obsolete so QUndoStack drops it, keeps the
reason in ``cmd.error`` and announces it on ``command_events.failed``. Use ``push`` to get the
reason back directly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..graph import jsonfile
from ..graph.document import Document
from ..graph.errors import GraphEditError, NetbuilderError, ProjectFileError
from ..graph.layout import layered_layout
from ..graph.model import Edge, Node
from ..graph.project import FRAGMENT_FORMAT, fragment_from_dict, fragment_to_dict
from ..graph.words import plural

Pos = tuple[float, float]


class CommandEvents(QObject):
    """Failures of commands, wherever they were pushed, undone or redone from."""

    failed = Signal(str)


command_events = CommandEvents()


def push(stack: QUndoStack, cmd: EditCommand) -> str | None:
    """Push ``cmd``; return the reason when the document refused it (then nothing changed)."""
    stack.push(cmd)
    return cmd.error


class EditCommand(QUndoCommand):
    """Base: runs ``_do``/``_undo`` in a batch, rolling back and reporting on refusal."""

    def __init__(self, doc: Document, text: str = "") -> None:
        # Inside a block the text says where: "Change stride of conv1 in BasicBlock".
        super().__init__(text + doc.scope_suffix)
        self.doc = doc
        self.error: str | None = None
        self._rollback: list[Callable[[], Any]] = []

    # Subclasses implement these with Document calls only, registering inverse steps
    # with ``self._step(undo_fn)`` after each successful call.
    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def _step(self, inverse: Callable[[], Any]) -> None:
        self._rollback.append(inverse)

    def _run(self, fn: Callable[[], None]) -> bool:
        self._rollback = []
        try:
            with self.doc.batch():
                try:
                    fn()
                except NetbuilderError:
                    for inverse in reversed(self._rollback):
                        inverse()
                    raise
        except NetbuilderError as exc:
            self.error = str(exc)
            self.setObsolete(True)
            command_events.failed.emit(self.error)
            return False
        return True

    def redo(self) -> None:
        if not self.isObsolete():
            self._run(self._do)

    def undo(self) -> None:
        self._run(self._undo)


# -- nodes -------------------------------------------------------------------------------

class AddNode(EditCommand):
    """Add a layer; with ``after``, wire that node's output into it in the same step."""

    def __init__(self, doc: Document, type_name: str, position: Pos,
                 after: str | None = None, params: dict[str, Any] | None = None) -> None:
        spec = doc.graph.spec(type_name)     # a layer type or one of the project's blocks
        super().__init__(doc, f"Add {spec.type}")
        self.node_id = doc.graph.new_id(spec.type)
        self.type = spec.type
        self.position = (float(position[0]), float(position[1]))
        self.params = dict(params or {})
        self.after = after if (after and spec.inputs > 0) else None
        self.edge: Edge | None = None

    def _do(self) -> None:
        node = Node(self.node_id, self.type, dict(self.params), self.position)
        self.doc.add_node(node)
        self._step(lambda: self.doc.remove_node(self.node_id))
        if self.after is not None:
            self.edge = self.doc.connect(self.after, self.node_id, 0)

    def _undo(self) -> None:
        self.doc.remove_node(self.node_id)


class _Snapshot:
    """Plain data to put nodes and wires back exactly: the nodes in graph order, and every
    wire removed with its place in the list of wires (so undo restores the file as it was)."""

    def __init__(self, doc: Document, ids: Iterable[str], edges: Iterable[Edge] = ()) -> None:
        g = doc.graph
        self.ids = [i for i in g.nodes if i in set(ids)]  # graph order
        self.nodes = [g.nodes[i].copy() for i in self.ids]
        chosen, loose = set(self.ids), set(edges)
        # (index, edge) for the wires of the chosen nodes and the loose wires chosen with them
        self.placed = [(i, e) for i, e in enumerate(g.edges)
                       if e.source in chosen or e.target in chosen or e in loose]
        self.edges = [e for _i, e in self.placed]
        self.loose = [e for e in self.edges if e.source not in chosen and e.target not in chosen]

    def remove(self, cmd: EditCommand) -> None:
        doc = cmd.doc
        for e in self.loose:
            doc.disconnect(e)
            cmd._step(lambda e=e: doc.restore_edge(e))
        # Inverse steps run in reverse: nodes come back first, then the wires between them.
        cmd._step(lambda: [doc.restore_edge(e) for e in self.edges
                           if e.source in doc.graph.nodes and e.target in doc.graph.nodes])
        for node in self.nodes:
            doc.remove_node(node.id)
            cmd._step(lambda n=node: self._put_back(doc, [n], []))

    def restore(self, doc: Document) -> None:
        for node in self.nodes:
            doc.add_node(node.copy())
        for index, e in self.placed:           # ascending: each goes back to its own place
            doc.restore_edge(e, index)

    @staticmethod
    def _put_back(doc: Document, nodes: list[Node], edges: list[Edge]) -> None:
        for node in nodes:
            doc.add_node(node.copy())
        for e in edges:
            doc.restore_edge(e)


class RemoveNodes(EditCommand):
    """Delete a selection of layers with all their wires, and any other selected wires, as
    one step: "Delete conv1", "Delete 3 layers", "Delete conv1 and 1 wire"."""

    def __init__(self, doc: Document, ids: Iterable[str], edges: Iterable[Edge] = ()) -> None:
        self.snap = _Snapshot(doc, ids, edges)
        n = len(self.snap.ids)
        what = self.snap.ids[0] if n == 1 else plural(n, "layer")
        if self.snap.loose:
            what += f" and {plural(len(self.snap.loose), 'wire')}"
        super().__init__(doc, f"Delete {what}")

    def _do(self) -> None:
        self.snap.remove(self)

    def _undo(self) -> None:
        self.snap.restore(self.doc)


# -- wires -------------------------------------------------------------------------------

class Connect(EditCommand):
    """Wire ``source``'s output into ``target``. An input that is already wired takes the
    new wire in place of the old one, as in node editors: one step, whose undo puts the
    old wire back. A wire that would close a loop is still refused."""

    def __init__(self, doc: Document, source: str, target: str, port: int | None = None) -> None:
        self.source, self.target, self.port = source, target, port
        self.edge: Edge | None = None
        self.replaced: tuple[Edge, int] | None = None   # the old wire and its place in the list
        _port, old = self._aim(doc)
        text = f"Connect {source} → {target}"
        if old is not None and old.source != source:
            text += f" (replacing {old.source} → {target})"
        super().__init__(doc, text)

    def _aim(self, doc: Document) -> tuple[int | None, Edge | None]:
        """The input port the wire goes to, and the wire there now (if any)."""
        port = self.port
        graph = doc.graph
        if port is None and self.target in graph.nodes:
            # A full single-input layer: its input 0 takes the new wire.
            spec = graph.spec_of(self.target)
            if not spec.variadic and spec.inputs and graph.free_port(self.target) >= spec.inputs:
                port = 0
        old = next((e for e in graph.edges if e.target == self.target and e.target_port == port),
                   None) if port is not None else None
        return port, old

    def _do(self) -> None:
        port, old = self._aim(self.doc)
        graph = self.doc.graph
        if old is not None:
            if old.source == self.source:
                raise GraphEditError(f"input {port} of '{self.target}' is already wired to "
                                     f"'{self.source}'")
            if graph.would_cycle(self.source, self.target):
                raise GraphEditError(
                    f"wiring '{self.source}' into '{self.target}' would make a loop "
                    f"('{self.target}' already feeds '{self.source}'); networks here flow one way")
            index = graph.edges.index(old)
            self.doc.disconnect(old)
            self._step(lambda: self.doc.restore_edge(old, index))
            self.replaced = (old, index)
        self.edge = self.doc.connect(self.source, self.target, port)
        self.port = self.edge.target_port  # redo after undo uses the same port

    def _undo(self) -> None:
        assert self.edge is not None
        self.doc.disconnect(self.edge)
        if self.replaced is not None:
            self.doc.restore_edge(*self.replaced)


class Disconnect(EditCommand):
    """Remove one or more wires (a wire's Delete, a node's 'Disconnect all')."""

    def __init__(self, doc: Document, edges: Iterable[Edge]) -> None:
        self.edges = list(dict.fromkeys(edges))
        if len(self.edges) == 1:
            e = self.edges[0]
            text = f"Disconnect {e.source} → {e.target}"
        else:
            text = f"Disconnect {plural(len(self.edges), 'wire')}"
        super().__init__(doc, text)

    def _do(self) -> None:
        for e in self.edges:
            self.doc.disconnect(e)
            self._step(lambda e=e: self.doc.restore_edge(e))

    def _undo(self) -> None:
        for e in self.edges:
            self.doc.restore_edge(e)


# -- parameters and labels -----------------------------------------------------------------

class SetParam(EditCommand):
    """Set one parameter; consecutive edits of the same parameter merge into one step."""

    ID = 0x5E7

    def __init__(self, doc: Document, node_id: str, name: str, value: Any) -> None:
        super().__init__(doc, f"Change {name} of {node_id}")
        self.node_id, self.name, self.value = node_id, name, value
        node = doc.graph.node(node_id)
        self.before = (name in node.params, node.params.get(name))

    def _do(self) -> None:
        self.doc.set_param(self.node_id, self.name, self.value)

    def _undo(self) -> None:
        was_set, old = self.before
        if was_set:
            self.doc.set_param(self.node_id, self.name, old)
        else:
            self.doc.unset_param(self.node_id, self.name)

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (not isinstance(other, SetParam) or other.error is not None or self.isObsolete()
                or other.doc is not self.doc
                or (other.node_id, other.name) != (self.node_id, self.name)):
            return False
        self.value = other.value
        # Typing back to where it started leaves nothing to undo.
        node = self.doc.graph.nodes.get(self.node_id)
        if node is not None and self.before == (self.name in node.params,
                                                node.params.get(self.name)):
            self.setObsolete(True)
        return True


class SetLabel(EditCommand):
    def __init__(self, doc: Document, node_id: str, label: str | None) -> None:
        super().__init__(doc, f"Rename {node_id}")
        self.node_id = node_id
        self.label = (label or "").strip() or None
        self.old = doc.graph.node(node_id).label

    def _do(self) -> None:
        self.doc.set_label(self.node_id, self.label)

    def _undo(self) -> None:
        self.doc.set_label(self.node_id, self.old)


class SetTrainable(EditCommand):
    """Freeze or unfreeze layers (the Inspector's Trainable box, "Freeze up to here")."""

    def __init__(self, doc: Document, flags: dict[str, bool], text: str | None = None) -> None:
        frozen = not all(flags.values())
        super().__init__(doc, text or f"{'Freeze' if frozen else 'Unfreeze'} {', '.join(flags)}")
        self.flags = dict(flags)
        self.old = {nid: doc.graph.node(nid).trainable for nid in flags}

    def _do(self) -> None:
        self.doc.set_trainable(self.flags)

    def _undo(self) -> None:
        self.doc.set_trainable(self.old)


class SetName(EditCommand):
    """Rename the network (the exported class and the window title follow)."""

    def __init__(self, doc: Document, name: str) -> None:
        super().__init__(doc, f"Rename the network to {name.strip()}")
        self.name = name.strip()
        self.old = doc.graph.name

    def _do(self) -> None:
        self.doc.set_name(self.name)

    def _undo(self) -> None:
        self.doc.set_name(self.old)


class SetDescription(EditCommand):
    """Edit the project's description (shown in the inspector when nothing is selected)."""

    def __init__(self, doc: Document, text: str) -> None:
        super().__init__(doc, "Edit description")
        self.text = text.strip()
        self.old = doc.project.description

    def _do(self) -> None:
        self.doc.set_description(self.text)

    def _undo(self) -> None:
        self.doc.set_description(self.old)


# -- positions -----------------------------------------------------------------------------

class MoveNodes(EditCommand):
    """One drag: where the nodes were (as shown) and where they went."""

    def __init__(self, doc: Document, before: dict[str, Pos], after: dict[str, Pos],
                 text: str | None = None) -> None:
        n = len(after)
        default = f"Move {next(iter(after))}" if n == 1 else f"Move {plural(n, 'layer')}"
        super().__init__(doc, text or default)
        self.before = {k: (float(v[0]), float(v[1])) for k, v in before.items()}
        self.after = {k: (float(v[0]), float(v[1])) for k, v in after.items()}

    def _do(self) -> None:
        self.doc.move_nodes(self.after)

    def _undo(self) -> None:
        self.doc.move_nodes(self.before)


class AutoLayout(MoveNodes):
    """Tidy the whole graph left to right (``graph.layout.layered_layout``)."""

    def __init__(self, doc: Document, shown: dict[str, Pos] | None = None,
                 wrap: int | None = None, dx: float = 240.0, dy: float = 140.0) -> None:
        before = dict(shown or {})
        for nid, node in doc.graph.nodes.items():
            if nid not in before and node.position is not None:
                before[nid] = node.position
        after = layered_layout(doc.graph, dx=dx, dy=dy, wrap=wrap)
        for nid in after:
            before.setdefault(nid, after[nid])
        super().__init__(doc, before, after, "Auto layout")


# -- clipboard -----------------------------------------------------------------------------
# The clipboard holds a fragment in the project file's own node schema (graph/project.py).

def clipboard_payload(doc: Document, ids: Iterable[str]) -> dict[str, Any]:
    """Plain JSON data for the selected nodes and the wires between them."""
    return fragment_to_dict(doc.graph, ids)


def clipboard_text(doc: Document, ids: Iterable[str]) -> str:
    return json.dumps(clipboard_payload(doc, ids))


def parse_clipboard(text: str) -> dict[str, Any] | None:
    """The payload in ``text``, or None when the clipboard holds something else."""
    try:
        data = jsonfile.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != FRAGMENT_FORMAT:
        return None
    return data


class Paste(EditCommand):
    """Insert copied layers with fresh ids, keeping relative positions and inner wires."""

    def __init__(self, doc: Document, payload: dict[str, Any], offset: Pos = (40.0, 40.0),
                 verb: str = "Paste") -> None:
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.new_ids: list[str] = []
        self._first_source = ""
        problem = self._read(doc, payload, offset)
        n = len(self.nodes)
        what = self._first_source if n == 1 else plural(n, "layer")
        super().__init__(doc, f"{verb} {what}")
        self._problem = problem

    def _read(self, doc: Document, payload: dict[str, Any], offset: Pos) -> str | None:
        try:
            nodes, edges = fragment_from_dict(payload, doc.graph)
        except ProjectFileError as exc:
            return f"cannot paste: the clipboard data is damaged ({exc})"
        mapping: dict[str, str] = {}
        taken = set(doc.graph.nodes)
        for i, node in enumerate(nodes):
            new_id = doc.graph.new_id(node.id, taken)
            taken.add(new_id)
            mapping[node.id] = new_id
            x, y = node.position or (40.0 * i, 0.0)
            self.nodes.append(Node(new_id, node.type, node.params, (x + offset[0], y + offset[1]),
                                   node.label, node.trainable))
        self._first_source = nodes[0].id if nodes else ""
        self.edges = [Edge(mapping[e.source], mapping[e.target], e.target_port) for e in edges]
        self.new_ids = [n.id for n in self.nodes]
        return None

    def _do(self) -> None:
        if self._problem:
            raise GraphEditError(self._problem)
        if not self.nodes:
            raise GraphEditError("nothing to paste: copy some layers first")
        for node in self.nodes:
            self.doc.add_node(node.copy())
            self._step(lambda nid=node.id: self.doc.remove_node(nid))
        for e in self.edges:
            self.doc.restore_edge(e)

    def _undo(self) -> None:
        for nid in reversed(self.new_ids):
            self.doc.remove_node(nid)


class Duplicate(Paste):
    def __init__(self, doc: Document, ids: Iterable[str], offset: Pos = (40.0, 40.0)) -> None:
        super().__init__(doc, clipboard_payload(doc, ids), offset, verb="Duplicate")
