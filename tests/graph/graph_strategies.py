"""Hypothesis strategies shared by the graph tests: parameter values from ParamSpecs, JSON.

Parameter values are derived from the ``ParamSpec`` itself (kind, min, max, choices, n,
optional), mostly valid and sometimes out of range, and returned as the graph stores them
(after ``coerce``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from netbuilder.graph.params import BOOL, CHOICE, FLOAT, INT, INTS, PADDING, SHAPE, ParamSpec

# Whole numbers without a declared range are torch dims (Flatten.start_dim, Softmax.dim,
# Concat.dim, Embedding.padding_idx): drawn around zero, often out of range on purpose.
FREE_INT = (-5, 5)
# How far above its minimum a size-like whole number goes: small, so torch runs fast.
SPAN = 5


def mostly(valid: st.SearchStrategy, invalid: st.SearchStrategy | None) -> st.SearchStrategy:
    """Valid values most of the time, invalid ones about one draw in ten.

    (Not ``r == 0``: hypothesis favours 0, and a layer has up to 8 parameters, so a test
    would mostly see refusals by range. Shrinking towards 0 also shrinks towards valid.)
    """
    if invalid is None:
        return valid
    return st.integers(0, 9).flatmap(lambda r: invalid if r == 7 else valid)


def _ints(p: ParamSpec) -> st.SearchStrategy[int]:
    if p.min is None and p.max is None:
        return st.integers(*FREE_INT)
    lo = int(p.min) if p.min is not None else FREE_INT[0]
    hi = int(p.max) if p.max is not None else lo + SPAN
    bad = []
    if p.min is not None:
        bad.append(st.integers(lo - 2, lo - 1))
    if p.max is not None:
        bad.append(st.integers(hi + 1, hi + 2))
    return mostly(st.integers(lo, hi), st.one_of(bad) if bad else None)


def _floats(p: ParamSpec) -> st.SearchStrategy[float]:
    if p.min is None and p.max is None:
        return st.floats(-2, 2, allow_nan=False)
    lo = p.min if p.min is not None else -2.0
    hi = p.max if p.max is not None else lo + 2.0
    valid = st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi))
    bad = []
    if p.min is not None:
        bad.append(st.floats(lo - 1, lo, exclude_max=True))
    if p.max is not None:
        bad.append(st.floats(hi, hi + 1, exclude_min=True))
    return mostly(valid, st.one_of(bad))


def param_strategy(p: ParamSpec) -> st.SearchStrategy[Any]:
    """Well-typed values for one parameter, as the graph stores them (after ``coerce``)."""
    if p.kind == BOOL:
        s = st.booleans()
    elif p.kind == CHOICE:
        s = st.sampled_from(p.choices)
    elif p.kind == INT:
        s = _ints(p)
    elif p.kind == FLOAT:
        s = _floats(p)
    elif p.kind in (INTS, PADDING):
        one = _ints(p)
        s = st.one_of(one, st.lists(one, min_size=p.n, max_size=p.n))
        if p.kind == PADDING:
            s = st.one_of(s, st.sampled_from(p.choices))
    elif p.kind == SHAPE:
        lo = -2 if p.allow_minus_one else 0
        entry = mostly(st.integers(1, 6), st.integers(lo, 0))
        s = st.lists(entry, min_size=0 if p.min is not None else 1, max_size=3)
    else:
        raise AssertionError(f"no strategy for parameter kind {p.kind!r}")
    if p.optional:
        s = st.one_of(st.none(), s)
    return s.map(p.coerce)


# Any JSON value (what json.loads can return), small.
json_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
