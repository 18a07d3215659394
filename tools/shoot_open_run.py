"""Screenshot of a training-script run opened in the window (run offscreen).

    python tools/shoot_open_run.py OUTDIR

Exports the LeNet-5 example's training script, runs it for 3 epochs on one process (in this
process, as ``python train.py`` would), then File > Open Run... on its folder: writes
OUTDIR/open_run.png (the Training panel with the run's curves and the loaded message) and
OUTDIR/export_menu.png (File > Export with one entry per exporter).
"""

from __future__ import annotations

import importlib.util
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shooting import settle, start_app  # noqa: E402


def main(out: str) -> None:
    app, tmp = start_app()
    from netbuilder.ui.main_window import MainWindow
    from netbuilder.ui.open_run import open_run

    w = MainWindow(persist=False, autosave=False)
    w.files.open_example("lenet5", ask=False)
    w.resize(1600, 1000)
    w.show()
    script = tmp / "train_lenet5.py"
    assert w.exporter.export_to("train_script", script)
    spec = importlib.util.spec_from_file_location("train_lenet5", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.argv = [str(script), "--epochs", "3", "--out", str(tmp / "run")]
    module.main()
    assert open_run(w, tmp / "run")
    settle(800)
    w.grab().save(os.path.join(out, "open_run.png"))

    menu = w.menus["export"]
    menu.popup(w.mapToGlobal(w.rect().center()))
    settle()
    menu.grab().save(os.path.join(out, "export_menu.png"))
    menu.close()
    w.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
