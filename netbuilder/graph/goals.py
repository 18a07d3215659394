"""An assignment's goals: what they are, reading them, and judging a graph against them.

Graph goals are judged from the graph's analysis alone, at once (the live checklist and the
grader use the same function). Training goals need a run with the assignment's budget: the
graph functions report them ``pending``; the caller trains (runtime/) and turns the measured
figures into a result with :func:`training_goal_result`. Pure Python: no torch here.

Goal kinds, as written in the file (docs/file-format.md, "Assignment files")::

    {"kind": "valid"}                                   the network has no errors
    {"kind": "output_shape", "shape": [10]}             one output of this shape (per sample)
    {"kind": "max_params", "limit": 20000, "count": "trainable" | "all"}
    {"kind": "max_macs", "limit": 1000000}
    {"kind": "contains", "type": "Conv2d"}              at least one layer of this type
    {"kind": "excludes", "type": "Dropout"}             no layer of this type
    {"kind": "max_layers", "limit": 8}                  layers, Input nodes not counted

Layers inside blocks count as layers (``layer_census``): ``contains``, ``excludes`` and
``max_layers`` open every block use (``repeat`` copies counted), so nothing hides in one.
    {"kind": "min_accuracy", "value": 0.95, "training": BUDGET}
    {"kind": "max_loss", "value": 0.2, "training": BUDGET}

Every goal may carry ``"points"`` (a number >= 0, default 1) for the grader's total.
BUDGET is ``{"dataset": "digits", "epochs": 5, "seed": 0, "optimizer": "adam" | "free",
"lr": 0.001, "batch_size": 64, "loss": "cross_entropy"}``: dataset, epochs and seed are
required; lr only with a fixed optimiser; batch_size and loss are optional.

API (stable; the window builds on it):

* ``Goal`` (``kind``, ``limit``, ``value``, ``shape``, ``type``, ``count``, ``points``,
  ``training``), ``Goal.label`` (the checklist line), ``Goal.needs_training``.
* ``TrainingBudget`` (``dataset``, ``epochs``, ``seed``, ``optimizer``, ``lr``,
  ``batch_size``, ``loss``) and ``training_settings(budget, student_settings,
  seed=None) -> dict`` (the project ``training`` dict to train with: on the CPU, one
  thread, float32, so the student's check and the grader measure alike).
* ``GoalResult(goal, status, message, measured)``; status ``MET``, ``UNMET`` or
  ``PENDING``; ``message`` a sentence with the numbers, e.g. "12,874 trainable parameters
  (limit 20,000)".
* ``evaluate_graph_goals(assignment, graph, *, goals=None, analysis=None) ->
  list[GoalResult]`` (one result per goal, in order; training goals ``PENDING``).
* ``layer_census(graph)`` / ``layers_in(graph, node_id)``: ``(type, path, copies)`` of every
  layer, blocks opened (``"res1/conv"`` is conv inside the use res1).
* ``training_goal_result(goal, metrics) -> GoalResult`` from the trainer's final metrics
  (``val_acc``, ``val_loss``); ``goals_from_list(data, where)`` / ``goal_to_dict(goal)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import jsonfile
from .analysis import Analysis, analyze
from .catalogue import canonical_type
from .errors import AssignmentFileError
from .model import Graph
from .tensor import fmt_shape
from .transfer import parameter_split
from .words import plural

_kind, _show = jsonfile.kind, jsonfile.show

if TYPE_CHECKING:
    from .assignment import Assignment

MET, UNMET, PENDING = "met", "unmet", "pending"

GRAPH_KINDS = ("valid", "output_shape", "max_params", "max_macs", "contains", "excludes",
               "max_layers")
TRAINING_KINDS = ("min_accuracy", "max_loss")
KINDS = GRAPH_KINDS + TRAINING_KINDS

# Settings a student chooses when the assignment leaves the optimiser free; everything else
# (dataset, epochs, seed, validation split, device) is the assignment's or the grader's.
FREE_SETTINGS = ("optimizer", "lr", "momentum", "nesterov", "weight_decay", "l1",
                 "batch_size", "lr_schedule", "lr_step_size", "lr_gamma", "grad_clip_norm",
                 "loss")
MAX_EPOCHS = 1000
_BUDGET_KEYS = {"dataset", "epochs", "seed", "optimizer", "lr", "batch_size", "loss"}
_FIELDS = {
    "valid": set(), "output_shape": {"shape"}, "max_params": {"limit", "count"},
    "max_macs": {"limit"}, "contains": {"type"}, "excludes": {"type"},
    "max_layers": {"limit"}, "min_accuracy": {"value", "training"},
    "max_loss": {"value", "training"},
}


@dataclass(frozen=True)
class TrainingBudget:
    dataset: str
    epochs: int
    seed: int
    optimizer: str = "free"          # "free": the student's project decides
    lr: float | None = None
    batch_size: int | None = None
    loss: str | None = None

    @property
    def optimizer_free(self) -> bool:
        return self.optimizer == "free"

    def describe(self) -> str:
        opt = ("your choice of optimiser" if self.optimizer_free
               else self.optimizer + (f" (lr {self.lr:g})" if self.lr is not None else ""))
        return f"{self.dataset}, {plural(self.epochs, 'epoch')}, seed {self.seed}, {opt}"


@dataclass(frozen=True)
class Goal:
    kind: str
    limit: int | None = None          # max_params, max_macs, max_layers
    value: float | None = None        # min_accuracy (a fraction 0..1), max_loss
    shape: tuple[int, ...] | None = None
    type: str | None = None           # contains, excludes
    count: str = "trainable"          # max_params: "trainable" or "all"
    points: float = 1.0
    training: TrainingBudget | None = None

    @property
    def needs_training(self) -> bool:
        return self.kind in TRAINING_KINDS

    @property
    def label(self) -> str:
        """The goal in one line, as the checklist shows it."""
        k = self.kind
        if k == "valid":
            return "The network has no errors"
        if k == "output_shape":
            return f"The output has shape {fmt_shape(self.shape)}"
        if k == "max_params":
            which = "trainable parameters" if self.count == "trainable" else "parameters"
            return f"At most {self.limit:,} {which}"
        if k == "max_macs":
            return f"At most {self.limit:,} multiply-accumulates per sample"
        if k == "contains":
            return f"Uses at least one {self.type} layer"
        if k == "excludes":
            return f"Uses no {self.type} layer"
        if k == "max_layers":
            return f"At most {plural(self.limit or 0, 'layer')}"
        assert self.training is not None
        if k == "min_accuracy":
            return (f"Validation accuracy at least {_pct(self.value)} "
                    f"({self.training.describe()})")
        return f"Validation loss at most {self.value:g} ({self.training.describe()})"


@dataclass(frozen=True)
class GoalResult:
    goal: Goal
    status: str                       # MET, UNMET, PENDING
    message: str                      # a sentence with the numbers
    measured: float | None = None     # the figure judged (count, accuracy, loss), if any

    @property
    def met(self) -> bool:
        return self.status == MET


# -- what a graph is made of, blocks opened ---------------------------------------------

def layers_in(graph: Graph, node_id: str, _depth: int = 0) -> list[tuple[str, str, int]]:
    """The layers a node stands for: ``(type, path, copies)`` for the node itself, or, for
    a block use, for every layer inside it (nested blocks opened, Input nodes left out;
    ``copies`` counts the use's ``repeat``). A layer hidden in a block is still a layer."""
    node = graph.nodes[node_id]
    block = graph.blocks.get(node.type)
    if block is None or _depth > 16:
        return [(node.type, node_id, 1)]
    repeat = node.params.get("repeat", 1)
    copies = repeat if isinstance(repeat, int) and not isinstance(repeat, bool) and repeat > 0 else 1
    out: list[tuple[str, str, int]] = []
    inner = block.graph
    for nid, n in inner.nodes.items():
        if n.type == "Input":
            continue
        for t, path, k in layers_in(inner, nid, _depth + 1):
            out.append((t, f"{node_id}/{path}", k * copies))
    return out


def layer_census(graph: Graph) -> list[tuple[str, str, int]]:
    """Every layer of the network, blocks opened: ``(type, path, copies)``; no Input."""
    out: list[tuple[str, str, int]] = []
    for nid, n in graph.nodes.items():
        if n.type != "Input":
            out += layers_in(graph, nid)
    return out


# -- judging ----------------------------------------------------------------------------

def evaluate_graph_goals(assignment: Assignment | None, graph: Graph, *,
                         goals: list[Goal] | None = None,
                         analysis: Analysis | None = None) -> list[GoalResult]:
    """One result per goal (the assignment's public goals unless ``goals`` is given)."""
    if goals is None:
        assert assignment is not None
        goals = assignment.goals
    a = analysis if analysis is not None else analyze(graph)
    return [_judge(g, graph, a) for g in goals]


def _judge(g: Goal, graph: Graph, a: Analysis) -> GoalResult:
    k = g.kind
    if k == "valid":
        if a.valid:
            return GoalResult(g, MET, "no errors", 0)
        first = a.errors[0]
        where = f"'{first.node}': " if first.node else ""
        more = len(a.errors) - 1
        return GoalResult(g, UNMET, f"{plural(len(a.errors), 'error')}: {where}{first.message}"
                          + (f" (and {more} more)" if more else ""), len(a.errors))
    if k in ("contains", "excludes"):
        found = [nid for nid, n in graph.nodes.items() if n.type == g.type] + \
            [path for t, path, _k in layer_census(graph) if t == g.type and "/" in path]
        if k == "contains":
            return (GoalResult(g, MET, f"{g.type} used: {', '.join(found[:5])}", len(found))
                    if found else GoalResult(g, UNMET, f"no {g.type} layer", 0))
        return (GoalResult(g, UNMET, f"{g.type} used: {', '.join(found[:5])}", len(found))
                if found else GoalResult(g, MET, f"no {g.type} layer", 0))
    if k == "max_layers":
        n = sum(copies for _t, _p, copies in layer_census(graph))
        return _limit(g, n, f"{plural(n, 'layer')} (limit {g.limit:,})")
    if g.needs_training:
        return GoalResult(g, PENDING, "needs a training run with the assignment's budget")
    # Counts and shapes need a network that analyses cleanly.
    if not a.valid:
        return GoalResult(g, UNMET, "cannot be judged until the network has no errors")
    if k == "max_params":
        counts = {nid: info.params for nid, info in a.nodes.items()}
        trainable, frozen = parameter_split(graph, counts)
        if g.count == "trainable":
            return _limit(g, trainable, f"{trainable:,} trainable parameters "
                          f"(limit {g.limit:,})")
        total = trainable + frozen
        return _limit(g, total, f"{total:,} parameters (limit {g.limit:,})")
    if k == "max_macs":
        m = a.total_macs
        return _limit(g, m, f"{m:,} multiply-accumulates (limit {g.limit:,})")
    if k == "output_shape":
        if len(a.outputs) != 1:
            return GoalResult(g, UNMET, f"the network has {len(a.outputs)} outputs "
                              f"({', '.join(a.outputs) or 'none'}); one is expected")
        out = a.nodes[a.outputs[0]].output
        shape = out.shape if out is not None else None
        if shape == g.shape:
            return GoalResult(g, MET, f"output {fmt_shape(shape)}")
        return GoalResult(g, UNMET, f"output {fmt_shape(shape)}, expected {fmt_shape(g.shape)}")
    raise AssertionError(k)


def _limit(g: Goal, n: int, message: str) -> GoalResult:
    assert g.limit is not None
    return GoalResult(g, MET if n <= g.limit else UNMET, message, n)


def training_goal_result(goal: Goal, metrics: dict[str, Any] | None,
                         failure: str | None = None) -> GoalResult:
    """The result of a training goal from the run's final metrics (or why it did not run)."""
    if failure:
        return GoalResult(goal, UNMET, failure)
    metrics = metrics or {}
    assert goal.value is not None
    if goal.kind == "min_accuracy":
        acc = metrics.get("val_acc")
        if not _finite(acc):
            return GoalResult(goal, UNMET, "the run measured no validation accuracy")
        ok = acc >= goal.value
        return GoalResult(goal, MET if ok else UNMET, f"validation accuracy {_pct(acc)} "
                          f"(at least {_pct(goal.value)})", float(acc))
    loss = metrics.get("val_loss")
    if not _finite(loss):
        return GoalResult(goal, UNMET, "the run measured no finite validation loss")
    ok = loss <= goal.value
    return GoalResult(goal, MET if ok else UNMET, f"validation loss {loss:.4f} "
                      f"(at most {goal.value:g})", float(loss))


# How every training goal is measured, by the student's check and by the grader alike: on
# the CPU, one thread, 32-bit floats, so the same network gets the same figures each time.
REPEATABLE = {"device": "cpu", "cpu_threads": 1, "mixed_precision": False, "compile": False,
              "channels_last": False}


def training_settings(budget: TrainingBudget, student: dict[str, Any] | None,
                      seed: int | None = None) -> dict[str, Any]:
    """The ``training`` settings to train a submission with.

    The assignment's dataset, epochs and seed (``seed`` replaces it: the grader's hidden
    seed); with a free optimiser the student's optimiser settings (FREE_SETTINGS), with a
    fixed one the assignment's. Nothing else of the student's settings is taken, and the
    run is made repeatable (REPEATABLE: CPU, one thread, float32)."""
    out: dict[str, Any] = {}
    if budget.optimizer_free and isinstance(student, dict):
        out.update({k: student[k] for k in FREE_SETTINGS if k in student})
    elif not budget.optimizer_free:
        out["optimizer"] = budget.optimizer
        if budget.lr is not None:
            out["lr"] = budget.lr
        if isinstance(student, dict) and "loss" in student:
            out["loss"] = student["loss"]
    if budget.batch_size is not None:
        out["batch_size"] = budget.batch_size
    if budget.loss is not None:
        out["loss"] = budget.loss
    out.update(dataset=budget.dataset, epochs=budget.epochs,
               seed=budget.seed if seed is None else seed, **REPEATABLE)
    return out


# -- reading and writing ----------------------------------------------------------------

def goals_from_list(data: Any, where: str = '"goals"', graph: Graph | None = None) -> list[Goal]:
    if not isinstance(data, list):
        raise AssignmentFileError(f"{where}: expected a list of goals, received {_kind(data)}")
    return [goal_from_dict(g, f"{where}[{i}]", graph) for i, g in enumerate(data)]


def goal_from_dict(d: Any, where: str, graph: Graph | None = None) -> Goal:
    if not isinstance(d, dict):
        raise AssignmentFileError(f"{where}: expected an object, received {_kind(d)}")
    kind = d.get("kind")
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise AssignmentFileError(f"{where}.kind: expected one of {', '.join(KINDS)}, "
                                  f"received {_show(kind)}")
    allowed = _FIELDS[kind] | {"kind", "points"}
    for k in d:
        if k not in allowed:
            raise AssignmentFileError(f"{where}: a {kind} goal has no key {k!r} (its keys: "
                                      f"{', '.join(sorted(allowed))})")
    for k in _FIELDS[kind] - {"count"}:
        if k not in d:
            raise AssignmentFileError(f"{where}: a {kind} goal needs {k!r}")
    points = d.get("points", 1)
    if not _number(points) or points < 0 or points > 1e6:
        raise AssignmentFileError(f"{where}.points: expected a number from 0 to 1,000,000, "
                                  f"received {_show(points)}")
    kw: dict[str, Any] = {"points": float(points)}
    if "limit" in d:
        kw["limit"] = _whole(d["limit"], f"{where}.limit", low=0)
    if "count" in d:
        if d["count"] not in ("trainable", "all"):
            raise AssignmentFileError(f'{where}.count: expected "trainable" or "all", '
                                      f"received {_show(d['count'])}")
        kw["count"] = d["count"]
    if "shape" in d:
        s = d["shape"]
        if (not isinstance(s, list) or not 1 <= len(s) <= 8
                or not all(_is_int(x) and 1 <= x <= 2**31 for x in s)):
            raise AssignmentFileError(f"{where}.shape: expected a list of 1 to 8 positive whole "
                                      f"numbers (one sample, no batch), received {_show(s)}")
        kw["shape"] = tuple(s)
    if "type" in d:
        kw["type"] = layer_type_in(d["type"], f"{where}.type", graph)
    if "value" in d:
        v = d["value"]
        if kind == "min_accuracy":
            if not _number(v) or not 0 <= v <= 1:
                raise AssignmentFileError(f"{where}.value: expected an accuracy as a fraction "
                                          f"from 0 to 1 (0.95 for 95%), received {_show(v)}")
        elif not _number(v) or v < 0:
            raise AssignmentFileError(f"{where}.value: expected a loss >= 0, received {_show(v)}")
        kw["value"] = float(v)
    if "training" in d:
        kw["training"] = budget_from_dict(d["training"], f"{where}.training")
    return Goal(kind, **kw)


def budget_from_dict(d: Any, where: str) -> TrainingBudget:
    if not isinstance(d, dict):
        raise AssignmentFileError(f"{where}: expected an object with dataset, epochs and seed, "
                                  f"received {_kind(d)}")
    for k in d:
        if k not in _BUDGET_KEYS:
            raise AssignmentFileError(f"{where}: unknown key {k!r} (known keys: "
                                      f"{', '.join(sorted(_BUDGET_KEYS))})")
    for k in ("dataset", "epochs", "seed"):
        if k not in d:
            raise AssignmentFileError(f"{where}: the training budget needs {k!r}")
    ds = d["dataset"]
    if not isinstance(ds, str) or not ds.strip() or len(ds) > 200:
        raise AssignmentFileError(f"{where}.dataset: expected a dataset name such as "
                                  f'"digits", received {_show(ds)}')
    epochs = _whole(d["epochs"], f"{where}.epochs", low=1, high=MAX_EPOCHS)
    seed = _whole(d["seed"], f"{where}.seed", low=0, high=2**32 - 1)
    opt = d.get("optimizer", "free")
    if not isinstance(opt, str) or not opt.strip() or len(opt) > 40:
        raise AssignmentFileError(f'{where}.optimizer: expected "free" or an optimiser name '
                                  f'such as "adam", received {_show(opt)}')
    lr = d.get("lr")
    if lr is not None:
        if opt == "free":
            raise AssignmentFileError(f'{where}.lr: a learning rate goes with a fixed optimiser; '
                                      'with "optimizer": "free" the student chooses it')
        if not _number(lr) or not 0 < lr <= 100:
            raise AssignmentFileError(f"{where}.lr: expected a number above 0, received "
                                      f"{_show(lr)}")
    bs = d.get("batch_size")
    if bs is not None:
        bs = _whole(bs, f"{where}.batch_size", low=1, high=1_000_000)
    loss = d.get("loss")
    if loss is not None and (not isinstance(loss, str) or len(loss) > 40):
        raise AssignmentFileError(f"{where}.loss: expected a loss name such as "
                                  f'"cross_entropy", received {_show(loss)}')
    return TrainingBudget(ds, epochs, seed, opt, float(lr) if lr is not None else None, bs, loss)


def goal_to_dict(g: Goal) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": g.kind}
    fields = _FIELDS[g.kind]
    if "shape" in fields:
        out["shape"] = list(g.shape or ())
    if "limit" in fields:
        out["limit"] = g.limit
    if "count" in fields:
        out["count"] = g.count
    if "type" in fields:
        out["type"] = g.type
    if "value" in fields:
        out["value"] = g.value
    if "training" in fields and g.training is not None:
        out["training"] = budget_to_dict(g.training)
    if g.points != 1:
        out["points"] = int(g.points) if float(g.points).is_integer() else g.points
    return out


def budget_to_dict(b: TrainingBudget) -> dict[str, Any]:
    out: dict[str, Any] = {"dataset": b.dataset, "epochs": b.epochs, "seed": b.seed,
                           "optimizer": b.optimizer}
    for k in ("lr", "batch_size", "loss"):
        v = getattr(b, k)
        if v is not None:
            out[k] = v
    return out


# -- small helpers ----------------------------------------------------------------------

def _pct(v: float | None) -> str:
    return "?" if v is None else f"{100 * v:.1f}%"


def _finite(v: Any) -> bool:
    return _number(v) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) < 1e300


def _whole(v: Any, where: str, *, low: int, high: int = 10**15) -> int:
    if not _is_int(v) or not low <= v <= high:
        raise AssignmentFileError(f"{where}: expected a whole number from {low:,} to {high:,}, "
                                  f"received {_show(v)}")
    return v


def layer_type_in(t: Any, where: str, graph: Graph | None) -> str:
    """The catalogue's name for layer type ``t`` (or a block of ``graph``), read from an
    assignment file at ``where``; AssignmentFileError with a did-you-mean otherwise."""
    if not isinstance(t, str):
        raise AssignmentFileError(f"{where}: expected a layer type name, received {_show(t)}")
    if graph is not None and t in graph.blocks:
        return t
    c = canonical_type(t)
    if c is None:
        from .catalogue import suggest

        close = suggest(t)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise AssignmentFileError(f"{where}: unknown layer type {t!r}{hint}")
    return c

