"""Matching a foreign state_dict to a network's tensors, with a per-tensor report.

A downloaded ``state_dict`` names its tensors after the module that saved it
(torchvision's AlexNet says ``features.0.weight`` where ours says ``conv1.weight``), so a
plain ``load_state_dict`` refuses it. The match goes in three passes, each only over what
the ones before left:

1. **name**: the same key and shape (``module.`` and ``_orig_mod.`` prefixes ignored);
2. **similar name**: the same key once ``_`` and ``.`` are read alike
   (``layer2_0.conv1.weight`` is ``layer2.0.conv1.weight``), when that is unambiguous;
3. **order**: the rest in the order of the two files, aligned by shape
   (``difflib.SequenceMatcher``): runs of at least two tensors with the same shapes in the
   same order, or the whole rest when the two sequences of shapes are identical. Where the
   runs leave as many tensors on both sides between them, those are paired in order too
   (a head for another class count does not fit, and says so).

A key found by name with another shape is reported as not fitting (a replaced head), and
its tensor stays as initialised. The matching itself is plain data (keys and shapes), so
it is tested without torch; ``load_matched`` puts the tensors into a module.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import WeightsError

if TYPE_CHECKING:
    import torch

Shape = tuple[int, ...]
NAME, SIMILAR, ORDER = "name", "similar name", "order"
MISSING, MISFIT = "missing", "wrong shape"
_PREFIXES = ("module.", "_orig_mod.")   # DataParallel and torch.compile wrappers


@dataclass(frozen=True)
class TensorMatch:
    """One tensor of the network and where its values come from."""

    key: str                       # the network's state_dict key
    shape: Shape
    how: str                       # NAME, SIMILAR, ORDER, MISSING or MISFIT
    source: str | None = None      # the file's key that fills it (or that did not fit)
    source_shape: Shape | None = None

    @property
    def loaded(self) -> bool:
        return self.how in (NAME, SIMILAR, ORDER)


@dataclass(frozen=True)
class MatchReport:
    rows: tuple[TensorMatch, ...]           # one per tensor of the network, in its order
    unused: tuple[tuple[str, Shape], ...]   # the file's tensors nothing took, in its order

    @property
    def loaded(self) -> list[TensorMatch]:
        return [r for r in self.rows if r.loaded]

    @property
    def missing(self) -> list[TensorMatch]:
        return [r for r in self.rows if r.how == MISSING]

    @property
    def misfit(self) -> list[TensorMatch]:
        return [r for r in self.rows if r.how == MISFIT]

    def summary(self) -> str:
        """One sentence: how many tensors loaded, how, and what did not."""
        counts = {how: sum(r.how == how for r in self.rows) for how in (NAME, SIMILAR, ORDER)}
        hows = ", ".join(f"{n} by {how}" for how, n in counts.items() if n)
        text = f"{len(self.loaded)} of {len(self.rows)} tensors loaded" + (f" ({hows})" if hows else "")
        rest = []
        if self.misfit:
            rest.append(f"{len(self.misfit)} did not fit and keep their initial values")
        if self.missing:
            rest.append(f"{len(self.missing)} not in the file keep their initial values")
        if self.unused:
            rest.append(f"{len(self.unused)} tensors of the file were not used")
        return text + ("; " + "; ".join(rest) if rest else "")

    def lines(self) -> list[str]:
        """The per-tensor report, one line each: network key, how, the file's key."""
        out = []
        for r in self.rows:
            if r.how == MISFIT:
                out.append(f"{r.key} {_fmt(r.shape)}: not loaded, the file's {r.source} is "
                           f"{_fmt(r.source_shape)}")
            elif r.how == MISSING:
                out.append(f"{r.key} {_fmt(r.shape)}: not in the file, keeps its initial values")
            else:
                via = "" if r.source == r.key else f" from {r.source}"
                out.append(f"{r.key} {_fmt(r.shape)}: loaded by {r.how}{via}")
        out += [f"(unused) {key} {_fmt(shape)}: in the file, nothing here takes it"
                for key, shape in self.unused]
        return out


def _fmt(shape: Shape | None) -> str:
    return "x".join(map(str, shape)) if shape else "scalar"


def _strip(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix):
                key, changed = key[len(prefix):], True
    return key


def _similar(key: str) -> str:
    return re.sub(r"[._]+", ".", _strip(key))


