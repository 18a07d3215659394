"""A search space: which settings a hyper-parameter search varies, over what, for how long.

Read from a JSON file (docs/file-format.md, "Search space files") or built by the window's
form. Reading checks every key and value and reports every problem at once in a
``SpaceError`` (what is wrong, where, what is accepted); nothing in the file is evaluated.
Whether a node parameter exists in the project is checked against the graph by
:func:`netbuilder.runtime.tune.apply.check_space`.

Parameter names: a training setting (``lr``, ``batch_size``, ``optimizer``, ``weight_decay``,
``momentum``, ``l1``, ``lr_schedule``) or ``NODE.PARAM`` for a layer's parameter in PyTorch's
name (``fc1.out_features``, ``drop1.p``).
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.graph import jsonfile
from netbuilder.runtime.config import LOSSES, OPTIMIZERS, SCHEDULES
from netbuilder.runtime.errors import NetbuilderRuntimeError

_kind, _show = jsonfile.kind, jsonfile.show

FORMAT = "netbuilder-search-space"
VERSION = 1
METHODS = ("tpe", "random", "grid")
OBJECTIVES = {"val_loss": "minimize", "val_acc": "maximize"}
DEFAULT_TRIALS = 20
DEFAULT_GRID_POINTS = 3
MAX_GRID = 10_000

# The training settings a search may vary, with their kind (and choices).
TRAINING_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lr": ("float", ()),
    "weight_decay": ("float", ()),
    "momentum": ("float", ()),
    "l1": ("float", ()),
    "batch_size": ("int", ()),
    "optimizer": ("choice", OPTIMIZERS),
    "lr_schedule": ("choice", SCHEDULES),
    "loss": ("choice", LOSSES),
}
# what people also call them (Keras, Optuna's examples, British spelling)
ALIASES = {"learning_rate": "lr", "optimiser": "optimizer", "batch": "batch_size",
           "decay": "weight_decay", "l2": "weight_decay", "schedule": "lr_schedule"}
_TOP = {"format", "version", "method", "seed", "objective", "budget", "parameters"}
_BUDGET = {"trials", "epochs", "time_limit_s"}
_PARAM = {"low", "high", "log", "step", "choices", "grid_points"}


class SpaceError(NetbuilderRuntimeError, ValueError):
    """A search space file or form is malformed; the message lists every problem."""


@dataclass(frozen=True)
class Parameter:
    """One setting to vary: a range (``float``/``int``) or a list of ``choices``."""

    name: str                     # "lr" or "fc1.out_features"
    kind: str                     # "float", "int" or "choice"
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: int | None = None       # int ranges only
    choices: tuple[Any, ...] = ()
    grid_points: int = DEFAULT_GRID_POINTS

    @property
    def node(self) -> str | None:
        """The node id of a layer parameter; None for a training setting."""
        return self.name.rsplit(".", 1)[0] if "." in self.name else None

    @property
    def key(self) -> str:
        """The training setting's or the layer parameter's own name."""
        return self.name.rsplit(".", 1)[-1]

    def grid(self) -> list[Any]:
        """The values a grid search tries, in order."""
        if self.kind == "choice":
            return list(self.choices)
        assert self.low is not None and self.high is not None
        if self.kind == "int":
            step = self.step or 1
            every = list(range(int(self.low), int(self.high) + 1, step))
            if len(every) <= self.grid_points and not self.log:
                return every
        n = self.grid_points
        if n == 1:
            points = [self.low]
        elif self.log:
            a, b = math.log(self.low), math.log(self.high)
            points = [math.exp(a + (b - a) * i / (n - 1)) for i in range(n)]
        else:
            points = [self.low + (self.high - self.low) * i / (n - 1) for i in range(n)]
        if self.kind == "int":
            step = self.step or 1
            ints = [int(self.low + round((p - self.low) / step) * step) for p in points]
            return list(dict.fromkeys(min(max(v, int(self.low)), int(self.high)) for v in ints))
        return [float(f"{p:.6g}") for p in points]

    def describe(self) -> str:
        if self.kind == "choice":
            return f"{self.name} in {{{', '.join(map(str, self.choices))}}}"
        scale = ", log scale" if self.log else ""
        step = f", step {self.step}" if self.step and self.step != 1 else ""
        return f"{self.name} from {self.low:g} to {self.high:g}{scale}{step}"

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "choice":
            d: dict[str, Any] = {"choices": list(self.choices)}
        else:
            d = {"low": self.low, "high": self.high}
            if self.log:
                d["log"] = True
            if self.step is not None:
                d["step"] = self.step
        if self.grid_points != DEFAULT_GRID_POINTS:
            d["grid_points"] = self.grid_points
        return d


@dataclass(frozen=True)
class Budget:
    """How much a search may spend: trials, epochs per trial (None: the project's), time."""

    trials: int = DEFAULT_TRIALS
    epochs: int | None = None
    time_limit_s: float | None = None


@dataclass(frozen=True)
class SearchSpace:
    parameters: tuple[Parameter, ...]
    budget: Budget = field(default_factory=Budget)
    method: str = "tpe"
    seed: int = 0
    objective: str = "val_loss"

    @property
    def direction(self) -> str:
        return OBJECTIVES[self.objective]

    def grid_size(self) -> int:
        n = 1
        for p in self.parameters:
            n *= len(p.grid())
        return n

    def to_dict(self) -> dict[str, Any]:
        budget: dict[str, Any] = {"trials": self.budget.trials}
        if self.budget.epochs is not None:
            budget["epochs"] = self.budget.epochs
        if self.budget.time_limit_s is not None:
            budget["time_limit_s"] = self.budget.time_limit_s
        return {"format": FORMAT, "version": VERSION, "method": self.method, "seed": self.seed,
                "objective": self.objective, "budget": budget,
                "parameters": {p.name: p.to_dict() for p in self.parameters}}


# -- reading ------------------------------------------------------------------------------

def load_space(path: str | Path) -> SearchSpace:
    """Read a search space file; SpaceError names the file and every problem in it."""
    p = Path(path)
    try:
        data = jsonfile.parse(jsonfile.read_file(p, "search space file", SpaceError),
                              "search space file", SpaceError)
    except SpaceError as e:
        raise SpaceError(e if str(e).startswith(f"{p}: ") else f"{p}: {e}") from None
    try:
        return space_from_dict(data)
    except SpaceError as e:
        raise SpaceError(f"{p}: {e}") from None


def space_from_dict(data: Any) -> SearchSpace:
    """A checked SearchSpace from plain data; SpaceError lists every problem found."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise SpaceError(f"expected a JSON object at the top, received {_kind(data)}")
    if "format" in data and data["format"] != FORMAT:
        problems.append(f'"format": expected "{FORMAT}", received {_show(data["format"])}')
    version = data.get("version", VERSION)
    if not _is_int(version) or not 1 <= version <= VERSION:
        problems.append(f'"version": expected {VERSION}, received {_show(version)}')
    problems += _unknown(data, _TOP, "")
    method = data.get("method", "tpe")
    if method not in METHODS:
        problems.append(f'"method": expected one of {", ".join(METHODS)}, received '
                        f"{_show(method)}{_close(method, METHODS)}")
    seed = data.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        problems.append(f'"seed": expected a whole number of at least 0, received {_show(seed)}')
    objective = data.get("objective", "val_loss")
    if objective not in OBJECTIVES:
        problems.append(f'"objective": expected "val_loss" (lowest wins) or "val_acc" '
                        f"(highest wins), received {_show(objective)}")
    budget = _budget(data.get("budget", {}), problems)
    raw = data.get("parameters")
    params: list[Parameter] = []
    if raw is None:
        problems.append('"parameters": missing; name at least one setting to vary, e.g. '
                        '"parameters": {"lr": {"low": 0.0001, "high": 0.1, "log": true}}')
    elif not isinstance(raw, dict):
        problems.append(f'"parameters": expected an object of name -> range, received {_kind(raw)}')
    elif not raw:
        problems.append('"parameters": empty; name at least one setting to vary')
    else:
        for name, spec in raw.items():
            param = _parameter(name, spec, problems)
            if param is not None:
                params.append(param)
    if problems:
        raise SpaceError("invalid search space:\n- " + "\n- ".join(problems))
    space = SearchSpace(tuple(params), budget, method, seed, objective)
    if method == "grid" and space.grid_size() > MAX_GRID:
        raise SpaceError(f"invalid search space: the grid has {space.grid_size():,} points "
                         f"(at most {MAX_GRID:,}); use fewer grid_points or method \"tpe\"")
    return space


def _budget(raw: Any, problems: list[str]) -> Budget:
    if not isinstance(raw, dict):
        problems.append(f'"budget": expected an object with trials, epochs, time_limit_s, '
                        f"received {_kind(raw)}")
        return Budget()
    problems += _unknown(raw, _BUDGET, "budget.")
    trials = raw.get("trials", DEFAULT_TRIALS)
    if not _is_int(trials) or trials < 1:
        problems.append(f'"budget.trials": expected a whole number of at least 1, received '
                        f"{_show(trials)}")
        trials = DEFAULT_TRIALS
    epochs = raw.get("epochs")
    if epochs is not None and (not _is_int(epochs) or epochs < 1):
        problems.append(f'"budget.epochs": expected a whole number of at least 1 (or leave it '
                        f"out for the project's epochs), received {_show(epochs)}")
        epochs = None
    limit = raw.get("time_limit_s")
    if limit is not None and (not _is_number(limit) or limit <= 0):
        problems.append(f'"budget.time_limit_s": expected seconds above 0 (or leave it out), '
                        f"received {_show(limit)}")
        limit = None
    return Budget(trials, epochs, float(limit) if limit is not None else None)


def _parameter(name: Any, spec: Any, problems: list[str]) -> Parameter | None:
    where = f'"parameters.{name}"'
    if not isinstance(name, str) or not name or name.startswith(".") or name.endswith("."):
        problems.append(f"{where}: expected a training setting ({', '.join(TRAINING_KINDS)}) or "
                        "NODE.PARAM (e.g. fc1.out_features)")
        return None
    if "." not in name and name not in TRAINING_KINDS:
        problems.append(f"{where}: not a training setting a search can vary (one of "
                        f"{', '.join(TRAINING_KINDS)})"
                        + (f" (did you mean '{ALIASES[name]}'?)" if name in ALIASES
                           else _close(name, tuple(TRAINING_KINDS))) + "; "
                        "a layer's parameter is written NODE.PARAM, e.g. fc1.out_features")
        return None
    if not isinstance(spec, dict):
        problems.append(f'{where}: expected {{"low": .., "high": ..}} or {{"choices": [..]}}, '
                        f"received {_kind(spec)}")
        return None
    before = len(problems)
    problems += _unknown(spec, _PARAM, f"parameters.{name}.")
    grid_points = spec.get("grid_points", DEFAULT_GRID_POINTS)
    if not _is_int(grid_points) or not 1 <= grid_points <= 100:
        problems.append(f"{where}.grid_points: expected a whole number from 1 to 100, received "
                        f"{_show(grid_points)}")
    fixed_kind, fixed_choices = TRAINING_KINDS.get(name, (None, ()))
    if "choices" in spec:
        choices = spec["choices"]
        if set(spec) & {"low", "high", "log", "step"}:
            problems.append(f"{where}: give either choices or low/high, not both")
        if not isinstance(choices, list) or not choices:
            problems.append(f"{where}.choices: expected a non-empty list, received "
                            f"{_show(choices)}")
            return None
        if not all(isinstance(c, str | int | float | bool) for c in choices):
            problems.append(f"{where}.choices: expected numbers or names, received "
                            f"{_show(choices)}")
            return None
        if len(set(map(json.dumps, choices))) != len(choices):
            problems.append(f"{where}.choices: a value appears twice in {_show(choices)}")
        if fixed_kind == "choice":
            bad = [c for c in choices if c not in fixed_choices]
            if bad:
                problems.append(f"{where}.choices: {_show(bad[0])} is not one of "
                                f"{', '.join(fixed_choices)}"
                                f"{_close(bad[0], fixed_choices)}")
        elif fixed_kind == "int" and not all(_is_int(c) and c >= 1 for c in choices):
            problems.append(f"{where}.choices: expected whole numbers of at least 1, received "
                            f"{_show(choices)}")
        elif fixed_kind == "float" and not all(_is_number(c) and c >= 0 for c in choices):
            problems.append(f"{where}.choices: expected numbers of at least 0, received "
                            f"{_show(choices)}")
        if len(problems) > before:
            return None
        return Parameter(name, "choice", choices=tuple(choices),
                         grid_points=grid_points if _is_int(grid_points) else 3)
    if fixed_kind == "choice":
        problems.append(f'{where}: {name} is a name, not a number: give "choices": '
                        f'[{", ".join(repr(c) for c in fixed_choices[:2])}, ...]'.replace("'", '"'))
        return None
    if "low" not in spec or "high" not in spec:
        problems.append(f'{where}: expected "low" and "high" (a range) or "choices" (a list)')
        return None
    low, high, log = spec["low"], spec["high"], spec.get("log", False)
    step = spec.get("step")
    if not _is_number(low) or not _is_number(high):
        problems.append(f"{where}: low and high must be numbers, received {_show(low)} and "
                        f"{_show(high)}")
        return None
    if low >= high:
        problems.append(f"{where}: low ({low:g}) must be below high ({high:g})")
    if not isinstance(log, bool):
        problems.append(f"{where}.log: expected true or false, received {_show(log)}")
    elif log and low <= 0:
        problems.append(f"{where}: a log scale needs low above 0, received {low:g}")
    if low < 0:
        problems.append(f"{where}: low must be at least 0, received {low:g}")
    whole = fixed_kind == "int" or (fixed_kind is None and _is_int(low) and _is_int(high)
                                    and not isinstance(low, bool))
    if fixed_kind == "int" and not (_is_int(low) and _is_int(high)):
        problems.append(f"{where}: {name} is a whole number; give whole low and high")
    if step is not None:
        if not whole:
            problems.append(f"{where}.step: only whole-number ranges take a step")
        elif not _is_int(step) or step < 1:
            problems.append(f"{where}.step: expected a whole number of at least 1, received "
                            f"{_show(step)}")
        elif log:
            problems.append(f"{where}: give step or log, not both")
    if len(problems) > before:
        return None
    if whole:
        return Parameter(name, "int", int(low), int(high), log, step, grid_points=grid_points)
    return Parameter(name, "float", float(low), float(high), log, grid_points=grid_points)


# -- helpers ------------------------------------------------------------------------------

def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and math.isfinite(v)


def _unknown(obj: dict, allowed: set[str], where: str) -> list[str]:
    out = []
    for key in obj:
        if key not in allowed:
            out.append(f'"{where}{key}": unknown key{_close(key, tuple(sorted(allowed)))} '
                       f"(accepted: {', '.join(sorted(allowed))})")
    return out


def _close(value: Any, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""

