"""The inspector's block parts: a use's buttons and counts, notes on the settings inside.

A use of a block gets "Open Block", "Ungroup" and "Rename..." (the block, for every use)
buttons and how often the block is used.
Inside a block (a ``BlockDocument``), a setting that the block exposes is set by each use, so
its box is read-only here with a note naming the block's setting and the shown use's value;
an Input inside takes whatever flows into the use, which the note says too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...graph.blocks import uses_of
from ...graph.document import Document
from ...graph.tensor import fmt_shape
from ...graph.words import plural


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("inspector_block_note")
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


def add_use_section(layout: QVBoxLayout, doc: Document, node_id: str,
                    open_block: Callable[[str], None],
                    ungroup: Callable[[str], None],
                    rename: Callable[[str], None]) -> list[QPushButton]:
    """Buttons under the header of a block use; returns them (they lock while training)."""
    node = doc.graph.nodes[node_id]
    defn = doc.graph.blocks[node.type]
    n_uses = len(uses_of(doc.graph, node.type))
    inner = len(defn.graph.nodes) - len(defn.inputs)
    n_in = len(defn.inputs)
    size = f"{inner} layers, {plural(n_in, 'input')} · " if defn.description else ""
    layout.addWidget(_note(
        f"{size}Used {plural(n_uses, 'time')} here. Editing its inside "
        "changes every use; the settings below are this use's own."))
    row = QHBoxLayout()
    open_button = QPushButton("Open Block")
    open_button.setObjectName("inspector_open_block")
    open_button.setToolTip("Show and edit the layers inside (double-click the card, or Enter)")
    open_button.clicked.connect(lambda: open_block(node_id))
    ungroup_button = QPushButton("Ungroup")
    ungroup_button.setObjectName("inspector_ungroup")
    ungroup_button.setToolTip("Replace this use by plain copies of its layers (Ctrl+Shift+G)")
    ungroup_button.clicked.connect(lambda: ungroup(node_id))
    rename_button = QPushButton("Rename Block...")
    rename_button.setObjectName("inspector_rename_block")
    rename_button.setToolTip(f"Give the block {node.type} another name: every use and the "
                             "generated code follow (F2 in the palette)")
    rename_button.clicked.connect(lambda: rename(node.type))
    row.addWidget(open_button)
    row.addWidget(ungroup_button)
    row.addStretch(1)
    layout.addLayout(row)
    # Its own row: beside the others it would push the inspector wider than its dock.
    row2 = QHBoxLayout()
    row2.addWidget(rename_button)
    row2.addStretch(1)
    layout.addLayout(row2)
    return [open_button, ungroup_button, rename_button]


def inside_notes(doc: Document, node_id: str) -> tuple[list[str], set[str]]:
    """Notes for a node inside a block, and the settings the student cannot change here."""
    exposed = getattr(doc, "exposed", None)
    if exposed is None:
        return [], set()
    notes = []
    frozen: set[str] = set()
    use = doc.shown_use()
    node = doc.graph.nodes[node_id]
    uses = len(uses_of(doc.parent.graph, doc.name))
    notes.append(f"Inside {doc.name}: a change here applies to all {uses} uses."
                 if uses > 1 else f"Inside {doc.name}: a change here applies to its use.")
    if node.type == "Input":
        feeds = doc.feeds() or {}
        if node_id in feeds and use is not None:
            notes.append(f"In each use this input is whatever flows in (here "
                         f"{fmt_shape(feeds[node_id].shape)}, into {use.id}).")
            frozen |= {"shape", "dtype"}
    for pname, bname in exposed(node_id).items():
        frozen.add(pname)
        shown = doc.shown_params(node_id).get(pname)
        where = f" ({use.id} uses {shown})" if use is not None else ""
        notes.append(f"{pname} is the block's setting '{bname}': each use sets it{where}.")
    return notes, frozen
