"""One-click fixes for the diagnostics of an analysis: graph edits as plain data.

``fixes_for(graph, diagnostic)`` returns the ``Fix`` es that cure one problem, best first. A
fix is a description in the student's words and an ``edit`` (``graph/edits.py``: plain
operations that ``apply_edit`` replays on a ``Graph`` to preview, or on the ``Document``,
which the window wraps in one undo command).

Candidates come from the layer's facts (``graph/fix_candidates.py``: its input shapes, its
parameters, the conv/pool arithmetic of ``convpool``), never from the message's words. Each
is applied to a copy of the graph and analysed; only those that remove the diagnostic and
break no layer that was working are offered, each with its preview (the shapes it gives).
Layers that were blocked behind the problem (never checked) may show errors after a fix;
fixes with fewer errors, then fewer warnings, rank first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .analysis import ERROR, OK, SEVERITY_ERROR, Analysis, Analyzer, Diagnostic
from .edits import (
    Bypass,
    Connect,
    Edit,
    Editable,
    InsertLayers,
    NewLayer,
    SetParam,
    apply_edit,
)
from .errors import NetbuilderError
from .fix_candidates import Context, candidates
from .model import Graph
from .tensor import fmt_shape
from .words import plural

# the edit's vocabulary, importable from here as from graph/edits.py
__all__ = ["Bypass", "Connect", "Edit", "Editable", "Fix", "InsertLayers", "NewLayer",
           "SetParam", "Step", "all_fixes", "apply_edit", "fix_all", "fixes_for",
           "output_size_fix", "preview"]

MAX_FIXES = 4          # a menu, not a list to read


@dataclass(frozen=True)
class Fix:
    description: str      # what it does, in the student's words
    edit: Edit
    node: str | None      # the layer whose problem it fixes
    preview: str = ""     # the shapes it gives: "conv2 → 16x5x5"
    valid_after: bool = False  # the whole network is valid after it

    @property
    def label(self) -> str:
        """The undo step's text: ``Fix fc1: insert Flatten before fc1``."""
        text = self.description[0].lower() + self.description[1:]
        for cut in (", so ", " so ", " (", ": ", ", to ", ", as ", ", one "):   # first clause
            text = text.split(cut)[0]
        return f"Fix {self.node}: {text}" if self.node else f"Fix: {text}"


# -- finding the fixes ------------------------------------------------------------------------

_analyzer = Analyzer()


def preview(graph: Graph, edit: Edit) -> tuple[Graph, Analysis]:
    """The graph after ``edit`` (a copy; ``graph`` is untouched) and its analysis."""
    g = graph.copy()
    apply_edit(g, edit)
    return g, _analyzer.run(g)


def fixes_for(graph: Graph, diagnostic: Diagnostic, analysis: Analysis | None = None) -> list[Fix]:
    """The verified fixes for one diagnostic, best first (empty when none is known)."""
    nid = diagnostic.node
    if nid is None or nid not in graph.nodes or diagnostic.inner:
        return []
    before = analysis or _analyzer.run(graph)
    ctx = Context(graph, before, diagnostic)
    found: list[tuple[tuple[int, int, int], Fix]] = []
    seen: set[Edit] = set()
    for rank, (text, edit, shown) in enumerate(candidates(ctx)):
        if edit in seen:
            continue
        seen.add(edit)
        try:
            g, after = preview(graph, edit)
        except (NetbuilderError, KeyError, StopIteration, ValueError):
            continue
        if not _cures(diagnostic, before, after):
            continue
        shapes = [f"{n} → {fmt_shape(after.nodes[n].output.shape)}" for n in shown
                  if n in after.nodes and after.nodes[n].output is not None]
        n_warn = len(after.warnings)
        tail = (f"{plural(len(after.errors), 'error')} left" if not after.valid else
                f"network valid, {plural(n_warn, 'warning')}" if n_warn else "network valid")
        fix = Fix(text, edit, nid, ", ".join(shapes + [tail]), after.valid)
        found.append(((len(after.errors), len(after.warnings), rank), fix))
        if len(found) >= MAX_FIXES * 2:
            break
    found.sort(key=lambda f: f[0])
    return [f for _, f in found[:MAX_FIXES]]


def all_fixes(graph: Graph, analysis: Analysis | None = None) -> list[tuple[Diagnostic, list[Fix]]]:
    """Every diagnostic of ``graph`` (errors first) with its fixes."""
    analysis = analysis or _analyzer.run(graph)
    return [(d, fixes_for(graph, d, analysis)) for d in analysis.errors + analysis.warnings]


def _cures(d: Diagnostic, before: Analysis, after: Analysis) -> bool:
    """The diagnostic is gone, and no layer that worked before (or was added) fails now."""
    info = after.nodes.get(d.node or "")
    if info is not None:     # (None: the fix removed that layer, e.g. a pooling)
        if any(x.code == d.code and x.severity == d.severity for x in info.diagnostics):
            return False
        if d.severity == SEVERITY_ERROR and info.status != OK:
            return False
    for nid, a in after.nodes.items():
        if a.status == ERROR and (nid not in before.nodes or before.nodes[nid].status == OK):
            return False
    return not any(x.code in ("empty", "no-input") for x in after.errors)


# -- fixing a whole network (netbuilder check --apply-fixes) ---------------------------------

@dataclass(frozen=True)
class Step:
    diagnostic: Diagnostic
    fix: Fix


def fix_all(graph: Graph, max_steps: int = 50) -> Iterator[Step]:
    """Apply the first fix of the first problem that has one (errors before warnings), then
    look again, until no problem has a fix; ``graph`` is changed in place, one step at a time.
    A problem that comes back after its fix is not fixed twice (no endless loop)."""
    tried: set[tuple[str | None, str, str]] = set()
    for _ in range(max_steps):
        analysis = _analyzer.run(graph)
        for d in analysis.errors + analysis.warnings:
            key = (d.node, d.code, d.message)
            if key in tried:
                continue
            fixes = fixes_for(graph, d, analysis)
            if fixes:
                tried.add(key)
                apply_edit(graph, fixes[0].edit)
                yield Step(d, fixes[0])
                break
        else:
            return


# -- the network's output against what the data needs (the training panel's check) ------------

def output_size_fix(graph: Graph, wanted: int, per: str = "class",
                    analysis: Analysis | None = None) -> Fix | None:
    """Set the last Linear's ``out_features`` so the network gives ``wanted`` values (one per
    class, or per target); None when the output already fits or no Linear decides its size.

    The dataset's needs come from the caller (graph/ knows no datasets)."""
    a = analysis or _analyzer.run(graph)
    if len(a.outputs) != 1 or not a.valid:
        return None
    out = a.outputs[0]
    shape = a.nodes[out].output.shape if a.nodes[out].output is not None else None
    if shape is None or len(shape) != 1 or shape == (wanted,):
        return None
    cur = out
    while graph.nodes[cur].type != "Linear":     # up through layers that keep the size
        info, ins = a.nodes[cur], graph.in_edges(cur)
        if len(ins) != 1 or not info.inputs or info.inputs[0] != info.output:
            return None
        cur = ins[0].source
    edit: Edit = (SetParam(cur, "out_features", wanted),)
    _, after = preview(graph, edit)
    got = after.nodes[out].output
    if not after.valid or got is None or got.shape != (wanted,):
        return None
    return Fix(f"Set out_features of '{cur}' to {wanted}, one output per {per}", edit, cur,
               f"{out} → {wanted}", True)
