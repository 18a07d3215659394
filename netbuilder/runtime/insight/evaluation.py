"""Judging a trained network on its validation samples: the figures behind the evaluation views.

Classification: predictions and probabilities per sample, the confusion matrix, per-class
precision, recall and F1 (scikit-learn's), the misclassified samples most confidently wrong
first. Regression: predictions against targets, MSE and MAE. Predictions use the trainer's
own rule (``losses.predicted_classes``), so the accuracy here is the trainer's ``val_acc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from netbuilder.runtime.insight.data import EvalSet
from netbuilder.runtime.insight.probe import Prober
from netbuilder.runtime.losses import predicted_classes


@dataclass(frozen=True)
class ClassScores:
    name: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True, eq=False)
class Evaluation:
    """What a network does on an EvalSet (numpy arrays, CPU)."""

    classification: bool
    samples: int
    predictions: np.ndarray            # class ids, or predicted values (N, ...) for regression
    targets: np.ndarray
    probabilities: np.ndarray | None   # (N, classes) for classification
    classes: list[str] = field(default_factory=list)
    confusion: np.ndarray | None = None  # rows: true class, columns: predicted class
    per_class: list[ClassScores] = field(default_factory=list)
    accuracy: float | None = None
    mse: float | None = None
    mae: float | None = None

    @property
    def confidence(self) -> np.ndarray:
        """The probability given to the predicted class, per sample."""
        assert self.probabilities is not None
        return self.probabilities[np.arange(self.samples), self.predictions]

    def misclassified(self, limit: int | None = None) -> list[int]:
        """Positions in the EvalSet of wrong predictions, most confidently wrong first."""
        if not self.classification:
            return []
        wrong = np.nonzero(self.predictions != self.targets)[0]
        order = wrong[np.argsort(-self.confidence[wrong], kind="stable")]
        return [int(i) for i in order[:limit]]

    def normalised_confusion(self) -> np.ndarray:
        """Each row divided by its total: the share of each true class given to each class."""
        assert self.confusion is not None
        totals = self.confusion.sum(axis=1, keepdims=True)
        return np.divide(self.confusion, np.maximum(totals, 1), dtype=float)

    def to_json(self) -> dict:
        """The figures as plain JSON (``netbuilder report --json``)."""
        if not self.classification:
            return {"task": "regression", "samples": self.samples, "mse": self.mse, "mae": self.mae}
        return {
            "task": "classification",
            "accuracy": self.accuracy,
            "confusion_matrix": self.confusion.tolist(),
            "classes": list(self.classes),
            "per_class": {c.name: {"precision": c.precision, "recall": c.recall, "f1": c.f1,
                                   "support": c.support} for c in self.per_class},
            "samples": self.samples,
        }


def outputs(prober: Prober, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """The network's outputs for every sample of ``x``, in batches, without gradients."""
    parts = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            out, _ = prober.forward(x[start:start + batch_size])
            parts.append(out.float().cpu())
    return torch.cat(parts) if parts else torch.empty(0)


def probabilities_of(output: torch.Tensor, loss: str) -> torch.Tensor:
    """Class probabilities from the network's output, for the loss it trained with."""
    if loss == "bce_with_logits":
        p = torch.sigmoid(output.reshape(output.shape[0]))
        return torch.stack([1 - p, p], dim=1)
    if loss == "nll":                    # the network ends in LogSoftmax
        return output.exp()
    if output.dim() == 2 and bool(((output >= 0) & (output <= 1)).all()) and \
            torch.allclose(output.sum(dim=1), torch.ones(output.shape[0]), atol=1e-4):
        return output                    # the network ends in Softmax
    return torch.softmax(output, dim=1)


def evaluate(prober: Prober, data: EvalSet, loss: str = "cross_entropy",
             batch_size: int = 256) -> Evaluation:
    """Judge the network behind ``prober`` on ``data``."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    out = outputs(prober, data.x, batch_size)
    n = len(data)
    if not data.info.is_classification:
        pred = out.reshape(n, -1).numpy()
        true = data.y.float().reshape(n, -1).numpy()
        diff = pred - true
        return Evaluation(False, n, pred, true, None,
                          mse=float((diff ** 2).mean()) if n else None,
                          mae=float(np.abs(diff).mean()) if n else None)
    pred = predicted_classes(loss, out).numpy()
    true = data.y.numpy()
    probs = probabilities_of(out, loss).numpy()
    classes = data.classes
    labels = list(range(len(classes)))
    cm = confusion_matrix(true, pred, labels=labels)
    p, r, f, s = precision_recall_fscore_support(true, pred, labels=labels, zero_division=0)
    per_class = [ClassScores(classes[i], float(p[i]), float(r[i]), float(f[i]), int(s[i]))
                 for i in labels]
    accuracy = float((pred == true).mean()) if n else None
    return Evaluation(True, n, pred, true, probs, classes, cm, per_class, accuracy)
