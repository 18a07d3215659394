"""Blocks as a student uses them in the window: make one from a selection, reuse it with its
own settings, open it and edit the inside for every use, ungroup it, undo all of it, and find
a problem inside a block from the Problems tab."""

from __future__ import annotations

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.errors import GraphEditError
from netbuilder.graph.project import Project, project_to_dict
from netbuilder.ui.commands import SetParam
from netbuilder.ui.main_window import MainWindow


def flat(doc) -> dict:
    """The network as plain data (nodes, wires, blocks), independent of node order."""
    d = project_to_dict(doc.project)
    return {"nodes": sorted(d["nodes"], key=lambda n: n["id"]),
            "edges": sorted(d["edges"], key=lambda e: (e["source"], e["target"])),
            "blocks": d.get("blocks", [])}


def wire_label(w: MainWindow, source: str, target: str) -> str:
    (wire,) = [x for e, x in w.canvas.graph_scene.wires.items()
               if (e.source, e.target) == (source, target)]
    return wire.text


def card(w: MainWindow, nid: str):
    return w.canvas.graph_scene.nodes[nid].view


def make_conv_stage(w: MainWindow, qtbot) -> str:
    """conv1 -> relu1 -> pool1 of LeNet-5 into a block 'ConvStage' with `channels` exposed."""
    w.canvas.select_nodes(["conv1", "relu1", "pool1"])
    dialog = w.canvas.make_block_dialog()
    assert dialog is not None and dialog.isVisible()
    dialog.name_edit.setText("ConvStage")
    dialog.description_edit.setText("Convolution, ReLU and pooling.")
    dialog.set_exposed("conv1", "out_channels", "channels")
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    qtbot.waitUntil(lambda: "convstage" in w.document.graph.nodes)
    return "convstage"


def test_make_a_block_from_a_selection_and_undo_it_exactly(make_window, qtbot):
    w = make_window()
    before = flat(w.document)
    assert wire_label(w, "pool1", "conv2") == "6x14x14"
    use = make_conv_stage(w, qtbot)

    g = w.document.graph
    assert "ConvStage" in g.blocks and not {"conv1", "relu1", "pool1"} & set(g.nodes)
    assert [n.type for n in g.nodes.values()].count("ConvStage") == 1
    assert card(w, use).type == "ConvStage" and card(w, use).shape == "6x14x14"
    assert card(w, use).params_line == "6 ch"
    assert wire_label(w, use, "conv2") == "6x14x14"
    assert wire_label(w, "input", use) == "1x28x28"
    assert w.document.analysis.valid
    assert w.canvas.selected_ids() == [use]
    assert w.inspector.title.text().startswith("ConvStage")
    assert "channels" in w.inspector.fields and "repeat" in w.inspector.fields
    assert "ConvStage" in w.layer_palette.block_names()
    assert w.undo_stack.undoText() == "Make block ConvStage"

    w.undo()
    assert flat(w.document) == before
    assert "ConvStage" not in w.layer_palette.block_names()
    assert wire_label(w, "pool1", "conv2") == "6x14x14"
    w.redo()
    assert "ConvStage" in w.document.graph.blocks and use in w.document.graph.nodes
    assert card(w, use).shape == "6x14x14"


def test_the_dialog_checks_the_name_and_merges_equal_setting_names(make_window, qtbot):
    w = make_window()
    w.canvas.select_nodes(["conv1", "relu1", "pool1", "conv2"])
    dialog = w.canvas.make_block_dialog()
    for bad, words in (("", "must start with a letter"), ("Conv2d", "layer type"),
                       ("2x", "must start with a letter")):
        dialog.name_edit.setText(bad)
        assert not dialog.ok_button.isEnabled()
        assert words in dialog.problem_label.text()
    dialog.name_edit.setText("Stage")
    assert dialog.ok_button.isEnabled() and not dialog.problem_label.isVisible()
    dialog.set_exposed("conv1", "out_channels", "channels")
    dialog.set_exposed("conv2", "out_channels", "channels")
    assert dialog.exposed() == [("channels", [("conv1", "out_channels"),
                                              ("conv2", "out_channels")])]
    assert "channels</b> → conv1.out_channels, conv2.out_channels" in dialog.preview.text()
    dialog.set_exposed("conv1", "padding", "channels")      # an int and padding: refused
    assert not dialog.ok_button.isEnabled()
    assert "different kinds" in dialog.problem_label.text()
    dialog.set_exposed("conv1", "padding", checked=False)
    dialog.set_exposed("pool1", "kernel_size", "repeat")
    assert "not be 'repeat'" in dialog.problem_label.text()
    dialog.reject()
    assert "Stage" not in w.document.graph.blocks


