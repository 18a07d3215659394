"""The weights the panel holds: those of the last run, or those loaded from a checkpoint.

Saving copies the trainer's own ``last.pt`` when it holds exactly these weights (a finished
run: optimiser and schedule come along, so the CLI can resume from it); otherwise it writes
a checkpoint of the model with the runtime's ``save_checkpoint``. Loading checks the graph
fingerprint first (the runtime's message for a checkpoint of another network), then builds
a model for the current graph and puts the weights in it.

Weights can be *continued* (trained further by the runtime's resume) when ``source_file``
holds exactly them together with the trainer's state (optimiser, schedule, history): the
``last.pt`` of a run that ended at an epoch's end, or a loaded file written that way. A run
stopped part-way through an epoch continues from the end of its last whole epoch
(``restart_file``: that epoch's ``last.pt``); what it trained of the next one is trained again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.graph import atomic
from netbuilder.graph.model import Graph
from netbuilder.graph.project import fingerprint
from netbuilder.runtime.checkpoint import load_checkpoint, restore_model, save_checkpoint
from netbuilder.runtime.errors import CheckpointError


@dataclass
class TrainedWeights:
    state_dict: dict[str, Any]            # CPU tensors, a copy: safe to hand to export
    fingerprint: str                      # of the graph they belong to
    epoch: int                            # whole epochs trained
    metrics: dict[str, Any] = field(default_factory=dict)
    source_file: str | None = None        # a checkpoint holding exactly these weights
    model: Any = None                     # the trained module, to write a checkpoint from
    origin: str = "run"                   # 'run' or the loaded file's name
    resumable: bool = False               # source_file has the trainer state to go on from
    history: tuple[dict[str, Any], ...] = ()   # per-epoch figures of a loaded checkpoint
    # A run stopped part-way through an epoch: its weights are those of the stop, but a
    # continued run starts from the end of its last whole epoch (``epoch``), this file.
    restart_file: str | None = None

    @property
    def resume_file(self) -> str | None:
        """The checkpoint a continued run starts from; None when these weights cannot go on."""
        return self.source_file if self.resumable else self.restart_file

    @property
    def part_way(self) -> bool:
        """True when Continue goes on from the last whole epoch, not from these weights."""
        return not self.resumable and self.restart_file is not None


def from_run(model: Any, graph_fingerprint: str, epochs_done: int, metrics: dict[str, Any],
             checkpoint_file: str | None, restart_file: str | None = None) -> TrainedWeights:
    original = getattr(model, "_orig_mod", model)
    state = {k: v.detach().cpu().clone() for k, v in original.state_dict().items()}
    if checkpoint_file is not None and not Path(checkpoint_file).is_file():
        checkpoint_file = None
    if restart_file is not None and not Path(restart_file).is_file():
        restart_file = None
    # the trainer's last.pt always carries its state: these weights can go on from it
    return TrainedWeights(state, graph_fingerprint, epochs_done, dict(metrics),
                          checkpoint_file, model, resumable=checkpoint_file is not None,
                          restart_file=restart_file)


def save(weights: TrainedWeights, path: str | Path) -> Path:
    """Write ``weights`` as a netbuilder checkpoint; CheckpointError says why it could not."""
    path = Path(path)
    if weights.source_file is not None:
        try:
            atomic.copy_file(weights.source_file, path)
        except atomic.WriteError as exc:
            raise CheckpointError(str(exc)) from None
        except OSError as exc:
            raise CheckpointError(f"{weights.source_file}: cannot be read to copy it "
                                  f"({exc.strerror or exc})") from None
        return path
    if weights.model is None:
        raise CheckpointError("there are no weights to save: train the network or load a checkpoint")
    metrics = {k: v for k, v in weights.metrics.items() if isinstance(v, int | float | str | None)}
    return save_checkpoint(path, weights.model, None, weights.epoch, weights.fingerprint, metrics)


def load(path: str | Path, graph: Graph) -> TrainedWeights:
    """Weights from a checkpoint file, checked against ``graph`` and put into a model for it.

    CheckpointError for an unreadable file or one saved for another network; CompileError
    (from codegen) when the current graph cannot be built.
    """
    from netbuilder.codegen.build import build_module

    fp = fingerprint(graph)
    checkpoint = load_checkpoint(path, expected_fingerprint=fp)
    model = build_module(graph)
    restore_model(checkpoint, model)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    trainer = checkpoint.trainer_state
    resumable = bool(trainer.get("config")) and checkpoint.optimizer_state is not None
    history = tuple(dict(h) for h in trainer.get("history") or () if isinstance(h, dict))
    return TrainedWeights(state, fp, checkpoint.epoch, dict(checkpoint.metrics), str(path),
                          model, Path(path).name, resumable, history)
