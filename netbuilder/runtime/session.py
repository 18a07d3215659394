"""From a project's graph and training settings to a run of the trainer.

``plan_training`` gathers everything that can be said *before* the first step — graph
problems, invalid settings, an unreadable dataset, a model that does not fit the data — as
plain-language problems, without building the model. ``TrainingPlan.run`` then compiles the
graph (through the generated source, as everything else does) and yields the trainer's
events. The CLI and the window both use this, so they refuse and explain the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from netbuilder.graph.analysis import Analysis, analyze
from netbuilder.graph.model import Graph
from netbuilder.graph.project import fingerprint
from netbuilder.runtime.compat import OutputKind, Problem, check_compat, has_errors
from netbuilder.runtime.config import TrainingConfig, config_from_dict
from netbuilder.runtime.control import TrainingControl
from netbuilder.runtime.datasets import Dataset, load_dataset
from netbuilder.runtime.errors import ConfigError, DatasetError
from netbuilder.runtime.events import Event


@dataclass
class TrainingPlan:
    graph: Graph
    analysis: Analysis
    config: TrainingConfig | None
    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)
    model: Any = None  # the nn.Module, once run() has built it
    stats: Any = None  # the NodeStatsCollector listening to it, with node_stats_every
    start_weights: Any = None  # tensors by the module's keys to start from (a fine-tune)
    recorder: Any = None  # a runs.RunRecorder: the run goes into the project's history

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems) and self.config is not None and self.dataset is not None

    @property
    def errors(self) -> list[str]:
        return [p.message for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[str]:
        return [p.message for p in self.problems if p.level == "warning"]

    def build_model(self) -> Any:
        """Build the network with weights drawn from the run's seed (same seed, same curve)."""
        import torch

        from netbuilder.codegen.build import build_module

        seed = self.config.seed if self.config is not None else 0
        every = self.config.node_stats_every if self.config is not None else None
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            if every:
                # the tap variant: same constructors in the same order, so the same weights
                from netbuilder.codegen.build import build_tap_module
                from netbuilder.runtime.insight.stats import NodeStatsCollector

                self.model, plan, namespace = build_tap_module(self.graph, self.analysis)
                self.stats = NodeStatsCollector(self.model, plan, namespace, every)
                names = plan.names
            else:
                self.model = build_module(self.graph, self.analysis)
                names = None
        self._prepare_transfer(names)
        return self.model

    def _prepare_transfer(self, names: Any) -> None:
        """Start from ``start_weights`` where given; freeze the graph's frozen nodes."""
        if self.start_weights is not None:
            from netbuilder.codegen.state_match import load_matched

            load_matched(self.model, self.start_weights)
        if any(not n.trainable for n in self.graph.nodes.values()):
            from netbuilder.codegen.plan import make_plan
            from netbuilder.runtime.freeze import apply_freezing

            if names is None:
                names = make_plan(self.graph, self.analysis).names
            apply_freezing(self.model, self.graph, names)

    def run(self, control: TrainingControl | None = None, *, resume: Any = None,
            checkpoint_dir: str | os.PathLike[str] | None = None,
            checkpoint_file: str | os.PathLike[str] | None = None) -> Iterator[Event]:
        """The trainer's events for this plan (call only when ``ok``)."""
        from netbuilder.runtime.trainer import train

        if not self.ok:
            raise ConfigError("cannot train: " + "; ".join(self.errors))
        model = self.model if self.model is not None else self.build_model()
        inp = self.analysis.nodes[self.analysis.inputs[0]].output
        recorder = self.recorder
        if recorder is not None:
            recorder.begin(self)
            if checkpoint_dir is None and checkpoint_file is None:
                checkpoint_dir = recorder.checkpoint_dir()   # best.pt straight into history
        events = train(model, self.dataset, self.config, control=control, resume=resume,
                       fingerprint=fingerprint(self.graph),
                       input_shape=tuple(inp.shape) if inp is not None else None,
                       checkpoint_dir=checkpoint_dir, stats=self.stats,
                       checkpoint_file=checkpoint_file)
        yield from (recorder.wrap(events) if recorder is not None else events)


def settings_with(base: Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Project settings overlaid with the ones given now (None values mean 'not given')."""
    merged = dict(base or {})
    merged.update({k: v for k, v in overrides.items() if v is not None})
    return merged


def plan_training(graph: Graph, settings: Mapping[str, Any] | None = None, *,
                  dataset: Dataset | None = None) -> TrainingPlan:
    """Check everything that can be checked before training; never raises for bad input."""
    analysis = analyze(graph)
    problems: list[Problem] = []
    plan = TrainingPlan(graph, analysis, None, dataset, problems)
    if not analysis.valid:
        first = analysis.errors[0]
        where = f"'{first.node}': " if first.node else ""
        more = len(analysis.errors) - 1
        problems.append(Problem("error", f"The network has {len(analysis.errors)} problem(s) "
                                f"to fix first (see Problems): {where}{first.message}"
                                + (f" (and {more} more)" if more else "")))
        return plan
    if len(analysis.inputs) != 1 or len(analysis.outputs) != 1:
        problems.append(Problem(
            "error", f"Training needs exactly one Input and one output layer; this network has "
            f"{len(analysis.inputs)} Input(s) and {len(analysis.outputs)} output(s) "
            f"({', '.join(analysis.outputs) or 'none'})"))
        return plan
    try:
        plan.config = config_from_dict(settings or {})
    except ConfigError as e:
        problems.append(Problem("error", str(e)))
        return plan
    if plan.dataset is None:
        try:
            plan.dataset = load_dataset(plan.config.dataset, **dict(plan.config.dataset_options))
        except DatasetError as e:
            problems.append(Problem("error", str(e)))
            return plan
    from netbuilder.runtime.memory import too_big

    device = plan.config.device if plan.config.device != "auto" else _auto_device()
    refusal = too_big(analysis, plan.config.batch_size, device)
    if refusal:
        problems.append(Problem("error", refusal))
        return plan
    inp = analysis.nodes[analysis.inputs[0]].output
    out_id = analysis.outputs[0]
    out = analysis.nodes[out_id].output
    out_node = graph.nodes[out_id]
    kind = cast(OutputKind | None, graph.spec(out_node.type).output_kind)
    problems += check_compat(tuple(inp.shape), tuple(out.shape), plan.dataset.info,
                             plan.config.loss, output_kind=kind, task=plan.config.task)
    return plan


def _auto_device() -> str:
    from netbuilder.runtime.devices import resolve_device

    return str(resolve_device("auto"))
