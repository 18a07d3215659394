"""Settings found by a search, applied to a project: graph edits plus training settings.

A trial's values (``{"lr": 0.01, "fc1.out_features": 64}``) split into layer parameters,
which become a graph ``Edit`` of ``SetParam`` operations (replayed with
``graph.edits.apply_edit`` on a copy, or by the window's one undo command), and training
settings, merged into the project's ``training`` dict. ``check_space`` checks a space's node
parameters against the project before any trial runs.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

from netbuilder.graph.edits import Edit, SetParam, apply_edit
from netbuilder.graph.errors import NetbuilderError
from netbuilder.graph.params import CHOICE, FLOAT, INT
from netbuilder.graph.project import Project
from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.tune.space import SearchSpace, SpaceError

_KINDS = {INT: "int", FLOAT: "float", CHOICE: "choice"}


def check_space(space: SearchSpace, project: Project) -> SearchSpace:
    """The space with each layer parameter's kind taken from its layer (``drop1.p`` from 0 to
    1 is a real number even when written with whole numbers); SpaceError lists every
    parameter the project's graph cannot take."""
    graph = project.graph
    problems = []
    resolved = []
    for p in space.parameters:
        resolved.append(p)
        if p.node is None:
            continue
        where = f'"parameters.{p.name}"'
        if p.node not in graph.nodes:
            close = _close(p.node, list(graph.nodes))
            problems.append(f"{where}: the network has no node '{p.node}'{close}")
            continue
        spec = graph.spec_of(p.node)
        names = spec.param_names()
        if p.key not in names:
            problems.append(f"{where}: {spec.type} '{p.node}' has no parameter '{p.key}' (its "
                            f"parameters: {', '.join(names) or 'none'})")
            continue
        pspec = spec.param(p.key)
        kind = _KINDS.get(pspec.kind)
        if kind is None:
            problems.append(f"{where}: {p.key} of '{p.node}' is {pspec.expected()}; a search "
                            "varies numbers and names only")
            continue
        if kind == "choice" and p.kind != "choice":
            problems.append(f"{where}: {p.key} of '{p.node}' is a name: give \"choices\": "
                            f"[{', '.join(repr(c) for c in pspec.choices)}]".replace("'", '"'))
            continue
        if kind == "int" and p.kind == "float":
            problems.append(f"{where}: {p.key} of '{p.node}' is a whole number; give whole low "
                            "and high")
            continue
        if kind == "float" and p.kind == "int":
            if p.step is not None:
                problems.append(f"{where}: {p.key} of '{p.node}' is a real number; it takes "
                                "no step")
                continue
            resolved[-1] = dataclasses.replace(p, kind="float", low=float(p.low),
                                               high=float(p.high))
        values = list(p.choices) if p.kind == "choice" else [p.low, p.high]
        for v in values:
            try:
                coerced = pspec.coerce(v)
            except NetbuilderError as e:
                problems.append(f"{where}: {v!r} does not fit {p.key} of '{p.node}': {e}")
                break
            out_of_range = pspec.range_problems(coerced)
            if out_of_range:
                problems.append(f"{where}: {v!r} is outside {p.key}'s range: {out_of_range[0]}")
                break
    if problems:
        raise SpaceError("the search space does not fit the project:\n- " + "\n- ".join(problems))
    return dataclasses.replace(space, parameters=tuple(resolved))


def split_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], Edit]:
    """Training settings and the graph edit that together apply ``values``."""
    training = {k: v for k, v in values.items() if "." not in k}
    edit = tuple(SetParam(*name.rsplit(".", 1), value) for name, value in values.items()
                 if "." in name)
    return training, edit


def applied(project: Project, values: Mapping[str, Any], *,
            epochs: int | None = None) -> Project:
    """A copy of ``project`` with ``values`` applied (and ``epochs`` if given)."""
    training, edit = split_values(values)
    graph = project.graph.copy(deep_blocks=True)
    apply_edit(graph, edit)
    settings = {**(project.training or {}), **training}
    if epochs is not None:
        settings["epochs"] = epochs
    return Project(graph, project.description, settings, copy.deepcopy(project.ui),
                   copy.deepcopy(project.node_ui))


def current_values(space: SearchSpace, project: Project) -> dict[str, Any]:
    """What the project uses now for each parameter of the space (its defaults included)."""
    base = TrainingConfig.from_dict(project.training or {})
    out: dict[str, Any] = {}
    for p in space.parameters:
        if p.node is None:
            out[p.name] = getattr(base, p.key)
        else:
            node = project.graph.nodes[p.node]
            spec = project.graph.spec_of(p.node).param(p.key)
            out[p.name] = node.params.get(p.key, spec.default)
    return out


def in_space(space: SearchSpace, values: Mapping[str, Any]) -> bool:
    """Whether every value lies in its parameter's range or choices."""
    for p in space.parameters:
        v = values.get(p.name)
        if p.kind == "choice":
            if v not in p.choices:
                return False
        elif not isinstance(v, int | float) or isinstance(v, bool) or not p.low <= v <= p.high:
            return False
        elif p.kind == "int" and p.step and (int(v) - int(p.low)) % p.step:
            return False
    return True


def _close(value: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
