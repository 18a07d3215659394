"""File > Open Run...: a run folder written by the training script (``--out``) comes back.

The script writes netbuilder checkpoints (``last.pt``, ``best.pt``), so the run is loaded
the way a checkpoint of the window's own runs is: through the Training panel, whose curves
show the run's history and whose weights serve Export, the insight views and Continue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

RUN_FILES = ("last.pt", "best.pt")


def run_checkpoint(folder: str | Path) -> Path | None:
    """The checkpoint that stands for a run folder (its last epoch, else its best); a
    checkpoint file given directly stands for itself; None when there is none."""
    folder = Path(folder)
    if folder.is_file():
        return folder
    for name in RUN_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def ask_run(window: Any) -> bool:
    """Ask for a run folder and open it."""
    folder = QFileDialog.getExistingDirectory(window, "Open run (a folder the training script "
                                              "wrote)", window.files.last_dir)
    return bool(folder) and open_run(window, folder)


def open_run(window: Any, folder: str | Path) -> bool:
    """Load the run in ``folder`` into the Training panel; a message says why not."""
    checkpoint = run_checkpoint(folder)
    if checkpoint is None:
        window.files.show_error("Cannot open the run", f"{folder} holds no {' or '.join(RUN_FILES)}"
                                ": choose the folder the training script wrote into (its --out "
                                "option, runs/NAME by default).")
        return False
    if window.training.running:
        window.files.show_error("Cannot open the run", "A training run is in progress: stop it "
                                "first, then open the run.")
        return False
    window.show_training_panel()
    panel = window.training.ensure_panel()
    if panel is None:
        window.files.show_error("Cannot open the run", "Opening a run needs the training panel, "
                                "which is not installed.")
        return False
    if not panel.load_checkpoint_from(checkpoint):
        return False                  # the panel says why (another network, a damaged file)
    window.statusBar().showMessage(f"Opened the run folder '{Path(folder).name}' "
                                   f"({checkpoint.name})", 8000)
    return True
