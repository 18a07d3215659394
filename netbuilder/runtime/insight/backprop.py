"""Backpropagation one step at a time: every number of a training step, recorded.

A :class:`Stepper` builds the project's network the way training does (the tap variant of
the generated source, weights drawn from the run's seed, the same loss, optimiser and
schedule) and runs training steps on small mini-batches taken in the order the trainer's
first epoch takes them. For each step it keeps, as plain CPU tensors:

* the output of every node (the forward pass; the taps of ``runtime.insight.taps``),
* the loss, and the gradient of the loss with respect to every node's output
  (``retain_grad`` on the tapped tensors, then one ``backward``, as training does),
* for every parameter: its value before the step, its gradient, its value after the
  optimiser's step, and the update the optimiser applied (after - before).

Steps are kept, so going back shows an earlier step exactly as it was; going forward past
the last step runs a new one. A :class:`StepCursor` walks the four phases of each step
(Forward, Loss, Backward, Update) for a view. Networks too large to show every number are
refused with :class:`TooBigToStep`, which says why and what to try.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from netbuilder.runtime.errors import TrainingError
from netbuilder.runtime.insight.probe import path_text, probe_targets
from netbuilder.runtime.insight.stats import path_key
from netbuilder.runtime.insight.taps import NodePath, attach, is_block_instance

MAX_UNITS = 500            # outputs of all layers for one sample
MAX_PARAMETERS = 5000
DEFAULT_BATCH = 4          # a few samples: every number stays readable
PHASES = ("forward", "loss", "backward", "update")
PHASE_TITLES = {"forward": "Forward", "loss": "Loss", "backward": "Backward", "update": "Update"}


class TooBigToStep(TrainingError):
    """The network has too many units or parameters to show every number of a step."""


@dataclass(frozen=True)
class NodeStep:
    """One node in one step: its output for the batch and the loss's gradient w.r.t. it."""

    path: NodePath
    type: str
    label: str
    value: torch.Tensor                  # (batch, ...) forward output
    grad: torch.Tensor | None            # d loss / d output, same shape; None: no gradient

    @property
    def key(self) -> str:
        return path_key(self.path)


@dataclass(frozen=True)
class ParamStep:
    """One parameter tensor in one step: before, gradient, after and the applied update."""

    node: NodePath
    name: str                            # the state_dict key, e.g. "hidden1.weight"
    before: torch.Tensor
    grad: torch.Tensor | None
    after: torch.Tensor

    @property
    def update(self) -> torch.Tensor:
        return self.after - self.before

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class StepRecord:
    """Everything one training step computed, in the order it computed it."""

    number: int                          # 1-based
    positions: tuple[int, ...]           # the samples' positions in the dataset
    inputs: torch.Tensor
    targets: torch.Tensor
    output: torch.Tensor
    loss: float
    objective: float                     # loss + the L1 term, what backward() differentiated
    lr: float
    nodes: tuple[NodeStep, ...]
    params: tuple[ParamStep, ...]
    _by_key: dict[str, NodeStep] = field(default_factory=dict, repr=False, compare=False)

    def node(self, key: str | NodePath) -> NodeStep | None:
        if not self._by_key:
            self._by_key.update({n.key: n for n in self.nodes})
        return self._by_key.get(key if isinstance(key, str) else path_key(key))

    def params_of(self, key: str | NodePath) -> list[ParamStep]:
        k = key if isinstance(key, str) else path_key(key)
        return [p for p in self.params if path_key(p.node) == k]


def network_size(graph: Any, analysis: Any = None) -> tuple[int, int]:
    """(units, parameters): outputs of every layer for one sample, and trainable weights."""
    from netbuilder.graph.analysis import analyze

    analysis = analysis or analyze(graph)
    units = 0
    for t in probe_targets(graph, analysis):
        if t.type == "Input" or t.tensor is None:
            continue
        n = 1
        for d in t.tensor.shape:
            n *= int(d) if isinstance(d, int) else 1
        units += n
    params = sum(info.params or 0 for info in analysis.nodes.values())
    return units, params