def test_a_selection_that_cannot_be_a_block_is_explained(make_window):
    w = make_window()
    w.canvas.select_nodes(["input", "conv1"])
    assert w.canvas.make_block_dialog() is None
    assert "Input" in w.statusBar().currentMessage()
    w.canvas.select_nodes([])
    assert w.canvas.make_block_dialog() is None
    assert "Select the layers" in w.statusBar().currentMessage()


def test_each_use_has_its_own_channels_and_repeat(make_window, qtbot):
    w = make_window()
    use = make_conv_stage(w, qtbot)
    w.undo_stack.push(SetParam(w.document, use, "channels", 12))
    assert wire_label(w, use, "conv2") == "12x14x14"
    assert card(w, use).params_line == "12 ch"
    assert w.document.analysis.nodes["conv2"].inferred["in_channels"] == 12
    w.undo_stack.push(SetParam(w.document, use, "repeat", 2))    # 14x14 -> 7x7
    assert card(w, use).repeat == 2 and card(w, use).params_line == "12 ch, x2"
    assert wire_label(w, use, "conv2") == "12x7x7"
    assert w.undo_stack.undoText() == f"Change repeat of {use}"


def test_open_a_block_edit_inside_and_every_use_follows(make_window, qtbot):
    w = make_window()
    use = make_conv_stage(w, qtbot)
    w.canvas.select_node("relu2")
    second = w.canvas.add_layer("ConvStage")             # after relu2: 16x10x10 in
    assert second == "convstage_2"
    assert card(w, second).shape == "6x5x5"

    w.canvas.select_node(use)
    qtbot.keyClick(w.canvas, Qt.Key.Key_Return)          # Enter opens the selected block
    assert w.canvas.block_path() == ["ConvStage"]
    assert w.canvas.breadcrumbs.isVisible()
    assert w.canvas.breadcrumbs.text() == "LeNet-5 › ConvStage"
    assert set(w.canvas.graph_scene.nodes) == {"input", "conv1", "relu1", "pool1"}
    # Real shapes of the first use on the inner wires, not the Input's placeholder.
    assert wire_label(w, "input", "conv1") == "1x28x28"
    assert wire_label(w, "conv1", "relu1") == "6x28x28"
    assert "Shapes for convstage" in w.canvas.breadcrumbs.context.full_text

    w.canvas.select_node("conv1")
    assert w.inspector.node_id == "conv1" and w.inspector.doc is w.canvas.doc
    assert not w.inspector.fields["out_channels"].isEnabled()   # each use sets it
    w.inspector.fields["kernel_size"].edited.emit(3)             # 5x5 -> 3x3, padding 2
    assert w.undo_stack.undoText() == "Change kernel_size of conv1 in ConvStage"
    assert wire_label(w, "conv1", "relu1") == "6x30x30"
    assert w.document.analysis.nodes[use].output.shape == (6, 15, 15)
    assert w.document.analysis.nodes[second].output.shape == (6, 6, 6)

    qtbot.keyClick(w.canvas, Qt.Key.Key_Escape)
    assert w.canvas.block_path() == [] and not w.canvas.breadcrumbs.isVisible()
    assert w.canvas.selected_ids() == [use]
    assert card(w, use).shape == "6x15x15" and wire_label(w, use, "conv2") == "6x15x15"
    assert card(w, second).shape == "6x6x6"

    w.undo()                                   # an edit made inside, undone from outside
    assert card(w, use).shape == "6x14x14" and card(w, second).shape == "6x5x5"
    assert w.document.graph.blocks["ConvStage"].graph.nodes["conv1"].params["kernel_size"] == 5
    w.redo()
    assert card(w, use).shape == "6x15x15"


