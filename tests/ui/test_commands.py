"""Undo commands on their own: exact restores, merged typing, refusals that change nothing."""

from __future__ import annotations

from netbuilder.graph.model import Edge
from netbuilder.graph.project import project_to_dict
from netbuilder.ui.commands import (
    AddNode,
    AutoLayout,
    Connect,
    Disconnect,
    Duplicate,
    MoveNodes,
    Paste,
    RemoveNodes,
    SetLabel,
    SetParam,
    clipboard_payload,
    command_events,
    parse_clipboard,
    push,
)


def snapshot(doc) -> dict:
    d = project_to_dict(doc.project)
    return {"nodes": sorted(d["nodes"], key=lambda n: n["id"]),
            "edges": sorted(d["edges"], key=lambda e: (e["source"], e["target"]))}


def test_labels_read_like_the_menu_says(lenet, undo_stack):
    cmds = [AddNode(lenet, "Conv2d", (0, 400)), Connect(lenet, "conv1", "relu1"),
            SetParam(lenet, "conv1", "kernel_size", 3), MoveNodes(lenet, {}, {"a": (0, 0), "b": (1, 1), "c": (2, 2)}),
            RemoveNodes(lenet, ["conv1"]), Disconnect(lenet, [Edge("conv1", "relu1")]),
            SetLabel(lenet, "conv1", "edges"), Duplicate(lenet, ["conv1", "relu1"]),
            AutoLayout(lenet)]
    assert [c.text() for c in cmds] == [
        "Add Conv2d", "Connect conv1 → relu1", "Change kernel_size of conv1", "Move 3 layers",
        "Delete conv1", "Disconnect conv1 → relu1", "Rename conv1", "Duplicate 2 layers",
        "Auto layout"]


def test_remove_and_undo_restore_ids_params_positions_labels_and_wires(lenet, undo_stack):
    lenet.set_label("conv2", "features")
    before = snapshot(lenet)
    undo_stack.push(RemoveNodes(lenet, ["conv2", "pool1", "fc3"]))
    assert not {"conv2", "pool1", "fc3"} & set(lenet.graph.nodes)
    undo_stack.undo()
    assert snapshot(lenet) == before
    undo_stack.redo()
    undo_stack.undo()
    assert snapshot(lenet) == before


def test_typing_into_one_parameter_merges_and_typing_it_back_leaves_nothing(lenet, undo_stack):
    for v in (3, 4, 7):
        undo_stack.push(SetParam(lenet, "conv1", "kernel_size", v))
    assert undo_stack.count() == 1
    undo_stack.push(SetParam(lenet, "conv1", "padding", 1))     # another parameter: new step
    assert undo_stack.count() == 2
    undo_stack.undo()
    undo_stack.undo()
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == 5
    undo_stack.redo()
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == 7
    undo_stack.push(SetParam(lenet, "conv1", "kernel_size", 3))
    undo_stack.push(SetParam(lenet, "conv1", "kernel_size", 7))  # back where this step began
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == 7


def test_unset_parameter_comes_back_unset(lenet, undo_stack):
    assert "stride" not in lenet.graph.nodes["conv1"].params
    undo_stack.push(SetParam(lenet, "conv1", "stride", 2))
    undo_stack.undo()
    assert "stride" not in lenet.graph.nodes["conv1"].params


def test_refusals_report_the_reason_and_leave_no_step(lenet, undo_stack):
    reasons: list[str] = []
    command_events.failed.connect(reasons.append)
    try:
        before = snapshot(lenet)
        err = push(undo_stack, Connect(lenet, "relu1", "conv1"))    # in place of input's: a loop
        assert "loop" in err and reasons[-1] == err
        err = push(undo_stack, Connect(lenet, "input", "conv1"))
        assert "already wired to 'input'" in err and reasons[-1] == err
        err = push(undo_stack, SetParam(lenet, "conv1", "kernel_size", "big"))
        assert "kernel_size" in err
        assert undo_stack.count() == 0 and snapshot(lenet) == before
    finally:
        command_events.failed.disconnect(reasons.append)


def test_a_compound_edit_that_fails_half_way_is_rolled_back(lenet, undo_stack):
    payload = clipboard_payload(lenet, ["conv1", "relu1"])
    paste = Paste(lenet, payload)
    assert paste.new_ids == ["conv1_2", "relu1_2"]
    # Someone takes the second id before the paste runs: the first node must not stay.
    lenet.add_node(type(lenet.graph.nodes["relu1"])("relu1_2", "ReLU"))
    before = snapshot(lenet)
    err = push(undo_stack, paste)
    assert "relu1_2" in err and snapshot(lenet) == before and undo_stack.count() == 0


def test_undo_while_locked_is_reported_and_dropped(lenet, undo_stack):
    undo_stack.push(SetParam(lenet, "fc1", "out_features", 64))
    lenet.set_locked("training is running")
    reasons: list[str] = []
    command_events.failed.connect(reasons.append)
    try:
        undo_stack.undo()
    finally:
        command_events.failed.disconnect(reasons.append)
    assert "locked" in reasons[-1]
    assert lenet.graph.nodes["fc1"].params["out_features"] == 64 and undo_stack.count() == 0


def test_clipboard_text_round_trips_and_foreign_text_is_ignored(lenet):
    payload = clipboard_payload(lenet, ["conv1"])
    import json
    assert parse_clipboard(json.dumps(payload)) == payload
    assert parse_clipboard("hello") is None and parse_clipboard('{"a": 1}') is None
    bad = Paste(lenet, {"format": "netbuilder-clipboard", "nodes": [{"id": "x", "type": "Conv9d"}]})
    assert bad.nodes == [] and "unknown layer type 'Conv9d'" in bad._problem


def test_the_clipboard_is_the_project_files_node_schema(lenet, undo_stack):
    # a frozen layer pasted stays frozen; a damaged parameter is named as the file reader
    # names it; a copy of a copy counts on (conv1_2 -> conv1_3, not conv1_2_2)
    lenet.set_trainable({"conv1": False})
    payload = clipboard_payload(lenet, ["conv1", "relu1"])
    assert payload["nodes"][0].get("trainable") is False
    assert push(undo_stack, Paste(lenet, payload)) is None
    assert lenet.graph.nodes["conv1_2"].trainable is False
    again = Paste(lenet, clipboard_payload(lenet, ["conv1_2"]))
    assert again.new_ids == ["conv1_3"]
    payload["nodes"][0]["params"]["kernel_size"] = "big"
    bad = Paste(lenet, payload)
    assert bad.nodes == [] and "kernel_size" in bad._problem
    assert push(undo_stack, bad) is not None


def test_auto_layout_undo_restores_shown_positions(lenet, undo_stack):
    before = {nid: n.position for nid, n in lenet.graph.nodes.items()}
    undo_stack.push(AutoLayout(lenet, wrap=5))
    assert {n.position for n in lenet.graph.nodes.values()} != set(before.values())
    undo_stack.undo()
    assert {nid: n.position for nid, n in lenet.graph.nodes.items()} == before
