"""The training settings a student picks: dataset, task (the dataset's own, or reconstruction
with optional input noise), loss, optimiser, learning rate, batch size, epochs, device, seed
and early stopping.

``SettingsForm.values()`` gives them as the plain dict a project file keeps under
``training``; ``stored_settings`` decides what is written back (only keys that differ from
the defaults or were already in the file, so files stay short). Local data (CSV, NPZ, an
image folder, MNIST IDX, CIFAR-10 binary) is picked with a file or folder dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from netbuilder.runtime.config import LOSSES, OPTIMIZERS, TASKS, TrainingConfig
from netbuilder.runtime.datasets import format_shape, list_datasets

DEFAULTS: dict[str, Any] = TrainingConfig().to_dict()
MANAGED = ("dataset", "task", "denoise_std", "loss", "optimizer", "lr", "batch_size", "epochs",
           "device", "seed", "early_stopping_patience")
TASK_NAMES = {"auto": "The dataset's labels", "reconstruction": "Reconstruct the input"}
TASK_TIPS = {
    "auto": "Learn the dataset's targets: its classes, numbers, or (shapes) a class per pixel",
    "reconstruction": "Autoencoder: the target is the input itself; the output must have the "
                      "input's shape (loss: MSE)",
}
LOSS_NAMES = {
    "cross_entropy": "Cross-entropy",
    "bce_with_logits": "Binary cross-entropy",
    "mse": "MSE (squared error)",
    "l1": "L1 (absolute error)",
    "nll": "NLL (after LogSoftmax)",
}
LOSS_TIPS = {
    "cross_entropy": "Cross-entropy: for classes; the last layer gives one score per class",
    "bce_with_logits": "Binary cross-entropy on logits: yes/no targets, one output each",
    "mse": "Mean squared error: for regression (numbers as targets)",
    "l1": "Mean absolute error: regression that cares less about outliers",
    "nll": "Negative log-likelihood: classes, after a LogSoftmax layer",
}
OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop",
                   "adagrad": "Adagrad", "adadelta": "Adadelta"}
DEVICES = {"auto": "auto (best available)", "cpu": "CPU", "cuda": "CUDA (NVIDIA GPU)",
           "mps": "MPS (Apple GPU)"}
LR_PRESETS = ("1", "0.1", "0.03", "0.01", "0.003", "0.001", "0.0003", "0.0001")
OPEN_FILE, OPEN_FOLDER = "\x00open-file", "\x00open-folder"
DATA_FILTER = ("Data files (*.csv *.tsv *.txt *.npz *.bin *ubyte *ubyte.gz *.idx *.idx3);;"
               "All files (*)")


def stored_settings(original: dict[str, Any] | None, file_keys: set[str],
                    values: dict[str, Any]) -> dict[str, Any] | None:
    """What to save: the file's settings with the form's values where they differ from the
    defaults or where the file already named them; other keys of the file are kept as is."""
    out = dict(original or {})
    for key, value in values.items():
        if key in file_keys or value != DEFAULTS.get(key):
            out[key] = value
        else:
            out.pop(key, None)
    return out or (None if original is None else {})


def device_availability() -> dict[str, bool]:
    """Which devices torch can use here (asked only when the form first needs it)."""
    import torch

    mps = getattr(torch.backends, "mps", None)
    return {"auto": True, "cpu": True, "cuda": bool(torch.cuda.is_available()),
            "mps": bool(mps is not None and mps.is_available())}


def dataset_label(info: Any) -> str:
    shape = format_shape(tuple(info.sample_shape))
    what = {"classification": f"{info.num_classes} classes",
            "segmentation": f"{info.num_classes} classes per pixel"}.get(info.task, "regression")
    return f"{info.title} · {shape} · {what}"


class SettingsForm(QWidget):
    """Two columns of labelled fields; ``edited`` after every change the user makes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("training_settings")
        self._loading = False
        self._previous_dataset = 0
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)

        self.dataset = QComboBox()
        self.dataset.setObjectName("training_dataset")
        self.dataset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset.setMinimumContentsLength(18)
        for info in list_datasets():
            self.dataset.addItem(dataset_label(info), info.name)
            self.dataset.setItemData(self.dataset.count() - 1,
                                     f"'{info.name}': {info.description}", Qt.ItemDataRole.ToolTipRole)
        self.dataset.insertSeparator(self.dataset.count())
        self.dataset.addItem("Open data file… (CSV, NPZ, MNIST IDX, CIFAR-10 .bin)", OPEN_FILE)
        self.dataset.addItem("Open data folder… (images by class, MNIST, CIFAR-10)", OPEN_FOLDER)
        self.dataset.activated.connect(self._on_dataset_activated)

        self.task = self._choices("training_task", {k: TASK_NAMES.get(k, k) for k in TASKS})
        for row, key in enumerate(TASKS):
            self.task.setItemData(row, TASK_TIPS.get(key, key), Qt.ItemDataRole.ToolTipRole)
        self.task.currentIndexChanged.connect(self._update_noise)
        self.denoise = QDoubleSpinBox()
        self.denoise.setObjectName("training_denoise_std")
        self.denoise.setRange(0.0, 10.0)
        self.denoise.setSingleStep(0.05)
        self.denoise.setDecimals(2)
        self.denoise.setSpecialValueText("off")
        self.denoise.setToolTip("Denoising autoencoder: Gaussian noise of this standard deviation "
                                "is added to the input only; the target stays the clean input")
        self.denoise.valueChanged.connect(self._changed)
        self.loss = self._choices("training_loss", {k: LOSS_NAMES.get(k, k) for k in LOSSES})
        for row, key in enumerate(LOSSES):
            self.loss.setItemData(row, LOSS_TIPS.get(key, key), Qt.ItemDataRole.ToolTipRole)
        self.optimizer = self._choices("training_optimizer",
                                       {k: OPTIMIZER_NAMES.get(k, k) for k in OPTIMIZERS})
        self.lr = QComboBox()
        self.lr.setObjectName("training_lr")
        self.lr.setEditable(True)
        self.lr.addItems(LR_PRESETS)
        validator = QDoubleValidator(0.0, 1e9, 12, self.lr)
        validator.setNotation(QDoubleValidator.Notation.ScientificNotation)
        self.lr.setValidator(validator)
        self.lr.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lr.currentTextChanged.connect(self._changed)
        self.batch_size = self._spin("training_batch_size", 1, 1 << 16)
        self.epochs = self._spin("training_epochs", 1, 100_000)
        self.seed = self._spin("training_seed", 0, 2**31 - 1)
        self.patience = self._spin("training_patience", 0, 10_000)
        self.patience.setSpecialValueText("off")
        self.patience.setToolTip("Stop when the validation loss has not improved for this many "
                                 "epochs (off: train all epochs)")
        self.device = self._choices("training_device", DEVICES)
        self._devices_known = False

        rows = [
            (("Data", self.dataset),),
            (("Task", self.task), ("Input noise", self.denoise)),
            (("Loss", self.loss), ("Optimiser", self.optimizer)),
            (("Learning rate", self.lr), ("Batch size", self.batch_size)),
            (("Epochs", self.epochs), ("Early stop", self.patience)),
            (("Device", self.device), ("Seed", self.seed)),
        ]
        for r, row in enumerate(rows):
            for c, (text, field) in enumerate(row):
                label = QLabel(text)
                label.setBuddy(field)
                grid.addWidget(label, r, 2 * c)
                grid.addWidget(field, r, 2 * c + 1, 1, 3 if len(row) == 1 else 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.load(None)
        QTimer.singleShot(0, self, self.update_devices)

    def _choices(self, name: str, items: dict[str, str]) -> QComboBox:
        box = QComboBox()
        box.setObjectName(name)
        for key, text in items.items():
            box.addItem(text, key)
        box.currentIndexChanged.connect(self._changed)
        return box

    def _spin(self, name: str, low: int, high: int) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(name)
        box.setRange(low, high)
        box.setGroupSeparatorShown(True)
        box.valueChanged.connect(self._changed)
        return box

    def _changed(self, *_args: Any) -> None:
        if not self._loading:
            self.edited.emit()

    def _update_noise(self, *_args: Any) -> None:
        """Input noise means something only when the input is also the target."""
        self.denoise.setEnabled(self.task.currentData() == "reconstruction"
                                or self.denoise.value() > 0)

    # -- values ---------------------------------------------------------------------------
    def load(self, training: dict[str, Any] | None) -> None:
        """Show the settings of a project (defaults for what it does not say)."""
        s = {**DEFAULTS, **(training or {})}
        self._loading = True
        try:
            self.set_dataset(str(s["dataset"]), notify=False)
            self._select(self.task, str(s["task"]))
            noise = s["denoise_std"]
            self.denoise.setValue(float(noise) if isinstance(noise, int | float) else 0.0)
            self._update_noise()
            self._select(self.loss, s["loss"])
            self._select(self.optimizer, s["optimizer"])
            self.lr.setCurrentText(f"{s['lr']:g}" if isinstance(s["lr"], int | float) else str(s["lr"]))
            for box, key in ((self.batch_size, "batch_size"), (self.epochs, "epochs"),
                             (self.seed, "seed")):
                value = s[key]
                box.setValue(value if isinstance(value, int) else DEFAULTS[key])
            patience = s["early_stopping_patience"]
            self.patience.setValue(patience if isinstance(patience, int) else 0)
            self._select(self.device, str(s["device"]))
        finally:
            self._loading = False

    def _select(self, box: QComboBox, key: str) -> None:
        index = box.findData(key)
        if index < 0:   # a value from the file the form does not list: show it as it is
            box.addItem(key, key)
            index = box.count() - 1
        box.setCurrentIndex(index)

    def values(self) -> dict[str, Any]:
        text = self.lr.currentText().strip()
        try:
            lr: Any = float(text)
        except ValueError:
            lr = text     # the plan check explains what a learning rate must be
        return {
            "dataset": self.dataset.currentData(),
            "task": self.task.currentData(),
            "denoise_std": self.denoise.value(),
            "loss": self.loss.currentData(),
            "optimizer": self.optimizer.currentData(),
            "lr": lr,
            "batch_size": self.batch_size.value(),
            "epochs": self.epochs.value(),
            "device": self.device.currentData(),
            "seed": self.seed.value(),
            "early_stopping_patience": self.patience.value() or None,
        }

    def summary(self) -> str:
        """One line of the settings, for presentation mode."""
        v = self.values()
        lr = v["lr"] if isinstance(v["lr"], str) else f"{v['lr']:g}"
        return (f"Training on {Path(str(v['dataset'])).name} · {self.loss.currentText()} · "
                f"{self.optimizer.currentText()} lr {lr} · batch {v['batch_size']} · "
                f"{v['epochs']} epochs")

    # -- datasets -------------------------------------------------------------------------
    def set_dataset(self, name_or_path: str, notify: bool = True) -> None:
        """Select a shipped dataset by name, or a local file or folder by path."""
        index = self.dataset.findData(name_or_path)
        if index < 0:
            path = Path(name_or_path)
            text = f"{path.name}  ({path.parent})" if path.name else name_or_path
            index = self.dataset.count() - 3   # before the separator and the two Open entries
            self.dataset.insertItem(index, text, name_or_path)
            self.dataset.setItemData(index, name_or_path, Qt.ItemDataRole.ToolTipRole)
        self.dataset.setCurrentIndex(index)
        self._previous_dataset = index
        if notify:
            self._changed()

    def _on_dataset_activated(self, index: int) -> None:
        kind = self.dataset.itemData(index)
        if kind not in (OPEN_FILE, OPEN_FOLDER):
            if index != self._previous_dataset:
                self._previous_dataset = index
                self._changed()
            return
        if kind == OPEN_FILE:
            path, _ = QFileDialog.getOpenFileName(self, "Open a data file", "", DATA_FILTER)
        else:
            path = QFileDialog.getExistingDirectory(self, "Open a data folder")
        if path:
            self.set_dataset(path)
        else:
            self.dataset.setCurrentIndex(self._previous_dataset)

    def update_devices(self) -> None:
        """Mark devices torch cannot use here (they stay selectable only if already chosen)."""
        if self._devices_known:
            return
        self._devices_known = True
        available = device_availability()
        model = self.device.model()
        if not isinstance(model, QStandardItemModel):
            return
        best = "CUDA GPU" if available["cuda"] else "Apple GPU" if available["mps"] else "CPU"
        auto = self.device.findData("auto")
        if auto >= 0:
            self.device.setItemText(auto, f"auto ({best} here)")
        for row in range(self.device.count()):
            key = self.device.itemData(row)
            if available.get(key, True):
                continue
            item = model.item(row)
            item.setText(f"{DEVICES.get(key, key)} — not available here")
            if row != self.device.currentIndex():
                item.setEnabled(False)