def test_double_click_backspace_and_breadcrumbs_move_between_levels(make_window, qtbot):
    w = make_window("resnet18")
    canvas = w.canvas
    item = canvas.graph_scene.nodes["layer2_1"]
    canvas.centerOn(item)
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                      pos=canvas.mapFromScene(item.sceneBoundingRect().center()))
    assert canvas.block_path() == ["BasicBlock"]
    assert "layer2_1 (128x28x28 in)" in canvas.breadcrumbs.context.full_text
    assert wire_label(w, "conv1", "bn1") == "128x28x28"
    assert card(w, "conv1").params_line.startswith("128 filters")
    canvas.setFocus()
    canvas.select_nodes([])
    qtbot.keyClick(canvas, Qt.Key.Key_Backspace)
    assert canvas.block_path() == [] and canvas.selected_ids() == ["layer2_1"]
    canvas.open_block("layer2_1")
    canvas.breadcrumbs.buttons[0].click()
    assert canvas.block_path() == []


def test_ungroup_and_undo(make_window, qtbot):
    w = make_window("resnet18")
    before = flat(w.document)
    w.canvas.select_node("layer1")
    qtbot.keyClick(w.canvas, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    g = w.document.graph
    assert "layer1" not in g.nodes
    assert {"layer1_1_conv1", "layer1_2_relu2"} <= set(g.nodes)      # repeat 2, unrolled
    assert w.undo_stack.undoText() == "Ungroup layer1"
    assert wire_label(w, "layer1_2_relu2", "layer2_0") == "64x56x56"
    assert w.document.analysis.total_params == 11_689_512
    assert sorted(w.canvas.selected_ids()) == sorted(n for n in g.nodes if n.startswith("layer1_"))
    w.undo()
    assert flat(w.document) == before
    assert card(w, "layer1").params_line == "64 ch, x2"


def test_resnet18_from_blocks_opens_everywhere(make_window, qtbot):
    w = make_window("resnet18")
    view = card(w, "layer1")
    assert (view.type, view.params_line, view.shape, view.repeat) == \
        ("BasicBlock", "64 ch, x2", "64x56x56", 2)
    assert view.category == "Blocks"
    assert card(w, "layer2_0").type == "DownBlock" and card(w, "layer2_0").shape == "128x28x28"
    assert wire_label(w, "layer4_1", "avgpool") == "512x7x7"
    assert w.layer_palette.block_names() == ["BasicBlock", "DownBlock"]
    assert w.summary.model.rows[5][:3] == ("layer1", "BasicBlock", "64x56x56")
    assert "11,689,512" in w.validity_button.text()
    w.canvas.select_node("layer1")
    assert w.inspector.fields["channels"].isEnabled()
    texts = [label.text() for label in w.inspector.findChildren(QLabel)]
    assert any(t.startswith("Two 3x3 convolutions") for t in texts)      # the description
    assert any("Used 4 times" in t for t in texts)
    assert "BasicBlock: 64x56x56 -> 64x56x56 through 2 copies" in w.inspector.formula_text()
    assert "Parameters: 147,968" in w.inspector.cost.text()
    open_button = w.inspector.findChild(QPushButton, "inspector_open_block")
    open_button.click()
    assert w.canvas.block_path() == ["BasicBlock"]
    w.canvas.go_up()
    w.code_dock.raise_()
    w.code_view.regenerate()                 # code for blocks, or a readable refusal
    assert w.code_view.source or "block" in w.code_view.message.text().lower()


def test_problems_inside_a_block_name_the_use_and_the_inner_layer(make_window, qtbot):
    w = make_window("resnet18")
    w.undo_stack.push(SetParam(w.document, "layer2_1", "channels", 64))   # skip: 128 vs 64
    rows = [r for r in w.problems.rows() if r[0] == "Error"]
    assert rows[0][:3] == ("Error", "layer2_1 › add", "BasicBlock")
    assert rows[0][3].startswith("inside BasicBlock, 'add' (Add)")
    assert card(w, "layer2_1").status == "error"

    w.show_problems()
    tree = w.problems.tree
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(1) == "layer2_1 › add")
    w.canvas.open_block("layer1")                        # a click finds the use from anywhere
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=tree.visualItemRect(item).center())
    assert w.canvas.block_path() == [] and w.canvas.selected_ids() == ["layer2_1"]
    tree.itemActivated.emit(item, 1)                     # double-click / Enter: go inside
    assert w.canvas.block_path() == ["BasicBlock"]
    assert w.canvas.selected_ids() == ["add"]
    assert card(w, "add").status == "error"


