"""A window killed while training: the next start offers the project and that run back.

The crashed window is a real netbuilder process, killed with SIGKILL after it reported a
finished epoch; the restart is a window in this test, answering the recovery question as a
user would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
import torch
from mainwindow_support import BoxAnswerer, isolated_fixture, make_window_fixture  # noqa: F401
from training_support import digits_cnn

from netbuilder.graph.project import save_project
from netbuilder.runtime.checkpoint import load_checkpoint

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

_WINDOW = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from netbuilder.ui.main_window import MainWindow
    w = MainWindow(persist=False)
    w.files.open_path(sys.argv[1], ask=False)
    w.show()
    panel = w.training.ensure_panel()
    def told(batch):
        for ev in batch:
            if type(ev).__name__ == "Epoch":
                print("epoch", ev.epoch, flush=True)
    panel.run_events.connect(told)
    QTimer.singleShot(0, w.training.start)
    app.exec()
""")


def test_a_crash_during_training_offers_the_project_and_the_run(make_window, isolated):
    project = isolated / "digits.json"
    save_project(digits_cnn(epochs=500, batch_size=8, seed=1, device="cpu").project, project)
    private_tmp = isolated / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "NETBUILDER_RECOVERY_DIR": str(isolated / "recovery"),
           "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(private_tmp),
           "HOME": str(isolated), "XDG_CONFIG_HOME": str(isolated / "config"),
           "OMP_NUM_THREADS": "1"}
    crashed = subprocess.Popen([sys.executable, "-c", _WINDOW, str(project)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        reported = 0
        while reported < 2:
            line = crashed.stdout.readline()
            assert line, "the window ended before training two epochs: " + crashed.stderr.read()
            if line.startswith("epoch "):
                reported = int(line.split()[1])
    finally:
        crashed.send_signal(signal.SIGKILL)
        crashed.communicate()
    # nothing of netbuilder's in the system's temp folder (torch keeps its own compile cache)
    assert [p.name for p in private_tmp.iterdir() if p.name != "torchinductor_root"] == []
    runs = list((isolated / "recovery").glob("autosave-*.runs/run-1/last.pt"))
    assert len(runs) == 1
    on_disk = load_checkpoint(runs[0])
    assert on_disk.epoch >= reported

    fresh = make_window(example=None)                   # the next start
    with BoxAnswerer("Restore") as boxes:
        assert fresh.files.offer_recovery()
    assert "did not close normally last time, and a training run was kept" in boxes.seen[0]["text"]
    info = boxes.seen[0]["info"]
    assert f"digits.json ({project}, no unsaved changes)" in info
    assert f"its training run: the weights and curves of epoch {on_disk.epoch}" in info
    assert fresh.document.path == project.resolve()
    assert not fresh.isWindowModified()                  # the project itself was saved
    panel = fresh.training.panel
    weights = panel.current_weights()
    assert weights is not None
    for name, tensor in on_disk.model_state.items():
        assert torch.equal(weights[name], tensor), name
    assert list(panel.plots.curves["loss/val"].xData) == [
        float(e) for e in range(1, on_disk.epoch + 1)]
    assert panel.continue_blocker() is None             # and Continue goes on from it
    assert f"its weights after epoch {on_disk.epoch}" in panel.outcome.plain_text()
    # the crashed window's folder went with its recovery file; this window keeps its own
    left = sorted(p.name for p in (isolated / "recovery").iterdir())
    assert all(fresh.files.recovery.file.stem in name for name in left), left
