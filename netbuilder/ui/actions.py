"""The window's actions, menus and toolbar, with the shortcuts people already know.

Actions call methods of the main window (``MainWindow.new_file``, ``.start_training``, ...);
nothing here knows about the document. Text fields (palette search, inspector) keep their own
Ctrl+C, Delete and letters: Qt offers a focused line edit the key first.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QToolBar

from ..graph.examples import list_examples
from .icons import make_icon

# One key, named the same in the menu, the tooltip and the README (F11 is "full screen" in
# browsers and "show the desktop" on macOS; Ctrl+Shift+P needs no Fn key on a laptop).
PRESENTATION_KEY = "Ctrl+Shift+P"


@dataclass
class Actions:
    new: QAction
    open: QAction
    import_model: QAction
    save: QAction
    save_as: QAction
    export_onnx: QAction
    open_run: QAction
    export_png: QAction
    export_svg: QAction
    export_report: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    copy: QAction
    paste: QAction
    duplicate: QAction
    delete: QAction
    select_all: QAction
    make_block: QAction
    ungroup_block: QAction
    auto_layout: QAction
    find_layer: QAction
    fit: QAction
    zoom_reset: QAction
    zoom_in: QAction
    zoom_out: QAction
    presentation: QAction
    theme_system: QAction
    theme_light: QAction
    theme_dark: QAction
    start_training: QAction
    continue_training: QAction
    show_training: QAction
    shortcuts: QAction
    about: QAction

    def all(self) -> list[QAction]:
        return [getattr(self, f.name) for f in fields(self)]

    def editing(self) -> list[QAction]:
        """Actions that change the network: disabled while training runs."""
        return [self.paste, self.duplicate, self.delete, self.auto_layout, self.undo,
                self.redo, self.new, self.open, self.make_block, self.ungroup_block]


def _action(win: QMainWindow, text: str, slot, shortcuts=(), tip: str = "",
            checkable: bool = False) -> QAction:
    action = QAction(text, win)
    keys = [QKeySequence(s) if not isinstance(s, QKeySequence) else s for s in shortcuts]
    if keys:
        action.setShortcuts(keys)
    shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
    tip = tip or text.replace("&", "").rstrip(".")
    action.setToolTip(f"{tip} ({shown})" if shown else tip)
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    win.addAction(action)        # shortcuts work even with the menu bar hidden
    return action


def create_actions(win) -> Actions:
    K = QKeySequence.StandardKey
    a = Actions(
        export_onnx=_action(win, "&ONNX...", win.export_onnx, [],
                            "Export to ONNX, verified against PyTorch"),
        open_run=_action(win, "Open &Run...", win.open_run, [],
                         "Open a run folder written by the training script (curves and weights)"),
        new=_action(win, "&New", win.new_file, [K.New], "Start a new, empty network"),
        open=_action(win, "&Open...", win.open_file, [K.Open], "Open a project file"),
        import_model=_action(win, "&Import Model...", win.import_model, [],
                             "Turn an ONNX model into an editable project with its weights"),
        save=_action(win, "&Save", win.save_file, [K.Save], "Save the project"),
        save_as=_action(win, "Save &As...", win.save_file_as, ["Ctrl+Shift+S"],
                        "Save the project under a new name"),
        export_png=_action(win, "Diagram as P&NG...", win.export_png, [],
                           "Save the diagram as a PNG image"),
        export_svg=_action(win, "Diagram as &SVG...", win.export_svg, [],
                           "Save the diagram as an SVG drawing"),
        export_report=_action(win, "Export &Report...", win.export_report, [],
                              "Write an HTML report on the trained network"),
        quit=_action(win, "&Quit", win.close, [K.Quit] if QKeySequence(K.Quit).count() else
                     ["Ctrl+Q"], "Quit netbuilder"),
        undo=_action(win, "&Undo", win.undo, ["Ctrl+Z"], "Undo the last edit"),
        redo=_action(win, "&Redo", win.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "Redo"),
        copy=_action(win, "&Copy", win.copy_selection, ["Ctrl+C"], "Copy the selected layers"),
        paste=_action(win, "&Paste", win.paste, ["Ctrl+V"], "Paste layers"),
        duplicate=_action(win, "D&uplicate", win.duplicate_selection, ["Ctrl+D"],
                          "Duplicate the selected layers"),
        delete=_action(win, "&Delete", win.delete_selection, ["Delete", "Backspace"],
                       "Delete the selected layers and wires"),
        select_all=_action(win, "Select &All", win.select_all, ["Ctrl+A"], "Select every layer"),
        make_block=_action(win, "Make &Block...", lambda: win.canvas.make_block_dialog(),
                           ["Ctrl+G"], "Group the selected layers into a reusable block"),
        ungroup_block=_action(win, "U&ngroup Block", lambda: win.canvas.ungroup_selection(),
                              ["Ctrl+Shift+G"], "Replace the selected block by its layers"),
        auto_layout=_action(win, "Auto &Layout", win.auto_layout, ["Ctrl+L"],
                            "Arrange the layers left to right"),
        find_layer=_action(win, "&Find Layer to Add...", win.focus_palette_search, ["Ctrl+F"],
                           "Search the layer palette"),
        fit=_action(win, "&Fit to Window", win.fit_all, ["F"], "Show the whole network"),
        zoom_reset=_action(win, "Actual &Size", win.zoom_reset, ["Ctrl+0"], "Zoom to 100%"),
        zoom_in=_action(win, "Zoom &In", win.zoom_in, [QKeySequence.StandardKey.ZoomIn],
                        "Zoom in (also Ctrl+wheel, +)"),
        zoom_out=_action(win, "Zoom &Out", win.zoom_out, [QKeySequence.StandardKey.ZoomOut],
                         "Zoom out (also Ctrl+wheel, -)"),
        presentation=_action(win, "&Presentation Mode", win.set_presentation,
                             [PRESENTATION_KEY],
                             "Big fonts and thick lines for a projector; panels hidden",
                             checkable=True),
        theme_system=_action(win, "Follow the &System", lambda: win.set_theme("system"),
                             checkable=True),
        theme_light=_action(win, "&Light", lambda: win.set_theme("light"), checkable=True),
        theme_dark=_action(win, "&Dark", lambda: win.set_theme("dark"), checkable=True),
        start_training=_action(win, "&Start Training", win.start_training,
                               ["F5", "Ctrl+Return", "Ctrl+Enter"],
                               "Train the network with the project's settings"),
        continue_training=_action(win, "&Continue Training", win.continue_training,
                                  ["Shift+F5"],
                                  "Train the weights of the last run (or a loaded checkpoint) "
                                  "for more epochs; the curves go on"),
        show_training=_action(win, "Show Training &Panel", win.show_training_panel, [],
                              "Show the training settings and live plots"),
        shortcuts=_action(win, "&Keyboard Shortcuts", win.show_shortcuts, ["F1"],
                          "List the keyboard shortcuts"),
        about=_action(win, "&About netbuilder", win.show_about),
    )
    group = QActionGroup(win)
    for t in (a.theme_system, a.theme_light, a.theme_dark):
        group.addAction(t)
    return a


def build_menus(win, a: Actions) -> dict[str, QMenu]:
    bar = win.menuBar()
    file = bar.addMenu("&File")
    file.addActions([a.new, a.open])
    recent = file.addMenu("Open &Recent")
    recent.setObjectName("recent_menu")
    recent.aboutToShow.connect(lambda: win.files.populate_recent_menu(recent))
    examples = file.addMenu("&Examples")
    examples.setObjectName("examples_menu")
    for info in list_examples():
        act = examples.addAction(info.title)
        act.setStatusTip(info.description.split(". ")[0])
        act.setToolTip(info.description)
        act.setData(info.name)
        act.triggered.connect(lambda _=False, n=info.name: win.open_example(n))
    file.addActions([a.import_model, a.open_run])
    file.addSeparator()
    file.addActions([a.save, a.save_as])
    file.addSeparator()
    export = file.addMenu("E&xport")
    # one entry per exporter (codegen/exporters.py, the CLI's table), added when the menu
    # first opens: the window starts without importing codegen
    export.setObjectName("export_menu")
    export.addActions([a.export_png, a.export_svg])
    export.aboutToShow.connect(lambda: win.exporter.fill_menu(export))
    file.addAction(a.export_report)
    file.addSeparator()
    file.addAction(a.quit)

    edit = bar.addMenu("&Edit")
    edit.addActions([a.undo, a.redo])
    edit.addSeparator()
    edit.addActions([a.copy, a.paste, a.duplicate, a.delete])
    edit.addSeparator()
    edit.addActions([a.select_all, a.find_layer, a.auto_layout])
    edit.addSeparator()
    edit.addActions([a.make_block, a.ungroup_block])

    view = bar.addMenu("&View")
    view.addActions([a.fit, a.zoom_reset, a.zoom_in, a.zoom_out])
    view.addSeparator()
    view.addAction(a.presentation)
    theme = view.addMenu("&Theme")
    theme.addActions([a.theme_system, a.theme_light, a.theme_dark])
    view.addSeparator()
    panels = view.addMenu("&Panels")
    for dock in win.docks():
        panels.addAction(dock.toggleViewAction())

    train = bar.addMenu("&Train")
    train.addActions([a.start_training, a.continue_training, a.show_training])

    help_ = bar.addMenu("&Help")
    help_.addActions([a.shortcuts, a.about])
    return {"file": file, "recent": recent, "examples": examples, "export": export,
            "edit": edit, "view": view, "train": train, "help": help_}


def apply_icons(a: Actions, dark: bool) -> None:
    """(Re)draw the toolbar icons in the current palette's colours."""
    for name, action in (("new", a.new), ("open", a.open), ("save", a.save),
                         ("undo", a.undo), ("redo", a.redo), ("delete", a.delete),
                         ("fit", a.fit), ("layout", a.auto_layout),
                         ("play", a.start_training), ("present", a.presentation),
                         ("export", a.export_onnx)):
        action.setIcon(make_icon(name, dark))


