"""The open document: a project, its latest analysis, and the change notifications views follow.

Edits go through the document's primitive methods (add, remove, connect, set_param, move,
...). Each call, or a batch of calls in ``with doc.batch():``, ends with one re-analysis and
one ``Change`` sent to every subscriber, so views redraw once per gesture. Undo lives above
this (ui/commands.py): an undo command replays these same primitives with stored plain data,
so undo and redo travel the same road as the edit itself.

While training runs the document is ``locked``: edits raise ``GraphEditError`` with a reason.
An assignment's locks (``edit_locks``, graph/edit_locks.py) are checked the same way, edit by
edit: a locked node cannot be deleted, a locked parameter keeps its value, a forbidden layer
type cannot be added; edits that change many things at once (blocks, restoring a snapshot) are
checked on the whole result and taken back when it breaks a lock. Undo replays these same
primitives, so it cannot bring back what the edit itself could not do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import Analysis, Analyzer
from .edit_locks import UNSET, EditLocks
from .errors import GraphEditError
from .model import Edge, Graph, Node
from .project import Project


@dataclass
class Change:
    """What an edit touched. ``structure``: nodes or wires were added or removed."""

    structure: bool = False
    nodes: set[str] = field(default_factory=set)    # nodes whose data changed
    moved: set[str] = field(default_factory=set)    # nodes whose position changed only
    reset: bool = False                             # a whole new project
    meta: bool = False                              # name, description or training settings
    blocks: set[str] = field(default_factory=set)   # blocks whose inside was rebuilt wholesale
    lock: bool = False                              # editing was locked or unlocked


Listener = Callable[[Change], None]


class Document:
    def __init__(self, project: Project | None = None, path: Path | None = None) -> None:
        self.project = project or Project(Graph("Untitled"))
        self.path = path
        self._locked_reason: str | None = None
        self.edit_locks: EditLocks | None = None   # an assignment's locks (graph/edit_locks.py)
        self._analyzer = Analyzer()
        self.analysis: Analysis = self._analyzer.run(self.graph)
        self._listeners: list[Listener] = []
        self._depth = 0
        self._pending = Change()
        # Every block rename, in order (undo appends the way back): an open view of a block
        # follows its block through them (block_document.py BlockDocument.name).
        self.block_renames: list[tuple[str, str]] = []

    @property
    def graph(self) -> Graph:
        return self.project.graph

    @property
    def root(self) -> Document:
        """The document of the whole project (a block's inside answers its parent's root)."""
        return self

    @property
    def block_name(self) -> str | None:
        """The block whose inside this document edits; None for the network itself."""
        return None

    @property
    def scope_suffix(self) -> str:
        """Words an edit's label ends with to say where it happened: nothing for the main
        network; " in BasicBlock" for a block opened for editing (block_document.py)."""
        return ""

    # -- notifications -------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group edits: one analysis and one Change at the end of the outermost batch."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._flush()

    def _flush(self) -> None:
        change, self._pending = self._pending, Change()
        if not (change.structure or change.nodes or change.moved or change.reset or change.meta
                or change.lock):
            return
        if change.structure or change.nodes or change.reset:
            self.analysis = self._analyzer.run(self.graph)
        for listener in list(self._listeners):
            listener(change)

    def _touch(self, *, structure: bool = False, nodes: set[str] | None = None,
               moved: set[str] | None = None) -> None:
        self._pending.structure |= structure
        self._pending.nodes |= nodes or set()
        self._pending.moved |= moved or set()
        if self._depth == 0:
            self._flush()

    def _check_unlocked(self) -> None:
        if self.locked_reason:
            raise GraphEditError(f"editing is locked: {self.locked_reason}")
        block = self.block_name
        if block is not None:             # inside a block a locked layer uses: no edit
            root = self.root
            if root.edit_locks:
                self._refuse(root.edit_locks.refuse_block_edit(root.graph, block))

    @property
    def locked_reason(self) -> str | None:
        """Why edits are refused now (training runs), or None: the one lock every view reads."""
        return self._locked_reason

    def set_locked(self, reason: str | None) -> None:
        """Lock edits (e.g. "training is running; stop it to edit") or unlock with None;
        listeners hear it as a ``Change`` with ``lock`` set."""
        if reason == self._locked_reason:
            return
        self._locked_reason = reason
        self._pending.lock = True
        if self._depth == 0:
            self._flush()

    # -- an assignment's locks -------------------------------------------------------------
    def _node_locks(self) -> EditLocks | None:
        """The locks on this graph's node ids: the network's own, none inside a block
        (its ids name the block's layers, not the network's)."""
        return self.edit_locks if self.root is self else None

    def _refuse(self, reason: str | None) -> None:
        if reason:
            raise GraphEditError(reason)

    def _check_locks_after(self, before: dict[str, Any]) -> None:
        """After an edit of many things: if the project now breaks a lock, put it back as it
        was (``before``, a ``snapshot``) and refuse with the first lock broken."""
        root = self.root
        locks = root.edit_locks
        problems = locks.problems(root.graph) if locks else []
        if problems:
            root._put_back(before)
            raise GraphEditError(problems[0])

    # -- primitive edits -------------------------------------------------------------------
    def add_node(self, node: Node) -> Node:
        self._check_unlocked()
        locks = self.root.edit_locks
        if locks:
            self._refuse(locks.refuse_add(node.type, node.id, self.block_name))
        self.graph.add_node(node)
        self._touch(structure=True, nodes={node.id})
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        self._check_unlocked()
        locks = self._node_locks()
        if locks:
            self._refuse(locks.refuse_remove(node_id))
        out = self.graph.remove_node(node_id)
        self.project.node_ui.pop(node_id, None)
        self._touch(structure=True, nodes={node_id})
        return out

    def connect(self, source: str, target: str, target_port: int | None = None) -> Edge:
        self._check_unlocked()
        edge = self.graph.connect(source, target, target_port)
        self._touch(structure=True, nodes={target})
        return edge

    def restore_edge(self, edge: Edge, index: int | None = None) -> None:
        """Put back a wire exactly as it was (for undo), without the edit-time checks;
        ``index``: its place in the list of wires, as it was."""
        self._check_unlocked()
        if edge not in self.graph.edges:
            if index is None:
                self.graph.edges.append(edge)
            else:
                self.graph.edges.insert(index, edge)
        self._touch(structure=True, nodes={edge.target})

    def disconnect(self, edge: Edge) -> None:
        self._check_unlocked()
        self.graph.disconnect(edge)
        self._touch(structure=True, nodes={edge.target})

    def set_param(self, node_id: str, name: str, value: Any) -> tuple[bool, Any]:
        self._check_unlocked()
        locks = self._node_locks()
        if locks:
            self._refuse(locks.refuse_param(self.graph, node_id, name, value))
        before = self.graph.set_param(node_id, name, value)
        self._touch(nodes={node_id})
        return before

    def unset_param(self, node_id: str, name: str) -> None:
        self._check_unlocked()
        locks = self._node_locks()
        if locks:
            self._refuse(locks.refuse_param(self.graph, node_id, name, UNSET))
        self.graph.unset_param(node_id, name)
        self._touch(nodes={node_id})

    def set_label(self, node_id: str, label: str | None) -> str | None:
        self._check_unlocked()
        node = self.graph.node(node_id)
        old, node.label = node.label, (label or None)
        self._touch(nodes={node_id})
        return old

    def set_trainable(self, flags: dict[str, bool]) -> dict[str, bool]:
        """Freeze (False) or unfreeze (True) nodes; returns their flags before, for undo."""
        self._check_unlocked()
        old = {nid: self.graph.node(nid).trainable for nid in flags}
        for nid, flag in flags.items():
            self.graph.node(nid).trainable = bool(flag)
        self._touch(nodes=set(flags))
        return old

    def move_nodes(self, positions: dict[str, tuple[float, float]]) -> None:
        """Moving never changes the network, so it is allowed while training."""
        for nid, pos in positions.items():
            self.graph.node(nid).position = (float(pos[0]), float(pos[1]))
        self._touch(moved=set(positions))

    def set_name(self, name: str) -> None:
        self._check_unlocked()
        self.graph.name = name
        self._touch_meta()

    def set_description(self, text: str) -> None:
        """The project's description (what the network is, for whoever opens it); it does
        not change the network, so it may be edited while training."""
        self.project.description = text
        self._touch_meta()

    def set_training(self, settings: dict[str, Any] | None) -> None:
        """Store the training settings that are saved with the project (plain data)."""
        self.project.training = settings
        self._touch_meta()

    def _touch_meta(self) -> None:
        self._pending.meta = True
        if self._depth == 0:
            self._flush()

    # -- blocks ----------------------------------------------------------------------------
    def make_block(self, node_ids: list[str], name: str, description: str = "") -> str:
        """Group a selection into a new block and put one use in its place; the use's id."""
        from .blocks import make_block

        self._check_unlocked()
        locks = self._node_locks()
        held = [nid for nid in node_ids if locks and locks.node_locked(nid)]
        if held:
            raise GraphEditError(f"'{held[0]}' is locked by the assignment: it cannot be grouped "
                                 "into a block")
        before = self.root.snapshot() if self.root.edit_locks else None
        use = make_block(self.graph, node_ids, name, description=description)
        if before is not None:
            self._check_locks_after(before)
        self._touch(structure=True, nodes={use, *node_ids})
        return use

    def ungroup(self, use_id: str) -> list[str]:
        from .blocks import ungroup

        self._check_unlocked()
        before = self.root.snapshot() if self.root.edit_locks else None
        ids = ungroup(self.graph, use_id)
        if before is not None:
            self._check_locks_after(before)
        self._touch(structure=True, nodes={use_id, *ids})
        return ids

    def block_changed(self, name: str) -> None:
        """The inside of a block was edited: every use is re-checked (and every use of a
        block that uses it inside)."""
        from .blocks import containing_blocks

        names = {name} | containing_blocks(self.graph, name)
        for b in names:
            self.graph.blocks[b].touch()
        uses = {nid for nid, n in self.graph.nodes.items() if n.type in names}
        self._touch(structure=True, nodes=uses)

    def rename_block(self, old: str, new: str) -> None:
        """Rename a block everywhere it is used (``block_defs.rename_block``)."""
        from .block_defs import rename_block

        self._check_unlocked()
        before = self.snapshot() if self.edit_locks else None
        rename_block(self.graph, old, new)
        if before is not None:
            self._check_locks_after(before)
        if new != old:
            self.block_renames.append((old, new))
        uses = {nid for nid, n in self.graph.nodes.items() if n.type == new}
        self._touch(structure=True, nodes=uses)

    def delete_block(self, name: str, *, ungroup_uses: bool = False) -> dict[str, list[str]]:
        """Delete a block (ungrouping its uses first if asked); for each use in the network,
        the layers that replaced it (``block_defs.delete_block``)."""
        from .block_defs import delete_block, find_uses

        self._check_unlocked()
        rebuilt = set(find_uses(self.graph, name).inside)
        before = self.snapshot() if self.edit_locks else None
        replaced = delete_block(self.graph, name, ungroup_uses=ungroup_uses)
        if before is not None:
            self._check_locks_after(before)
        self._pending.blocks |= rebuilt
        self._touch(structure=True, nodes={n for ids in replaced.values() for n in ids}
                    | set(replaced))
        return replaced

    def snapshot(self) -> dict[str, Any]:
        """The whole project as plain data (for undo of compound edits such as grouping)."""
        from .project import project_to_dict

        return project_to_dict(self.project)

    def restore(self, state: dict[str, Any]) -> None:
        """Return to a ``snapshot``; the file path and view state stay."""
        from .project import project_from_dict

        self._check_unlocked()
        restored = project_from_dict(state)
        if self.edit_locks:
            self._refuse(next(iter(self.edit_locks.problems(restored.graph)), None))
        self.project.graph = restored.graph
        self.project.node_ui = restored.node_ui
        self._pending.reset = True
        self._touch(structure=True)

    def set_edit_locks(self, locks: EditLocks | None) -> None:
        """Put an assignment's locks on the open project (a student's saved work, opened
        again); the caller has checked the project keeps them. Views redraw every card."""
        self.edit_locks = locks or None
        self._pending.reset = True
        self._touch(structure=True)

    def _put_back(self, state: dict[str, Any]) -> None:
        """Return to a ``snapshot`` without asking the locks (taking back a refused edit)."""
        from .project import project_from_dict

        restored = project_from_dict(state)
        self.project.graph = restored.graph
        self.project.node_ui = restored.node_ui
        self._pending.reset = True
        self._touch(structure=True)

    def replace_project(self, project: Project, path: Path | None = None,
                        locks: EditLocks | None = None) -> None:
        """Open another project (New, Open, Examples, restore): views rebuild everything.
        ``locks``: an assignment's locks on it (none for a plain project)."""
        self.project = project
        self.path = path
        self._pending.lock = self._locked_reason is not None
        self._locked_reason = None
        self.edit_locks = locks or None
        self._pending.reset = True
        self._pending.structure = True
        if self._depth == 0:
            self._flush()