def size_refusal(graph: Any, analysis: Any = None) -> str | None:
    """Why the network is too big to step through, in words; None when it is small enough."""
    units, params = network_size(graph, analysis)
    if units <= MAX_UNITS and params <= MAX_PARAMETERS:
        return None
    return (f"Step mode shows every number of a training step, so it is made for small "
            f"networks: this one has {units:,} units (layer outputs for one sample; the limit "
            f"is {MAX_UNITS:,}) and {params:,} parameters (the limit is {MAX_PARAMETERS:,}). "
            f"Try it on a smaller copy: fewer out_features or channels, a smaller Input, or "
            f"the example 'MLP on moons'.")


def _first_epoch_order(n_train: int, seed: int) -> torch.Tensor:
    from netbuilder.runtime.trainer import _epoch_seed

    return torch.randperm(n_train, generator=torch.Generator().manual_seed(_epoch_seed(seed, 1)))


class Stepper:
    """Training steps of ``graph`` under ``config`` on ``dataset``, recorded one by one.

    ``batch_size`` (default :data:`DEFAULT_BATCH`) is the number of samples per step; 1
    steps through a single sample. ``state_dict`` starts from given weights instead of the
    seed's fresh ones. Raises :class:`TooBigToStep` for a large network.
    """

    def __init__(self, graph: Any, config: Any, dataset: Any, *, batch_size: int = DEFAULT_BATCH,
                 state_dict: Mapping[str, torch.Tensor] | None = None, analysis: Any = None) -> None:
        from netbuilder.codegen.build import build_tap_module
        from netbuilder.graph.analysis import analyze
        from netbuilder.runtime.datasets.normalize import fit_normalization
        from netbuilder.runtime.datasets.split import split_indices
        from netbuilder.runtime.optim import Schedule, build_optimizer

        self.analysis = analysis or analyze(graph)
        refusal = size_refusal(graph, self.analysis)
        if refusal:
            raise TooBigToStep(refusal)
        self.graph, self.config, self.dataset = graph, config, dataset
        self.batch_size = max(1, int(batch_size))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)          # the weights training starts from
            self.model, plan, namespace = build_tap_module(graph, self.analysis)
        if state_dict is not None:
            self.model.load_state_dict(dict(state_dict), strict=True)
        self.model.train()
        self._targets = {t.path: t for t in probe_targets(graph, self.analysis)}
        self._seen: list[tuple[NodePath, torch.Tensor]] = []
        self._listening = False
        modules = attach(self.model, plan, namespace, self._heard)
        self._param_nodes: dict[int, NodePath] = {}
        for path, m in modules.items():
            if not is_block_instance(m, plan, namespace):
                for p in m.parameters(recurse=True):
                    self._param_nodes.setdefault(id(p), path)
        self._named = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        self.params = [p for _, p in self._named]
        self.optimizer = build_optimizer(self.params, config)
        train_idx, _val = split_indices(dataset, config.val_fraction, config.seed)
        self._train_idx = train_idx
        self._x = dataset.x[train_idx].clone()
        self._y = dataset.y[train_idx]
        if config.normalize:
            norm = fit_normalization(self._x)
            if norm is not None:
                norm.apply_(self._x)
        self._order = _first_epoch_order(len(self._x), config.seed)
        per_epoch = max(1, len(self._x) // self.batch_size)
        self.schedule = Schedule(self.optimizer, config, per_epoch)
        self.steps: list[StepRecord] = []

    # -- listening ------------------------------------------------------------------------
    def _heard(self, path: NodePath, value: Any) -> None:
        if self._listening and isinstance(value, torch.Tensor) and value.is_floating_point():
            if value.requires_grad and not value.is_leaf:
                value.retain_grad()
            self._seen.append((path, value))

    # -- steps ----------------------------------------------------------------------------
    def step(self, number: int) -> StepRecord:
        """Step ``number`` (1-based): recorded ones as they were; the next one is run now."""
        while len(self.steps) < number:
            self.steps.append(self._run(len(self.steps) + 1))
        return self.steps[number - 1]

    def batch_positions(self, number: int) -> list[int]:
        """The dataset positions of step ``number``'s samples (the first epoch's order, wrapped)."""
        n = len(self._order)
        start = ((number - 1) * self.batch_size) % n
        picks = [int(self._order[(start + i) % n]) for i in range(min(self.batch_size, n))]
        return picks

    def _run(self, number: int) -> StepRecord:
        from netbuilder.runtime.losses import compute_loss

        c = self.config
        picks = self.batch_positions(number)
        xb, yb = self._x[picks], self._y[picks]
        before = [p.detach().clone() for p in self.params]
        lr = float(self.optimizer.param_groups[0]["lr"])
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(c.seed * 1_000_003 + number)      # dropout: repeatable, isolated
            self._seen, self._listening = [], True
            try:
                output = self.model(xb)
            finally:
                self._listening = False
            if isinstance(output, tuple):
                output = output[0]
            loss = compute_loss(c.loss, output, yb)
            objective = loss
            if c.l1 > 0:
                objective = loss + c.l1 * sum(p.abs().sum() for p in self.params if p.dim() > 1)
            self.optimizer.zero_grad(set_to_none=True)
            objective.backward()
            if c.grad_clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(self.params, c.grad_clip_norm, foreach=True)
            grads = [None if p.grad is None else p.grad.detach().clone() for p in self.params]
            self.optimizer.step()
            self.schedule.after_batch()
        nodes = []
        for path, value in self._seen:
            target = self._targets.get(path)
            g = value.grad if value.requires_grad else None
            nodes.append(NodeStep(path, target.type if target else "", target.label if target
                                  else path_text(path), value.detach().clone(),
                                  None if g is None else g.detach().clone()))
        for _path, value in self._seen:       # after: a block's output is its last node's
            value.grad = None
        self._seen = []
        params = tuple(
            ParamStep(self._param_nodes.get(id(p), (name.split(".")[0],)), name, b, g,
                      p.detach().clone())
            for (name, p), b, g in zip(self._named, before, grads, strict=True))
        self.optimizer.zero_grad(set_to_none=True)
        positions = tuple(int(self._train_idx[i]) for i in picks)
        return StepRecord(number, positions, xb.clone(), yb.clone(), output.detach().clone(),
                          float(loss.detach()), float(objective.detach()), lr, tuple(nodes), params)


class StepCursor:
    """Where a view stands: a step number and one of its phases; moves one phase at a time."""

    def __init__(self, stepper: Stepper) -> None:
        self.stepper = stepper
        self.number = 0          # 0: nothing run yet
        self.phase = PHASES[-1]

    @property
    def record(self) -> StepRecord | None:
        return self.stepper.step(self.number) if self.number else None

    def next(self) -> tuple[StepRecord, str]:
        """The next phase; after Update, the Forward phase of the next step (run if new)."""
        i = PHASES.index(self.phase)
        if i == len(PHASES) - 1 or self.number == 0:
            self.number, self.phase = self.number + 1, PHASES[0]
        else:
            self.phase = PHASES[i + 1]
        return self.stepper.step(self.number), self.phase

    def previous(self) -> tuple[StepRecord | None, str]:
        """The phase before; before Forward, the Update phase of the step before."""
        if self.number == 0:
            return None, self.phase
        i = PHASES.index(self.phase)
        if i > 0:
            self.phase = PHASES[i - 1]
        elif self.number > 1:
            self.number, self.phase = self.number - 1, PHASES[-1]
        return self.stepper.step(self.number), self.phase

    @property
    def can_go_back(self) -> bool:
        return self.number > 1 or (self.number == 1 and self.phase != PHASES[0])


def stepper_for(graph: Any, settings: Mapping[str, Any] | None, *, dataset: Any = None,
                batch_size: int = DEFAULT_BATCH,
                state_dict: Mapping[str, torch.Tensor] | None = None) -> Stepper:
    """A Stepper for a project's graph and training settings; TrainingError says what is wrong."""
    from netbuilder.graph.analysis import analyze
    from netbuilder.runtime.session import plan_training

    analysis = analyze(graph)
    if analysis.valid:
        refusal = size_refusal(graph, analysis)
        if refusal:
            raise TooBigToStep(refusal)
    plan = plan_training(graph, settings, dataset=dataset)
    if not plan.ok:
        raise TrainingError("Cannot step through training: " + "; ".join(plan.errors))
    return Stepper(graph, plan.config, plan.dataset, batch_size=batch_size,
                   state_dict=state_dict, analysis=plan.analysis)