def test_inside_a_block_editing_is_locked_while_training(make_window, qtbot):
    w = make_window("resnet18")
    w.canvas.open_block("layer1")
    w.set_training_running(True)
    inner = w.canvas.doc
    assert inner.locked_reason
    with pytest.raises(GraphEditError):
        inner.set_param("conv1", "kernel_size", 5)
    w.canvas.select_node("relu1")
    w.canvas.delete_selection()
    assert "relu1" in inner.graph.nodes
    assert "locked" in w.statusBar().currentMessage().lower()
    assert not w.ui_actions.make_block.isEnabled()
    w.set_training_running(False)
    w.canvas.delete_selection()
    assert "relu1" not in inner.graph.nodes
    assert w.undo_stack.undoText() == "Delete relu1 in BasicBlock"


def test_undo_make_block_while_inside_it_goes_back_to_the_network(make_window, qtbot):
    w = make_window()
    use = make_conv_stage(w, qtbot)
    w.canvas.open_block(use)
    assert w.canvas.block_path() == ["ConvStage"]
    w.undo()
    assert w.canvas.block_path() == [] and "conv1" in w.canvas.graph_scene.nodes
    assert w.inspector.doc is w.document


def test_a_block_cannot_be_put_inside_itself(make_window, qtbot):
    w = make_window("resnet18")
    w.canvas.open_block("layer1")
    assert w.canvas.add_layer("BasicBlock") is None
    assert "cannot contain itself" in w.statusBar().currentMessage()
    assert w.canvas.add_layer("DownBlock") is not None       # another block is fine


def test_a_block_inside_a_block_opens_level_by_level(make_window, qtbot):
    w = make_window("resnet18")
    w.canvas.select_nodes(["layer1", "layer2_0"])
    dialog = w.canvas.make_block_dialog()
    dialog.name_edit.setText("Stage")
    dialog.accept()
    qtbot.waitUntil(lambda: "stage" in w.document.graph.nodes)
    assert card(w, "stage").shape == "128x28x28"
    w.canvas.open_block("stage")
    w.canvas.open_block("layer1")
    assert w.canvas.breadcrumbs.text() == "ResNet-18 › Stage › BasicBlock"
    assert wire_label(w, "input", "conv1") == "64x56x56"
    w.canvas.select_node("conv1")
    w.inspector.fields["stride"].edited.emit(2)        # every BasicBlock halves the size
    qtbot.keyClick(w.canvas, Qt.Key.Key_Escape)
    assert w.canvas.block_path() == ["Stage"] and w.canvas.selected_ids() == ["layer1"]
    assert card(w, "layer1").status == "error"         # repeat 2: 64 vs 32 channels... at add
    qtbot.keyClick(w.canvas, Qt.Key.Key_Escape)
    assert w.canvas.block_path() == []
    assert card(w, "stage").status == "error"           # the outer use knows it too
    assert [r[1] for r in w.problems.rows() if r[0] == "Error"][0] == "stage › layer1 › add"
    w.undo()
    assert card(w, "stage").status == "ok" and card(w, "stage").shape == "128x28x28"


def test_my_blocks_in_the_palette_drag_and_double_click_like_layers(make_window, qtbot):
    w = make_window("resnet18")
    palette = w.layer_palette
    assert palette.tree.topLevelItem(0).text(0) == "My blocks"
    item = palette.item_for("BasicBlock")
    assert item.parent().text(0) == "My blocks"
    assert item.toolTip(0).startswith("Two 3x3 convolutions")
    palette.filter("down")
    assert palette.visible_types() == ["DownBlock"]
    palette.filter("")

    canvas = w.canvas
    mime = palette.tree.mimeData([item])
    drop_at = QPoint(300, 200)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(drop_at, *args)
    assert QApplication.sendEvent(canvas.viewport(), enter) and enter.isAccepted()
    QApplication.sendEvent(canvas.viewport(), QDropEvent(QPointF(drop_at), *args))
    assert "basicblock" in w.document.graph.nodes
    assert card(w, "basicblock").type == "BasicBlock"
    assert card(w, "basicblock").inputs == 1 and card(w, "basicblock").shape == "?"
    assert w.undo_stack.undoText() == "Add BasicBlock"

    canvas.select_node("fc")
    palette._on_activated(palette.item_for("DownBlock"))      # double-click: after fc...
    assert w.document.graph.nodes["downblock"].type == "DownBlock"
    assert card(w, "downblock").status == "error"             # ...where 1000 values enter

    w.undo()
    w.undo()
    w.canvas.select_node("layer1")
    w.ui_actions.ungroup_block.trigger()
    assert "layer1" not in w.document.graph.nodes
    assert palette.block_names() == ["BasicBlock", "DownBlock"]   # the definition stays


