"""Renaming and deleting a block in the window, as a student does it: from My blocks in the
palette (right-click or F2), from a use's inspector or right-click menu; every use, the
palette, the breadcrumbs and the Code tab follow, and Ctrl+Z undoes each in one step."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from mainwindow_support import BoxAnswerer, isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from netbuilder.graph.blocks import name_problem
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project, project_to_dict
from netbuilder.ui.blocks.manager import UNGROUP_AND_DELETE
from netbuilder.ui.blocks.rename_dialog import RenameBlockDialog
from netbuilder.ui.commands import SetParam, command_events, push
from netbuilder.ui.main_window import MainWindow

CANCEL = QMessageBox.StandardButton.Cancel


def state(w: MainWindow) -> dict:
    return project_to_dict(w.document.project)


def card_types(w: MainWindow) -> dict[str, str]:
    return {nid: item.view.type for nid, item in w.canvas.graph_scene.nodes.items()}


def palette_action(w: MainWindow, block: str, text: str):
    menu = w.layer_palette.block_menu(block)
    actions = {a.text(): a for a in menu.actions() if not a.isSeparator()}
    assert list(actions) == ["Add to Canvas", "Rename Block...", "Delete Block"]
    return actions[text]


def open_rename(w: MainWindow, qtbot, block: str) -> RenameBlockDialog:
    palette_action(w, block, "Rename Block...").trigger()
    dialog = w.findChild(RenameBlockDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def finish_rename(dialog: RenameBlockDialog, qtbot, name: str) -> None:
    dialog.name_edit.setText(name)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    dialog.deleteLater()


def code(w: MainWindow, qtbot, contains: str) -> str:
    w.code_dock.show()
    w.code_dock.raise_()
    qtbot.waitUntil(lambda: contains in w.code_view.editor.toPlainText(), timeout=5000)
    return w.code_view.editor.toPlainText()


def overlapping_cards(w: MainWindow) -> list[tuple[str, str]]:
    items = list(w.canvas.graph_scene.nodes.items())
    return [(a, b) for i, (a, ia) in enumerate(items) for b, ib in items[i + 1:]
            if ia.sceneBoundingRect().adjusted(4, 4, -4, -4).intersects(
                ib.sceneBoundingRect().adjusted(4, 4, -4, -4))]


# -- rename -------------------------------------------------------------------------------------

def test_rename_from_my_blocks_renames_every_use_the_palette_and_the_code(make_window, qtbot):
    w = make_window("resnet_small")
    before = state(w)
    code(w, qtbot, "class BasicBlock(nn.Module)")
    dialog = open_rename(w, qtbot, "BasicBlock")
    assert dialog.name_edit.text() == "BasicBlock"
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == "Type the new name."
    for typed, reason in [("Conv2d", "is a layer type already"),
                          ("DownBlock", "There is already a block named 'DownBlock'"),
                          ("9lives", "must start with a letter"), ("", "must start")]:
        dialog.name_edit.setText(typed)
        assert reason in dialog.problem_label.text() and dialog.problem_label.isVisible()
        assert not dialog.ok_button.isEnabled()
    finish_rename(dialog, qtbot, "ResBlock")

    assert card_types(w)["layer1"] == card_types(w)["layer2_1"] == "ResBlock"
    assert w.layer_palette.block_names() == ["ResBlock", "DownBlock"]
    assert w.layer_palette.tree.currentItem().text(0) == "ResBlock"
    assert w.undo_stack.undoText() == "Rename block BasicBlock to ResBlock"
    assert w.isWindowModified()
    text = code(w, qtbot, "class ResBlock(nn.Module)")
    assert "BasicBlock" not in text
    w.undo()
    assert state(w) == before
    assert w.layer_palette.block_names() == ["BasicBlock", "DownBlock"]
    code(w, qtbot, "class BasicBlock(nn.Module)")
    w.redo()
    assert card_types(w)["layer1"] == "ResBlock"


@settings(max_examples=120, deadline=None)
@given(typed=st.one_of(st.text(max_size=20), st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,70}",
                                                           fullmatch=True),
                       st.sampled_from(["DownBlock", "BasicBlock", "Linear", "Block", "lambda"])))
def test_the_dialog_allows_exactly_the_names_a_block_may_take(qapp, typed):
    graph = load_project(example_path("resnet_small")).graph
    dialog = RenameBlockDialog(graph, "BasicBlock")
    dialog.name_edit.setText(typed)
    name = typed.strip()
    allowed = name_problem(name, {"DownBlock"}) is None and name != "BasicBlock"
    assert dialog.ok_button.isEnabled() == allowed
    assert dialog.problem_label.isHidden() == allowed
    if not allowed and name != "BasicBlock":
        assert dialog.problem_label.text() == dialog.problem() != ""
    dialog.deleteLater()


def test_rename_while_the_block_is_open_and_undo_after_leaving_it(make_window, qtbot):
    w = make_window("resnet18")
    before = state(w)
    w.canvas.open_block("layer1")
    assert push(w.undo_stack, SetParam(w.canvas.doc, "conv1", "bias", True)) is None
    w.layer_palette.tree.setCurrentItem(w.layer_palette.item_for("BasicBlock"))
    w.layer_palette.tree.setFocus()
    qtbot.keyClick(w.layer_palette.tree, Qt.Key.Key_F2)
    dialog = w.findChild(RenameBlockDialog)
    qtbot.waitUntil(dialog.isVisible)
    finish_rename(dialog, qtbot, "Residual")

    assert w.canvas.block_path() == ["Residual"]
    assert w.canvas.breadcrumbs.text() == "ResNet-18 › Residual"
    assert "conv1" in w.canvas.graph_scene.nodes             # still inside, same layers
    assert push(w.undo_stack, SetParam(w.canvas.doc, "conv2", "bias", True)) is None
    assert w.undo_stack.undoText() == "Change bias of conv2 in Residual"
    w.canvas.go_to_root()
    assert card_types(w)["layer1"] == "Residual"
    failures: list[str] = []
    command_events.failed.connect(failures.append)
    for _ in range(3):            # the edit, the rename, the first edit: from the network
        w.undo()
    assert failures == [] and state(w) == before
    for _ in range(3):
        w.redo()
    assert failures == []
    assert w.document.graph.blocks["Residual"].graph.nodes["conv2"].params["bias"] is True


def test_rename_from_the_inspector_and_from_a_use_s_menu(make_window, qtbot):
    w = make_window("resnet_small")
    w.canvas.select_node("layer2_0")
    button = w.inspector.findChild(QPushButton, "inspector_rename_block")
    assert button is not None and button.isVisible() and button.text() == "Rename Block..."
    assert button.mapTo(w.inspector, button.rect().topRight()).x() < w.inspector.width()
    header = w.inspector.findChild(QPushButton, "inspector_ungroup")
    assert header.mapTo(w.inspector, header.rect().topRight()).x() < w.inspector.width()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = w.findChild(RenameBlockDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.old == "DownBlock" and dialog.name_edit.text() == "DownBlock"
    uses = dialog.findChild(type(dialog.problem_label), "rename_block_uses").text()
    assert uses.startswith("Used once: 1 in the network (layer2_0).")
    finish_rename(dialog, qtbot, "Downsample")
    assert card_types(w)["layer2_0"] == "Downsample"
    assert w.inspector.findChild(QPushButton, "inspector_rename_block").isVisible()

    scene = w.canvas.graph_scene
    at = w.canvas.mapFromScene(scene.nodes["layer1"].sceneBoundingRect().center())
    menu = w.canvas.context_menu_at(at)
    (rename,) = [a for a in menu.actions() if a.text().startswith("Rename Block")]
    assert rename.text() == "Rename Block BasicBlock..."
    rename.trigger()
    dialog = [d for d in w.findChildren(RenameBlockDialog) if d.isVisible()][-1]
    assert dialog.old == "BasicBlock"
    dialog.reject()
    assert w.undo_stack.undoText() == "Rename block DownBlock to Downsample"


# -- delete -------------------------------------------------------------------------------------

def test_delete_an_unused_block_asks_nothing_and_undo_brings_it_back(make_window, qtbot):
    w = make_window("lenet5")
    w.canvas.select_nodes(["conv1", "relu1", "pool1"])
    dialog = w.canvas.make_block_dialog()
    dialog.name_edit.setText("ConvStage")
    dialog.accept()
    qtbot.waitUntil(lambda: "convstage" in w.document.graph.nodes)
    w.canvas.ungroup_selection("convstage")
    before = state(w)
    assert w.layer_palette.block_names() == ["ConvStage"]
    with BoxAnswerer(CANCEL) as boxes:
        palette_action(w, "ConvStage", "Delete Block").trigger()
    assert boxes.seen == []
    assert w.layer_palette.block_names() == [] and "ConvStage" not in w.document.graph.blocks
    assert "Deleted block ConvStage" in w.statusBar().currentMessage()
    assert w.undo_stack.undoText() == "Delete block ConvStage"
    w.undo()
    assert state(w) == before and w.layer_palette.block_names() == ["ConvStage"]


def test_delete_a_used_block_names_its_uses_and_cancel_changes_nothing(make_window, qtbot):
    w = make_window("resnet_small")
    before = state(w)
    with BoxAnswerer(CANCEL) as boxes:
        assert not w.block_glue.manager.delete("BasicBlock")
    (box,) = boxes.seen
    assert box["title"] == "Delete block BasicBlock?"
    assert box["text"] == ("BasicBlock is used 2 times: 2 in the network (layer1, layer2_1).")
    assert "Ctrl+Z" in box["info"] and "copies of the layers" in box["info"]
    assert state(w) == before and w.undo_stack.count() == 0


def test_ungroup_all_uses_and_delete_is_one_undo_step(make_window, qtbot):
    w = make_window("resnet_small")
    before = state(w)
    params = w.document.analysis.total_params
    with BoxAnswerer(UNGROUP_AND_DELETE):
        palette_action(w, "BasicBlock", "Delete Block").trigger()
    after = state(w)
    assert w.layer_palette.block_names() == ["DownBlock"]
    assert "BasicBlock" not in card_types(w).values()
    assert {"layer1_conv1", "layer1_conv2", "layer2_1_conv1"} <= set(card_types(w))
    assert w.document.analysis.valid and w.document.analysis.total_params == params
    assert overlapping_cards(w) == []
    assert "ungrouped its 2 uses" in w.statusBar().currentMessage()
    code(w, qtbot, "class DownBlock(nn.Module)")
    assert "BasicBlock" not in w.code_view.editor.toPlainText()
    w.undo()
    assert state(w) == before and w.layer_palette.block_names() == ["BasicBlock", "DownBlock"]
    assert card_types(w)["layer1"] == "BasicBlock"
    w.redo()
    assert state(w) == after


def test_delete_a_block_used_inside_the_open_block(make_window, qtbot):
    w = make_window("googlenet")
    before = state(w)
    w.canvas.open_block("inception3a")
    with BoxAnswerer(UNGROUP_AND_DELETE) as boxes:
        palette_action(w, "BasicConv2d", "Delete Block").trigger()
    assert boxes.seen[0]["text"].endswith("and 6 inside Inception.")
    assert w.canvas.block_path() == ["Inception"]            # still showing Inception
    inside = card_types(w)
    assert "BasicConv2d" not in inside.values() and inside["branch1_conv"] == "Conv2d"
    assert overlapping_cards(w) == []
    assert w.document.analysis.valid
    w.undo()
    assert state(w) == before
    assert w.canvas.block_path() == ["Inception"] and card_types(w)["branch1"] == "BasicConv2d"


def test_deleting_the_open_block_goes_back_to_the_network(make_window, qtbot):
    w = make_window("resnet_small")
    w.canvas.open_block("layer2_1")
    with BoxAnswerer(UNGROUP_AND_DELETE):
        w.block_glue.manager.delete("BasicBlock")
    assert w.canvas.block_path() == [] and w.inspector.doc is w.document
    assert "layer2_1_conv1" in w.canvas.graph_scene.nodes


def test_rename_and_delete_wait_while_training(make_window, qtbot):
    w = make_window("resnet_small")
    w.canvas.select_node("layer1")
    w.set_training_running(True)
    manager = w.block_glue.manager
    assert manager.rename("BasicBlock") is None
    assert "Cannot rename BasicBlock: training is running" in w.statusBar().currentMessage()
    assert manager.delete("BasicBlock") is False
    assert "Cannot delete BasicBlock" in w.statusBar().currentMessage()
    assert not w.inspector.findChild(QPushButton, "inspector_rename_block").isEnabled()
    assert "BasicBlock" in w.document.graph.blocks
    w.set_training_running(False)


def test_the_saved_file_keeps_the_renamed_and_deleted_blocks(make_window, qtbot, tmp_path):
    w = make_window("resnet_small")
    dialog = open_rename(w, qtbot, "DownBlock")
    finish_rename(dialog, qtbot, "Downsample")
    with BoxAnswerer(UNGROUP_AND_DELETE):
        w.block_glue.manager.delete("BasicBlock")
    path = tmp_path / "small.json"
    assert w.files.save_to(path)
    again = load_project(path)
    assert list(again.graph.blocks) == ["Downsample"]
    assert again.graph.nodes["layer2_0"].type == "Downsample"
    assert project_to_dict(again) == state(w)
