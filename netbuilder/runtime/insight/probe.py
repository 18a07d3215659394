"""Probing: the output of any node of a network for a batch, by the node's graph id.

A :class:`Prober` builds the *tap variant* of the network's generated source
(``codegen.build.build_tap_module``): the same classes and forward lines as the module that
trains, plus a call after each line that hands the value to a listener. It loads the weights
given (a state_dict: from a checkpoint, the window's last run, or a copy of the run still
training), so it never touches the module that trains and cannot change what training
computes.

Nodes are addressed by *paths* of graph ids: ``("conv1",)`` (or just ``"conv1"``) for a node
of the network, ``("layer1", "conv1")`` for a node inside the use ``layer1`` of a block, and
``("layer2", 1, "conv1")`` inside the second copy of a block used with ``repeat``. Probing
several nodes costs one forward pass, which stops as soon as every node asked for has been
seen (unless the network's output is needed, as for saliency).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from netbuilder.codegen.build import build_tap_module
from netbuilder.graph.analysis import Analysis, analyze
from netbuilder.graph.blocks import REPEAT, instantiate
from netbuilder.graph.model import Graph
from netbuilder.graph.spec import FWD_BLOCK
from netbuilder.graph.tensor import Tensor
from netbuilder.runtime.insight.taps import NodePath, attach


def as_path(node: str | NodePath) -> NodePath:
    """``"conv1"`` -> ``("conv1",)``; paths pass through."""
    return (node,) if isinstance(node, str) else tuple(node)


def path_text(path: NodePath) -> str:
    """``("layer2", 1, "conv1")`` -> ``'layer2 (copy 2) / conv1'``, for people."""
    parts: list[str] = []
    for p in path:
        if isinstance(p, int):
            parts[-1] += f" (copy {p + 1})"
        else:
            parts.append(p)
    return " / ".join(parts)


class _Enough(Exception):
    """Raised by the listener once every node asked for is seen: the rest is not needed."""


@dataclass(frozen=True)
class ProbeTarget:
    """A node that can be probed: its path, layer type, label and inferred output shape."""

    path: NodePath
    type: str
    label: str
    tensor: Tensor | None
    depth: int           # 0 for the network's own nodes, 1 inside a block, ...

    @property
    def text(self) -> str:
        return path_text(self.path)


def probe_targets(graph: Graph, analysis: Analysis | None = None) -> list[ProbeTarget]:
    """Every probeable node, in forward order; the insides of a block follow its use.

    The Input nodes inside a block are left out: they hold what the use receives, which is
    the output of the node before it.
    """
    analysis = analysis or analyze(graph)
    out: list[ProbeTarget] = []
    _collect(graph, analysis, (), 0, out)
    return out


def _collect(graph: Graph, analysis: Analysis, prefix: NodePath, depth: int,
             out: list[ProbeTarget]) -> None:
    for nid in analysis.order:
        node = graph.nodes[nid]
        if depth and node.type == "Input":
            continue
        info = analysis.nodes[nid]
        out.append(ProbeTarget((*prefix, nid), node.type, node.label or nid, info.output, depth))
        spec = graph.spec(node.type)
        if spec.forward != FWD_BLOCK or info.result is None or not info.result.inner:
            continue
        defn = graph.blocks[node.type]
        params = spec.full_params(node.params)
        inner = instantiate(defn, params)
        repeat = params.get(REPEAT, 1)
        for copy, inner_analysis in enumerate(info.result.inner):
            where = (*prefix, nid, copy) if repeat > 1 else (*prefix, nid)
            _collect(inner, inner_analysis, where, depth + 1, out)


class Prober:
    """A network's tap module with given weights, in eval mode, ready to be probed.

    ``state_dict`` must fit the graph (same keys as ``build_module(graph)``); a mismatch
    raises the RuntimeError of ``load_state_dict``. Without weights the module keeps its
    fresh initialisation (seeded by the caller if it wants one).
    """

    def __init__(self, graph: Graph, state_dict: Mapping[str, torch.Tensor] | None = None,
                 analysis: Analysis | None = None, device: str | torch.device = "cpu") -> None:
        self.graph = graph
        self.analysis = analysis or analyze(graph)
        module, plan, namespace = build_tap_module(graph, self.analysis)
        if state_dict is not None:
            module.load_state_dict(dict(state_dict), strict=True)
        self.module = module.to(device).eval()
        self.plan = plan
        self.device = torch.device(device)
        self.input_id = plan.inputs[0].node_id if plan.inputs else None
        self.output_id = plan.outputs[0][0] if plan.outputs else None
        self._wanted: set[NodePath] = set()
        self._seen: dict[NodePath, torch.Tensor] = {}
        self._stop_early = False
        self._lock = threading.Lock()    # one pass at a time: views probe from worker threads
        self._modules = attach(self.module, plan, namespace, self._heard)

    def _heard(self, key: NodePath, value: Any) -> None:
        if key in self._wanted:
            self._seen[key] = value
            if self._stop_early and len(self._seen) == len(self._wanted):
                raise _Enough

    def module_at(self, node: str | NodePath) -> torch.nn.Module | None:
        """The submodule that computes ``node`` (None for Add, Concat and other expressions)."""
        return self._modules.get(as_path(node))

    def io_of(self, node: str | NodePath, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """What the layer at ``node`` received and returned for ``x`` (its first input)."""
        module = self.module_at(node)
        if module is None:
            raise KeyError(f"{path_text(as_path(node))} is not a layer with a module")
        seen: dict[str, torch.Tensor] = {}

        def hook(_m, args, output):
            seen["in"], seen["out"] = args[0], output[0] if isinstance(output, tuple) else output
        handle = module.register_forward_hook(hook)
        try:
            self.probe(x, [node])
        finally:
            handle.remove()
        return seen["in"], seen["out"]

    # -- probing --------------------------------------------------------------------------
    def load_state_dict(self, state_dict: Mapping[str, torch.Tensor]) -> None:
        """New weights (the run went on); the tap wiring stays."""
        with self._lock:
            self.module.load_state_dict(dict(state_dict), strict=True)

    def probe(self, x: torch.Tensor, nodes: Iterable[str | NodePath]) -> dict[NodePath, torch.Tensor]:
        """The outputs of ``nodes`` for the batch ``x``: one forward pass, no gradients.

        KeyError names a node the network does not run (a typo, a node in a loop).
        """
        wanted = {as_path(n) for n in nodes}
        with torch.no_grad():
            return self._run(x.to(self.device), wanted, stop_early=True)[1]

    def forward(self, x: torch.Tensor, nodes: Iterable[str | NodePath] = (), *,
                grad: bool = False) -> tuple[torch.Tensor, dict[NodePath, torch.Tensor]]:
        """The network's output for ``x`` and the outputs of ``nodes``, in one pass.

        With ``grad=True`` autograd records the pass (for saliency and gradient ascent).
        """
        wanted = {as_path(n) for n in nodes}
        with torch.set_grad_enabled(grad):
            out, seen = self._run(x.to(self.device), wanted, stop_early=False)
        return out, seen

    def _run(self, x: torch.Tensor, wanted: set[NodePath], stop_early: bool):
        with self._lock:
            self._wanted, self._seen, self._stop_early = wanted, {}, stop_early
            out = None
            try:
                if wanted or not stop_early:
                    out = self.module(x)
            except _Enough:
                pass
            finally:
                seen, self._seen, self._wanted = self._seen, {}, set()
        missing = wanted - set(seen)
        if missing:
            names = ", ".join(sorted(path_text(m) for m in missing))
            raise KeyError(f"the network has no node {names} on its forward path")
        if isinstance(out, tuple):
            out = out[0]
        return out, seen


class ReusedProber:
    """One Prober for the successive weights of a run, for a view that refreshes live.

    Building a Prober generates and compiles the tap module, which costs far more than
    loading weights and would compete with the starting run for the GIL; so it is rebuilt
    only when the network (its fingerprint) changes. Use it from one thread only.
    """

    def __init__(self) -> None:
        self._prober: Prober | None = None
        self._built_for: str | None = None

    def get(self, context) -> Prober:
        """A Prober of ``context.graph`` holding ``context.state_dict`` (a RunContext)."""
        key = context.fingerprint or str(id(context.graph))
        if self._prober is None or self._built_for != key:
            self._prober, self._built_for = Prober(context.graph, context.state_dict), key
        else:
            self._prober.load_state_dict(context.state_dict)
        return self._prober