def test_a_block_with_two_inputs_shows_ports_0_and_1(make_window, qtbot):
    w = make_window(None)
    b = GraphBuilder("two")
    b.input((8,))
    b.layer("Linear", "input", id="a", out_features=4)
    b.layer("Linear", "input", id="b", out_features=4)
    b.layer("Add", ["a", "b"], id="add")
    b.layer("ReLU", "add", id="relu")
    w.document.replace_project(Project(b.graph))
    w.canvas.select_nodes(["add", "relu"])
    dialog = w.canvas.make_block_dialog()
    dialog.name_edit.setText("AddReLU")
    dialog.accept()
    qtbot.waitUntil(lambda: "addrelu" in w.document.graph.nodes)
    view = card(w, "addrelu")
    assert view.inputs == 2 and view.numbered and view.connected == frozenset({0, 1})
    assert view.shape == "4"
    w.canvas.open_block("addrelu")
    assert {"input1", "input2"} <= set(w.canvas.graph_scene.nodes)
    assert wire_label(w, "input1", "add") == "4"


def test_make_and_ungroup_inside_a_block_undo_in_place(make_window, qtbot):
    w = make_window("resnet18")
    w.canvas.open_block("layer2_1")
    inner_before = project_to_dict(w.document.project)["blocks"]
    w.canvas.select_nodes(["conv1", "bn1"])           # conv1 is what `channels` sets
    assert w.canvas.make_block_dialog() is None
    assert "setting 'channels'" in w.statusBar().currentMessage()
    w.canvas.delete_selection()
    assert "conv1" in w.canvas.graph_scene.nodes and "bn1" in w.canvas.graph_scene.nodes
    assert "Keep conv1 here" in w.statusBar().currentMessage()

    w.canvas.select_nodes(["bn1", "relu1"])
    dialog = w.canvas.make_block_dialog()
    dialog.name_edit.setText("BNReLU")
    dialog.accept()
    qtbot.waitUntil(lambda: "bnrelu" in w.canvas.graph_scene.nodes)
    assert w.undo_stack.undoText() == "Make block BNReLU in BasicBlock"
    assert w.canvas.block_path() == ["BasicBlock"]
    assert card(w, "bnrelu").shape == "128x28x28" and wire_label(w, "bnrelu", "conv2") == \
        "128x28x28"
    assert w.document.analysis.total_params == 11_689_512      # the same network
    assert "BNReLU" in w.layer_palette.block_names()
    w.undo()
    assert w.canvas.block_path() == ["BasicBlock"]               # still inside, as it was
    assert {"bn1", "relu1"} <= set(w.canvas.graph_scene.nodes)
    assert project_to_dict(w.document.project)["blocks"] == inner_before
    w.redo()
    assert "bnrelu" in w.canvas.graph_scene.nodes
    w.canvas.ungroup_selection("bnrelu")
    assert "bnrelu_bn1" in w.canvas.graph_scene.nodes
    assert w.document.analysis.total_params == 11_689_512


def test_the_output_inside_a_block_stays_an_output(make_window, qtbot):
    w = make_window("resnet18")
    w.canvas.open_block("layer1")
    w.canvas.select_node("relu2")                # BasicBlock's output
    w.canvas.delete_selection()
    assert "relu2" in w.canvas.graph_scene.nodes
    assert "output" in w.statusBar().currentMessage()
    w.canvas.select_nodes(["add", "relu2"])      # grouped: the new block gives the output
    dialog = w.canvas.make_block_dialog()
    dialog.name_edit.setText("AddReLU")
    dialog.accept()
    qtbot.waitUntil(lambda: "addrelu" in w.canvas.graph_scene.nodes)
    assert w.document.graph.blocks["BasicBlock"].output == "addrelu"
    assert w.document.analysis.valid and w.document.analysis.total_params == 11_689_512
    w.canvas.ungroup_selection("addrelu")
    assert w.document.graph.blocks["BasicBlock"].output == "addrelu_relu2"
    assert w.document.analysis.valid and w.document.analysis.total_params == 11_689_512
    w.undo()
    w.undo()
    assert w.document.graph.blocks["BasicBlock"].output == "relu2"