def build_toolbar(win, a: Actions) -> QToolBar:
    tb = QToolBar("Main toolbar", win)
    tb.setObjectName("main_toolbar")
    tb.setMovable(False)
    a.export_onnx.setIconText("Export ONNX")
    # the menu says what will be undone; the toolbar button keeps one short, steady word
    a.undo.setIconText("Undo")
    a.redo.setIconText("Redo")
    a.fit.setIconText("Fit")
    a.presentation.setIconText("Present")
    populate_toolbar(tb, a, presentation=False)
    win.addToolBar(tb)
    return tb


def populate_toolbar(tb: QToolBar, a: Actions, presentation: bool) -> None:
    """The full toolbar, or in presentation mode only what a lecture needs (it must fit
    1024 px with big fonts; everything else stays in the menus and on the keyboard)."""
    tb.clear()
    if presentation:
        groups = [[a.undo, a.redo], [a.fit, a.zoom_in, a.zoom_out],
                  [a.start_training, a.presentation]]
    else:
        groups = [[a.new, a.open, a.save], [a.undo, a.redo, a.delete],
                  [a.fit, a.auto_layout], [a.start_training, a.presentation],
                  [a.export_onnx]]
    for i, group in enumerate(groups):
        if i:
            tb.addSeparator()
        tb.addActions(group)


def show_shortcuts(parent, a: Actions) -> None:
    rows = []
    for action in a.all():
        keys = action.shortcuts()
        if keys:
            shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
            name = action.text().replace("&", "").rstrip(".")
            rows.append(f"<tr><td>{name}</td><td><b>{shown}</b></td></tr>")
    rows.append("<tr><td>Zoom</td><td><b>Ctrl+wheel, + / -</b></td></tr>")
    rows.append("<tr><td>Cancel a wire being drawn</td><td><b>Esc</b></td></tr>")
    box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                      "<table cellspacing=6>" + "".join(rows) + "</table>",
                      QMessageBox.StandardButton.Close, parent)
    box.exec()


def show_about(parent) -> None:
    from .. import __version__

    QMessageBox.about(parent, "About netbuilder",
                      f"<b>netbuilder {__version__}</b><br>Build neural networks by wiring "
                      "layers; see shapes as you edit, train with live plots, export PyTorch "
                      "code and verified ONNX.")
