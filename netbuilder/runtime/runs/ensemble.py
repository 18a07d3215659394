"""An ensemble of recorded runs: their averaged prediction on the validation set.

``evaluate_ensemble(runs)`` loads each run's graph (its copy in the history) and best
checkpoint, feeds every member the same validation samples (the split the runs were judged
on: same dataset, ``val_fraction`` and ``seed``; each run's own normalisation), averages
the members' class probabilities (classification) or outputs (regression), and scores the
average against each member alone. Runs that were validated on different data, or whose
outputs differ in shape, are refused with a message naming them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from netbuilder.runtime.errors import NetbuilderRuntimeError
from netbuilder.runtime.runs.store import Run

SAME_DATA = ("dataset", "dataset_options", "val_fraction", "seed")


class EnsembleError(NetbuilderRuntimeError, ValueError):
    """The chosen runs cannot be averaged; the message says which and why."""


@dataclass(frozen=True)
class EnsembleResult:
    classification: bool
    samples: int
    members: list[tuple[str, float]]    # (run name, accuracy or MSE)
    ensemble: float

    @property
    def metric(self) -> str:
        return "accuracy" if self.classification else "MSE"

    def lines(self) -> list[str]:
        show = (lambda v: f"{v:.1%}") if self.classification else (lambda v: f"{v:.4g}")
        out = [f"ensemble of {len(self.members)} runs: validation {self.metric} "
               f"{show(self.ensemble)} on {self.samples} samples"]
        out += [f"  {name}: {show(value)}" for name, value in self.members]
        best = (max if self.classification else min)(v for _, v in self.members)
        better = self.ensemble > best if self.classification else self.ensemble < best
        out.append("the average beats every member" if better else
                   "the average does not beat the best member")
        return out


def evaluate_ensemble(runs: Sequence[Run], dataset: Any = None) -> EnsembleResult:
    """Average ``runs`` (two or more, each with a best checkpoint) on their validation set."""
    import torch

    from netbuilder.graph.errors import ProjectFileError
    from netbuilder.graph.project import fingerprint, project_from_dict
    from netbuilder.runtime.checkpoint import load_checkpoint
    from netbuilder.runtime.config import config_from_dict
    from netbuilder.runtime.datasets import load_dataset
    from netbuilder.runtime.errors import CheckpointError, ConfigError, DatasetError
    from netbuilder.runtime.insight.data import eval_set
    from netbuilder.runtime.insight.evaluation import outputs, probabilities_of
    from netbuilder.runtime.insight.probe import Prober

    if len(runs) < 2:
        raise EnsembleError("an ensemble needs two or more runs: select several")
    first = runs[0]
    for run in runs:
        if run.best_checkpoint is None or not run.best_checkpoint.is_file():
            raise EnsembleError(f"'{run.name}' kept no best checkpoint (it had no validation "
                                "epoch, or its file was removed); leave it out")
        differs = [k for k in SAME_DATA if run.settings.get(k) != first.settings.get(k)]
        if differs:
            raise EnsembleError(
                f"'{run.name}' and '{first.name}' were validated on different data "
                f"({', '.join(differs)} differ); an ensemble needs the same validation split")
    try:
        config = config_from_dict(first.settings)
        if dataset is None:
            dataset = load_dataset(config.dataset, **dict(config.dataset_options))
    except (ConfigError, DatasetError) as exc:
        raise EnsembleError(f"'{first.name}': {exc}") from None
    members: list[tuple[str, Any]] = []
    target = None
    for run in runs:
        try:
            graph = project_from_dict(run.graph).graph
            checkpoint = load_checkpoint(run.best_checkpoint,
                                         expected_fingerprint=fingerprint(graph))
            settings = config_from_dict(run.settings)
        except (ProjectFileError, CheckpointError, ConfigError) as exc:
            raise EnsembleError(f"'{run.name}': {exc}") from None
        data = eval_set(dataset, settings.val_fraction, settings.seed,
                        normalize=settings.normalize,
                        normalization=checkpoint.trainer_state.get("normalization"))
        out = outputs(Prober(graph, checkpoint.model_state), data.x)
        if data.info.is_classification:
            out = probabilities_of(out, settings.loss)
        if members and out.shape != members[0][1].shape:
            raise EnsembleError(f"'{run.name}' answers with shape {tuple(out.shape)[1:]} and "
                                f"'{members[0][0]}' with {tuple(members[0][1].shape)[1:]}: "
                                "only networks with the same output can be averaged")
        members.append((run.name, out))
        target = data
    assert target is not None
    y = target.y
    mean = torch.stack([o for _, o in members]).mean(dim=0)

    def score(out: Any) -> float:
        if target.info.is_classification:
            return float((out.argmax(dim=1) == y).float().mean())
        return float(((out.reshape(y.shape[0], -1) - y.float().reshape(y.shape[0], -1))
                      ** 2).mean())

    return EnsembleResult(target.info.is_classification, len(target),
                          [(name, score(o)) for name, o in members], score(mean))