def match_state(own: Sequence[tuple[str, Shape]], given: Sequence[tuple[str, Shape]]) -> MatchReport:
    """Match the network's ``(key, shape)`` list to the file's, in their orders (see above)."""
    own = [(k, tuple(s)) for k, s in own]
    given = [(k, tuple(s)) for k, s in given]
    found: dict[int, tuple[str, int]] = {}      # own index -> (how, given index)
    misfit: dict[int, int] = {}
    taken: set[int] = set()

    by_name = {}
    for j, (k, _) in enumerate(given):
        by_name.setdefault(_strip(k), j)
    for i, (k, shape) in enumerate(own):
        j = by_name.get(_strip(k))
        if j is None or j in taken:
            continue
        taken.add(j)
        if given[j][1] == shape:
            found[i] = (NAME, j)
        else:
            misfit[i] = j

    similar: dict[str, list[int]] = {}
    for j, (k, _) in enumerate(given):
        if j not in taken:
            similar.setdefault(_similar(k), []).append(j)
    own_similar: dict[str, list[int]] = {}
    for i, (k, _) in enumerate(own):
        if i not in found and i not in misfit:
            own_similar.setdefault(_similar(k), []).append(i)
    for name, idx in own_similar.items():
        js = similar.get(name, [])
        if len(idx) == 1 and len(js) == 1 and given[js[0]][1] == own[idx[0]][1]:
            found[idx[0]] = (SIMILAR, js[0])
            taken.add(js[0])

    rest_own = [i for i in range(len(own)) if i not in found and i not in misfit]
    rest_given = [j for j in range(len(given)) if j not in taken]
    a = [own[i][1] for i in rest_own]
    b = [given[j][1] for j in rest_given]
    if a and a == b:
        blocks = [(0, 0, len(a))]
    else:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        blocks = [(x, y, n) for x, y, n in matcher.get_matching_blocks() if n >= 2]
    for x, y, n in blocks:
        for t in range(n):
            found[rest_own[x + t]] = (ORDER, rest_given[y + t])
            taken.add(rest_given[y + t])
    # Between two aligned runs, as many tensors on each side: the same places in both
    # networks (a head trained for another class count), reported as not fitting.
    ends = [(0, 0)] + [(x + n, y + n) for x, y, n in blocks]
    starts = [(x, y) for x, y, _ in blocks] + [(len(a), len(b))]
    for (x0, y0), (x1, y1) in zip(ends, starts, strict=True):
        if x1 - x0 == y1 - y0 > 0:
            for t in range(x1 - x0):
                i, j = rest_own[x0 + t], rest_given[y0 + t]
                if own[i][1] == given[j][1]:
                    found[i] = (ORDER, j)
                else:
                    misfit[i] = j
                taken.add(j)

    rows = []
    for i, (k, shape) in enumerate(own):
        if i in found:
            how, j = found[i]
            rows.append(TensorMatch(k, shape, how, given[j][0], given[j][1]))
        elif i in misfit:
            j = misfit[i]
            rows.append(TensorMatch(k, shape, MISFIT, given[j][0], given[j][1]))
        else:
            rows.append(TensorMatch(k, shape, MISSING))
    unused = tuple(given[j] for j in range(len(given)) if j not in taken)
    return MatchReport(tuple(rows), unused)


@dataclass(frozen=True)
class MatchedWeights:
    """A file's tensors renamed to the network's keys (those that matched), and the report."""

    state_dict: dict[str, Any]
    report: MatchReport
    source: str


def _unwrap(data: Any) -> Any:
    # Lightning and many training scripts save {"state_dict": ...}; netbuilder {"model": ...}
    if isinstance(data, Mapping) and "state_dict" in data and isinstance(data["state_dict"], Mapping):
        return data["state_dict"]
    return data


def match_file(model: torch.nn.Module, path: str | os.PathLike[str]) -> MatchedWeights:
    """Read a state_dict file (``torch.load(weights_only=True)``) and match it to ``model``.

    WeightsError when the file is unreadable, holds no tensors, or nothing in it fits.
    """
    import torch

    from .weights import load_weights, weights_from

    try:
        weights = load_weights(path)
    except WeightsError as first:
        data = None
        try:   # a {"state_dict": ...} wrapper is still only tensors and plain values
            data = torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - the first message already says what is wrong
            raise first from None
        weights = weights_from(_unwrap(data), str(path))
    return match_tensors(model, weights.state_dict, os.fspath(path))


def match_tensors(model: torch.nn.Module, given: Mapping[str, Any],
                  source: str = "the weights") -> MatchedWeights:
    """Match an in-memory state_dict to ``model`` (see the module docstring)."""
    original = getattr(model, "_orig_mod", model)
    own = [(k, tuple(v.shape)) for k, v in original.state_dict().items()]
    report = match_state(own, [(k, tuple(v.shape)) for k, v in given.items()])
    if not report.loaded:
        name = os.path.basename(source)
        raise WeightsError(
            f"{name}: none of its {len(given)} tensors fits this network (by name, by similar "
            f"name or in order by shape); it was saved for a different architecture. "
            f"{report.summary()}")
    state = {r.key: given[r.source] for r in report.loaded}
    return MatchedWeights(state, report, source)


def load_matched(model: torch.nn.Module, matched: MatchedWeights | Mapping[str, Any]) -> None:
    """Copy the matched tensors into ``model``; the others keep their values."""
    import torch

    state = matched.state_dict if isinstance(matched, MatchedWeights) else matched
    original = getattr(model, "_orig_mod", model)
    own = original.state_dict()
    with torch.no_grad():
        for key, value in state.items():
            if key in own and tuple(own[key].shape) == tuple(value.shape):
                own[key].copy_(value.to(own[key].dtype))
