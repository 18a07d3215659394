"""Screenshots of a fix being offered on a broken LeNet-5 (run offscreen).

    python tools/shoot_fixes.py OUTDIR

Writes OUTDIR/fix_offered.png: LeNet-5 with conv2's kernel larger than its 14x14 input, the card's
"Fix" menu open (each entry with the shape it gives) and the Problems list with its Fix
button; and OUTDIR/fix_flatten.png: LeNet-5 without its Flatten, whose fc1 card offers one
fix. The open menu is a window of its own, so it is painted onto the window's grab where it
stands on the screen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QPainter  # noqa: E402
from shooting import settle, start_app  # noqa: E402


def broken_lenet(path: Path, big_kernel: bool) -> Path:
    from netbuilder.graph.examples import example_path
    from netbuilder.graph.fixes import Bypass, apply_edit
    from netbuilder.graph.project import load_project, save_project

    project = load_project(example_path("lenet5"))
    if big_kernel:
        project.graph.set_param("conv2", "kernel_size", 17)
    else:
        apply_edit(project.graph, (Bypass("flatten"),))
    save_project(project, path)
    return path


def shoot(out: Path, name: str, node: str, big_kernel: bool) -> Path:
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(persist=False, autosave=False)
    w.resize(1400, 900)
    w.show()
    w.open_path(broken_lenet(Path(tempfile.mkdtemp()) / "lenet5_broken.json", big_kernel))
    w.show_problems()
    settle()
    if big_kernel:
        w.canvas.zoom_in()             # the card and its button as a back row reads them
        w.canvas.select_node(node, center=True)
        w.canvas.graph_scene.clearSelection()
    else:
        w.show_network()               # the whole network, as the window opens it
    settle()
    shot = w.grab()
    card = w.canvas.graph_scene.nodes[node]
    button = card.fix_button
    menu = w.canvas.fix_node(node) if big_kernel else None
    if menu is not None:
        corner = w.canvas.mapFromScene(button.sceneBoundingRect().bottomLeft())
        at = w.canvas.viewport().mapToGlobal(corner)
        menu.popup(at)
        settle()
        painter = QPainter(shot)
        # where it opened under the button (the offscreen "screen" is small and moves it)
        painter.drawPixmap(w.canvas.viewport().mapTo(w, corner + QPoint(0, 4)), menu.grab())
        painter.end()
    path = out / name
    shot.save(str(path))
    w.document.replace_project(w.document.project)   # nothing to save on close
    w.undo_stack.setClean()
    w.close()
    return path


def main(out: str) -> None:
    app, tmp = start_app()

    Path(out).mkdir(parents=True, exist_ok=True)
    print(shoot(Path(out), "fix_offered.png", "conv2", True))
    print(shoot(Path(out), "fix_flatten.png", "fc1", False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
