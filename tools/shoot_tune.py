"""Screenshot of Train > Search Hyper-parameters... on ``mlp_moons`` (run offscreen).

    python tools/shoot_tune.py OUTDIR

Writes OUTDIR/tune_dialog.png: the learning rate (log scale) and the first hidden layer's
width searched with TPE, 12 trials of 3 epochs; the table and the two scatter plots after
the search, the best trial starred.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shooting import settle, start_app  # noqa: E402


def main(out: str) -> None:
    app, tmp = start_app()
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(persist=False, autosave=False)
    w.files.open_example("mlp_moons", ask=False)
    w.show()
    d = w.tune.open()
    d.form.set_vary("lr", True, 0.001, 0.3)
    d.form.set_vary("hidden1.out_features", True, 2, 64)
    d.form.trials.setValue(12)
    d.form.epochs.setValue(3)
    d.start()
    deadline = time.monotonic() + 300
    while d.running and time.monotonic() < deadline:
        settle(200)
    settle(400)
    path = os.path.join(out, "tune_dialog.png")
    d.grab().save(path)
    print(path)
    w.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
