"""Every layer of the catalogue against real PyTorch: one property test over the whole registry.

For each layer type, hypothesis draws parameters (from the ``ParamSpec``s themselves, valid
and out of range) and input shapes (right and wrong number of dimensions, sizes around the
kernel, channels that do or do not divide by groups...). Our verdict (``range_problems`` or
the rule's ``ShapeError``) must equal torch's (the module built from ``spec.constructor``,
run on a batch of 2 in eval mode raises or not), and when both accept, the output shape and
dtype, the parameter count and the inferred constructor arguments must agree.

Where netbuilder is deliberately stricter than torch, the difference is one narrow, named
exception in ``deliberate_difference`` below; anything else is a bug in a shape rule.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
from graph_strategies import mostly, param_strategy
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from netbuilder.codegen.own_classes import load_class
from netbuilder.graph.catalogue import CATALOGUE, CATEGORIES
from netbuilder.graph.errors import ShapeError
from netbuilder.graph.layers.init import NAMES as INIT_NAMES
from netbuilder.graph.params import as_tuple
from netbuilder.graph.spec import (
    FWD_ADD,
    FWD_ATTENTION,
    FWD_CAT,
    FWD_INPUT,
    FWD_LAST,
    FWD_MUL,
    FWD_RNN,
    LayerResult,
    LayerSpec,
)
from netbuilder.graph.tensor import FLOAT as F32
from netbuilder.graph.tensor import INT as I64
from netbuilder.graph.tensor import Tensor

BATCH = 2
# Examples per layer type; raise it to hunt (NETBUILDER_EXAMPLES=2000 pytest ...).
EXAMPLES = int(os.environ.get("NETBUILDER_EXAMPLES", "60"))
TORCH_TYPES = sorted(t for t, s in CATALOGUE.items() if s.forward != FWD_INPUT)
TORCH_DTYPE = {F32: torch.float32, I64: torch.int64}

@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny tensors: one intra-op thread is ~10x faster than two on a busy 2-core machine
    (LSTM forward 0.8 ms instead of 9 ms). Restored for the other test modules."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------------------------------
# Parameters: each drawn from its ParamSpec (graph_strategies.param_strategy)
# ---------------------------------------------------------------------------------------

@st.composite
def params_for(draw, spec: LayerSpec) -> dict[str, Any]:
    """Values for a random subset of the parameters (the rest keep their defaults)."""
    out = {}
    for p in spec.params:
        if p.name in INIT_NAMES:
            continue   # how weights start changes no shape; tests/codegen/test_init.py covers it
        if p.name == "dim_feedforward" or draw(st.booleans()):
            # dim_feedforward always drawn: torch's default 2048 would only make runs slow.
            out[p.name] = draw(param_strategy(p), label=p.name)
    return out


# ---------------------------------------------------------------------------------------
# Input strategies, chosen by the layer's category and type
# ---------------------------------------------------------------------------------------

def layout_ranks(spec: LayerSpec) -> tuple[int, ...]:
    """Sample dimensions (batch excluded) the layer is written for."""
    t = spec.type
    if t == "BatchNorm1d":
        return (1, 2)
    if t.endswith("1d"):
        return (2,)
    if t == "PixelShuffle":
        return (3,)
    if t.endswith("2d"):
        return (3,)
    if spec.category in ("Recurrent", "Attention") and t != "Embedding":
        return (2,)
    return (1, 2, 3, 4)


def _size(multiple_of: int | None = None) -> st.SearchStrategy[int]:
    """A size from 1..8; half the time a multiple of ``multiple_of`` (groups, heads)."""
    plain = st.integers(1, 8)
    if not multiple_of or multiple_of < 1:
        return plain
    return st.one_of(plain, st.integers(1, 3).map(lambda k: k * multiple_of))


@st.composite
def shape_for(draw, spec: LayerSpec, p: dict[str, Any]) -> tuple[int, ...]:
    p = spec.full_params(p)
    ranks = layout_ranks(spec)
    rank = draw(mostly(st.sampled_from(ranks), st.integers(1, 5)), label="rank")
    hi = 16 if rank <= 3 else 4
    dims = [draw(st.integers(1, hi)) for _ in range(rank)]
    first = p.get("groups") or p.get("num_groups")
    if first:
        dims[0] = draw(_size(first))
    heads = p.get("num_heads") or p.get("nhead")
    if heads:
        dims[-1] = draw(_size(heads))
    if spec.type == "Maxout" and p["pieces"] >= 1:
        nd = len(dims) + 1  # with the batch
        if -nd <= p["dim"] < nd and p["dim"] % nd != 0:
            dims[p["dim"] % nd - 1] = draw(_size(p["pieces"]))
    if spec.type == "LayerNorm" and p["normalized_shape"] and draw(st.booleans()):
        ns = list(p["normalized_shape"])
        if len(ns) <= len(dims) and min(ns) >= 1:
            dims[len(dims) - len(ns):] = ns
    if spec.type == "Unflatten" and draw(st.booleans()):
        d = p["dim"]
        sizes = [v if v != -1 else draw(st.integers(1, 3)) for v in p["unflattened_size"]]
        nd = len(dims) + 1  # with the batch
        if sizes and min(sizes) >= 1 and -nd <= d < nd and d % nd != 0:
            dims[d % nd - 1] = math.prod(sizes)
    return tuple(dims)


@st.composite
def inputs_for(draw, spec: LayerSpec, p: dict[str, Any]) -> list[Tensor]:
    if spec.type == "Embedding":
        dtype = draw(mostly(st.just(I64), st.just(F32)), label="dtype")
        return [Tensor(draw(shape_for(spec, p)), dtype)]
    if not spec.variadic and spec.inputs == 2:
        # TransformerDecoderLayer: the target, and a memory of its own length with (mostly)
        # the same features per token.
        tgt = draw(shape_for(spec, p))
        memory = (draw(st.integers(1, 8)), tgt[-1])
        return [Tensor(tgt), Tensor(draw(mostly(st.just(memory), shape_for(spec, p))))]
    if not spec.variadic:
        return [Tensor(draw(shape_for(spec, p)))]
    # Merge layers: 2 or 3 inputs, equal shapes, one size different, or broadcastable.
    base = draw(shape_for(spec, p))
    n = draw(st.integers(spec.min_inputs, 3))
    shapes = [base]
    for _ in range(n - 1):
        how = draw(st.sampled_from(["equal", "equal", "one size", "broadcast", "rank"]))
        s = list(base)
        if spec.type == "Concat":
            # Concat: every dim equal except (usually) the one it joins along.
            d = spec.full_params(p)["dim"]
            nd = len(base) + 1
            if -nd <= d < nd and (d % nd) != 0:
                s[(d % nd) - 1] = draw(st.integers(1, 6))
        if how == "one size":
            i = draw(st.integers(0, len(s) - 1))
            s[i] = draw(st.integers(1, 10))
        elif how == "broadcast":
            i = draw(st.integers(0, len(s) - 1))
            s[i] = 1
        elif how == "rank":
            s = s[1:] if len(s) > 1 else [*s, 2]
        shapes.append(tuple(s))
    return [Tensor(s) for s in shapes]


# ---------------------------------------------------------------------------------------
# Both verdicts
# ---------------------------------------------------------------------------------------

@dataclass
class Ours:
    result: LayerResult | None = None
    problems: list[str] = field(default_factory=list)  # range_problems
    error: str | None = None                            # ShapeError text

    @property
    def ok(self) -> bool:
        return self.result is not None


def our_verdict(spec: LayerSpec, p: dict[str, Any], ins: list[Tensor]) -> Ours:
    problems = spec.range_problems(p)
    if problems:
        return Ours(problems=problems)  # analysis never runs the rule then
    try:
        return Ours(result=spec.rule(spec.full_params(p), ins))
    except ShapeError as e:
        return Ours(error=str(e))


@dataclass
class Theirs:
    module: nn.Module | None = None
    output: torch.Tensor | None = None
    error: BaseException | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def natural_inferred(spec: LayerSpec, p: dict[str, Any], ins: list[Tensor]) -> dict[str, Any]:
    """What a student (and torch) would pass for the inferred arguments of this input."""
    x = ins[0].shape
    full = spec.full_params(p)
    ns = full.get("normalized_shape")
    if ns is None:
        ns = x[-1:]
    table = {
        "in_channels": x[0], "num_features": x[0], "num_channels": x[0],
        "in_features": x[-1], "input_size": x[-1], "embed_dim": x[-1], "d_model": x[-1],
        "max_len": x[0],
        "normalized_shape": list(ns) if len(ns) != 1 else ns[0],
    }
    return {a: table[a] for a in spec.inferred_args}


def sample_tensor(t: Tensor, spec: LayerSpec, p: dict[str, Any]) -> torch.Tensor:
    shape = (BATCH, *t.shape)
    if t.dtype == I64:
        n = spec.full_params(p).get("num_embeddings") or 1
        return torch.randint(0, max(1, n), shape)
    return torch.randn(shape)


def module_class(spec: LayerSpec) -> type:
    """torch.nn's class, or for a layer torch has none for, the class the generated source
    holds (codegen/own_classes.py)."""
    return load_class(spec.module) if spec.own_class else getattr(nn, spec.module)


def torch_verdict(spec: LayerSpec, p: dict[str, Any], ins: list[Tensor],
                  inferred: dict[str, Any]) -> Theirs:
    xs = [sample_tensor(t, spec, p) for t in ins]
    out = Theirs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with torch.no_grad():
                if spec.forward == FWD_ADD:
                    y = xs[0]
                    for x in xs[1:]:
                        y = y + x
                elif spec.forward == FWD_MUL:
                    y = xs[0]
                    for x in xs[1:]:
                        y = y * x
                elif spec.forward == FWD_CAT:
                    y = torch.cat(xs, dim=spec.full_params(p)["dim"])
                elif spec.forward == FWD_LAST:
                    y = xs[0][:, -1]
                else:
                    args, kwargs = spec.constructor(p, inferred)
                    m = module_class(spec)(*args, **kwargs).eval()
                    out.module = m
                    x = xs[0]
                    if spec.forward == FWD_RNN:
                        y, _ = m(x)
                    elif spec.forward == FWD_ATTENTION:
                        y, _ = m(x, x, x, need_weights=False)
                    elif spec.type == "TransformerDecoderLayer" and spec.full_params(p)["causal"]:
                        # What the generated forward passes (spec.call_keywords).
                        mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
                        y = m(*xs, tgt_mask=mask, tgt_is_causal=True)
                    else:
                        y = m(*xs)
            out.output = y
        except TypeError as e:
            if "unexpected keyword" in str(e) or "positional argument" in str(e):
                raise AssertionError(f"{spec.type}.constructor gives arguments torch.nn."
                                     f"{spec.module} does not take: {e}") from e
            out.error = e
        except Exception as e:  # noqa: BLE001 - any refusal by torch is a verdict
            out.error = e
    out.warnings = [str(w.message) for w in caught]
    return out


# ---------------------------------------------------------------------------------------
# Deliberate differences: each one narrow, named, and explained
# ---------------------------------------------------------------------------------------

# Parameters we range-check although torch never does (at construction, or in eval mode):
# a negative epsilon, a momentum outside [0, 1] or a dropout probability outside [0, 1] is
# a typing slip, and MultiheadAttention ignores its dropout in eval mode.
_TORCH_UNCHECKED = {
    ("*", "eps"), ("*", "layer_norm_eps"), ("*", "momentum"), ("MultiheadAttention", "dropout"),
}
# Sizes torch accepts as 0 (it makes empty weights or an empty output, or, for a 1-wide
# transposed kernel, never uses the dilation): useless in a network a student builds, so 0
# is refused like any size below 1.
_ZERO_SIZES = {
    ("*", "out_channels"), ("*", "out_features"), ("*", "embedding_dim"),
    ("*", "num_embeddings"), ("*", "dim_feedforward"), ("*", "output_size"),
    ("*", "kernel_size"), ("ConvTranspose2d", "dilation"),
}


def _problem_param(spec: LayerSpec, msg: str) -> str:
    for p in spec.params:
        if msg.startswith(p.name + " ") or msg.startswith(f"every entry of {p.name} "):
            return p.name
    raise AssertionError(f"range problem names no parameter: {msg}")


def deliberate_difference(spec: LayerSpec, p: dict[str, Any], ins: list[Tensor], ours: Ours,
                          theirs: Theirs) -> str | None:
    """The name of the documented difference explaining a verdict mismatch, or None."""
    if ours.ok or not theirs.ok:
        return None  # we never accept what torch refuses
    full = spec.full_params(p)
    if ours.problems:
        names = {_problem_param(spec, m) for m in ours.problems}

        def explained(n: str) -> bool:
            if ("*", n) in _TORCH_UNCHECKED or (spec.type, n) in _TORCH_UNCHECKED:
                return True
            v = full[n]
            zero_ok = ("*", n) in _ZERO_SIZES or (spec.type, n) in _ZERO_SIZES
            return zero_ok and 0 in (v if isinstance(v, tuple) else (v,))

        if all(explained(n) for n in names):
            return "range torch does not check, or size 0"
        if names == {"padding"} and (full.get("padding_mode", "zeros") != "zeros"
                                     or spec.type in ("ZeroPad2d", "ConstantPad2d")):
            # torch's F.pad crops with a negative padding in reflect/replicate/circular mode
            # (in 'zeros' mode it refuses); padding below 0 is always a slip here.
            return "negative padding"
        if spec.type == "LayerNorm" and names == {"normalized_shape"} and not full["normalized_shape"]:
            # torch's LayerNorm(()) normalises nothing (mean over zero values); we ask for >= 1 dim.
            return "LayerNorm over no dimensions"
        return None
    err = ours.error or ""
    if spec.type.startswith("BatchNorm") and full["eps"] == 0 and "eps must be greater" in err:
        # torch refuses eps=0 only when it uses batch statistics, which training always does;
        # in eval mode with running statistics it lets it through.
        return "BatchNorm eps=0 fails in training"
    if spec.type == "ConvTranspose2d" and "would be 0" in err and 0 in theirs.output.shape:
        # ConvTranspose2d: torch returns an empty image for an output size of exactly 0
        # (and refuses below 0); an empty feature map is always a mistake here.
        return "size 0 refused"
    if "is the batch dimension" in err or "reach into the batch dimension" in err:
        # Flatten/Unflatten/Concat dims (or a LayerNorm normalized_shape) that touch the
        # batch: torch does it, but a network's layers act on one sample and the batch size
        # is not known when the graph is checked.
        return "batch dimension"
    ranks = layout_ranks(spec)
    if spec.forward not in (FWD_ADD, FWD_MUL, FWD_CAT) and " needs input " in err:
        x = ins[0]
        if spec.forward == FWD_LAST:
            # x[:, -1] indexes any tensor of 2+ dims; LastTimeStep is for LxF sequences only.
            return "LastTimeStep on a non-sequence"
        if spec.type == "Dropout2d" and any("dropout2d: Received a" in w for w in theirs.warnings):
            # torch still accepts other ranks but warns that this is deprecated.
            return "Dropout2d rank deprecated in torch"
        if (spec.type.startswith("AdaptiveAvgPool") and x.ndim > max(ranks)
                and set(as_tuple(full["output_size"], 1)) == {1}):
            # torch computes output_size 1 as x.mean((-1, -2), keepdim=True), which takes
            # any number of dimensions; other output sizes refuse them, as we always do.
            return "global average pooling shortcut"
        if x.ndim < min(ranks):
            # torch reads a tensor with too few dimensions as one unbatched sample: our
            # (2, C, L) would be taken as a CxHxW image with 2 channels (adaptive pooling
            # even takes (2, L) as a bare HxW). We always have a batch dimension.
            return "torch reads it as an unbatched sample"
        if spec.type == "PositionalEncoding" and x.ndim > max(ranks):
            # Its class adds the LxE table to whatever comes; a 3-D input may broadcast
            # against it, adding positions along the wrong dimension. Sequences only here.
            return "positional encoding of a non-sequence"
    if spec.forward in (FWD_ADD, FWD_MUL) and "needs inputs of equal shape" in err:
        # torch broadcasts (8x1x5 + 8x4x5); a student's residual connection needs equal
        # shapes, and a silent broadcast hides the mistake.
        return "no broadcasting"
    return None


# ---------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------

def _same_value(a: Any, b: Any) -> bool:
    def norm(v):
        return tuple(v) if isinstance(v, list | tuple) else (v,)
    return norm(a) == norm(b)


@pytest.mark.parametrize("type_", TORCH_TYPES)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rule_agrees_with_torch(type_: str, data: st.DataObject) -> None:
    spec = CATALOGUE[type_]
    p = data.draw(params_for(spec), label="params")
    ins = data.draw(inputs_for(spec, p), label="inputs")
    ours = our_verdict(spec, p, ins)
    natural = natural_inferred(spec, p, ins)
    inferred = ours.result.inferred if ours.ok else natural
    theirs = torch_verdict(spec, p, ins, inferred)
    note(f"ours: {'ok' if ours.ok else ours.problems or ours.error}")
    note(f"torch: {'ok' if theirs.ok else repr(theirs.error)}")
    if spec.module:
        note(f"torch.nn.{spec.module}{spec.constructor(p, inferred)}")

    if ours.ok != theirs.ok:
        why = deliberate_difference(spec, p, ins, ours, theirs)
        assert why is not None, (
            f"{type_} with {p} on {[str(t) for t in ins]}: "
            + (f"we accept but torch refuses: {theirs.error!r}" if ours.ok else
               f"we refuse ({ours.problems or ours.error}) but torch accepts, giving "
               f"{tuple(theirs.output.shape)}"))
        event(f"deliberate difference: {why}")
        return
    event("both accept" if ours.ok else "both refuse")
    if not ours.ok:
        # Every refusal must read as a message to the student, naming what went wrong.
        for msg in ours.problems or [ours.error]:
            assert msg and len(msg) > 15 and "Traceback" not in msg
        return

    res = ours.result
    assert len(res.outputs) == 1
    y, out = theirs.output, res.outputs[0]
    assert tuple(y.shape) == (BATCH, *out.shape), f"torch gives {tuple(y.shape)}, we say {out}"
    assert y.dtype == TORCH_DTYPE[out.dtype], f"torch gives {y.dtype}, we say {out.dtype}"
    n_params = sum(t.numel() for t in theirs.module.parameters()) if theirs.module else 0
    assert res.params == n_params
    # The inferred constructor arguments are exactly what torch needed (it ran with them)
    # and what the input says.
    assert set(res.inferred) == set(spec.inferred_args)
    for k, v in natural.items():
        assert _same_value(res.inferred[k], v), f"inferred {k}={res.inferred[k]}, input says {v}"
    assert res.macs >= 0
    if spec.forward != FWD_CAT and out.shape != ins[0].shape:
        assert res.formula, f"{type_} changes {ins[0]} into {out} without explaining how"
    if spec.type in ("Softmax", "LogSoftmax"):
        # Deliberate: torch's implicit dim is deprecated and guesses; we always write it.
        assert "dim" in spec.constructor(p, inferred)[1]


# ---------------------------------------------------------------------------------------
# Catalogue hygiene
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("type_", sorted(CATALOGUE))
def test_every_layer_has_help_and_a_category(type_: str) -> None:
    spec = CATALOGUE[type_]
    assert spec.category in CATEGORIES
    assert len(spec.help.strip()) > 20
    for p in spec.params:
        assert p.help, f"{type_}.{p.name} has no help text"
    if spec.module is not None:
        assert spec.own_class != hasattr(nn, spec.module), spec.module


# Every layer whose rule can change a spatial size, with an input that it changes.
SPATIAL = {
    "Conv1d": ({"out_channels": 4, "kernel_size": 3}, (2, 10)),
    "Conv2d": ({"out_channels": 4, "kernel_size": 3}, (2, 10, 10)),
    "ConvTranspose2d": ({"out_channels": 4, "kernel_size": 3, "stride": 2}, (2, 10, 10)),
    "MaxPool1d": ({}, (2, 10)),
    "MaxPool2d": ({}, (2, 10, 10)),
    "AvgPool1d": ({}, (2, 10)),
    "AvgPool2d": ({}, (2, 10, 10)),
    "AdaptiveAvgPool1d": ({"output_size": 3}, (2, 10)),
    "AdaptiveAvgPool2d": ({"output_size": 3}, (2, 10, 10)),
    "AdaptiveMaxPool2d": ({"output_size": 3}, (2, 10, 10)),
}


def test_spatial_layers_are_all_listed() -> None:
    spatial = {t for t, s in CATALOGUE.items() if s.category in ("Convolution", "Pooling")}
    assert spatial == set(SPATIAL)


@pytest.mark.parametrize("type_", sorted(SPATIAL))
def test_spatial_layers_explain_the_size(type_: str) -> None:
    spec = CATALOGUE[type_]
    p, shape = SPATIAL[type_]
    res = spec.rule(spec.full_params({k: spec.param(k).coerce(v) for k, v in p.items()}),
                    [Tensor(shape)])
    axes = ["L"] if len(shape) == 2 else ["H", "W"]
    for ax, size in zip(axes, res.outputs[0].shape[1:], strict=True):
        assert any(line.startswith(f"{ax}_out") and f"= {size}" in line
                   for line in res.formula), res.formula


def test_formula_of_the_lenet_example() -> None:
    spec = CATALOGUE["Conv2d"]
    p = {"out_channels": 6, "kernel_size": 5, "padding": 2}
    res = spec.rule(spec.full_params(p), [Tensor((1, 28, 28))])
    assert res.outputs[0].shape == (6, 28, 28)
    assert "H_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28" in res.formula
    assert "W_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28" in res.formula
    assert res.warnings == []


def test_inexact_division_warns() -> None:
    # (224 - 11) / 4 = 213/4: the floor drops the last row and column of the image.
    spec = CATALOGUE["Conv2d"]
    p = {"out_channels": 64, "kernel_size": 11, "stride": 4}
    res = spec.rule(spec.full_params(p), [Tensor((3, 224, 224))])
    assert res.outputs[0].shape == (64, 54, 54)
    assert len(res.warnings) == 2
    assert "213/4 is not a whole number" in res.warnings[0]
    assert "last 1 row " in res.warnings[0] and "last 1 column " in res.warnings[1]
    exact = spec.rule(spec.full_params(p), [Tensor((3, 223, 223))])  # (223 - 11) / 4 = 53
    assert exact.warnings == []


def test_inexact_division_that_drops_only_padding_is_not_a_warning() -> None:
    # AlexNet's first layer: (224 + 2*2 - 11) / 4 = 217/4 leaves one row uncovered, but it
    # is a row of the right padding: every real pixel is still seen.
    spec = CATALOGUE["Conv2d"]
    p = {"out_channels": 64, "kernel_size": 11, "stride": 4, "padding": 2}
    res = spec.rule(spec.full_params(p), [Tensor((3, 224, 224))])
    assert res.outputs[0].shape == (64, 55, 55)
    assert res.warnings == []


def test_window_narrower_than_stride_is_not_a_warning() -> None:
    # ResNet's 1x1 stride-2 shortcut skips every other row by design, not just the last one.
    spec = CATALOGUE["Conv2d"]
    p = {"out_channels": 128, "kernel_size": 1, "stride": 2}
    res = spec.rule(spec.full_params(p), [Tensor((64, 56, 56))])
    assert res.outputs[0].shape == (128, 28, 28)
    assert res.warnings == []


# ---------------------------------------------------------------------------------------
# Multiply-accumulates against torch's FLOP counter (MACs = FLOPs / 2, per sample)
# ---------------------------------------------------------------------------------------

MAC_TYPES = ["Conv1d", "Conv2d", "ConvTranspose2d", "Linear", "MultiheadAttention"]


def torch_macs(spec: LayerSpec, p: dict[str, Any], res: LayerResult, ins: list[Tensor]) -> float:
    args, kwargs = spec.constructor(p, res.inferred)
    m = getattr(nn, spec.module)(*args, **kwargs).eval()
    x = torch.randn(BATCH, *ins[0].shape)
    # Grad stays enabled: under no_grad MultiheadAttention takes a fused fast path the
    # counter cannot see into. The MATH backend writes attention as bmm's, which it counts
    # (the fused CPU flash kernel has no FLOP formula and would count as 0).
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        if spec.forward == FWD_ATTENTION:
            m(x, x, x, need_weights=False)
        else:
            m(x)
    # The counter ignores bias additions and element-wise work, as our MACs do. For
    # padding_mode other than 'zeros' it also counts only the convolution, on the padded input.
    return counter.get_total_flops() / 2 / BATCH


@pytest.mark.parametrize("type_", MAC_TYPES)
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_macs_agree_with_torch_flop_counter(type_: str, data: st.DataObject) -> None:
    spec = CATALOGUE[type_]
    p = data.draw(params_for(spec), label="params")
    ins = data.draw(inputs_for(spec, p), label="inputs")
    ours = our_verdict(spec, p, ins)
    if not ours.ok:
        event("refused (not counted)")
        return
    assert ours.result.macs == torch_macs(spec, p, ours.result, ins)


# The layers whose MACs the counter cannot check, and why.
def test_macs_of_layers_the_counter_cannot_see() -> None:
    # LSTM/GRU/RNN run as one fused aten op with no FLOP formula (the counter says 0), so
    # their MACs are checked by hand: LSTM, 5 steps, 4 -> 6: 5 * 4 gates * (4*6 + 6*6).
    spec = CATALOGUE["LSTM"]
    res = spec.rule(spec.full_params({"hidden_size": 6}), [Tensor((5, 4))])
    assert res.macs == 5 * 4 * (4 * 6 + 6 * 6)
    m = nn.LSTM(4, 6, batch_first=True)
    with FlopCounterMode(display=False) as counter:
        m(torch.randn(BATCH, 5, 4))
    assert counter.get_total_flops() == 0  # if this starts counting, move LSTM to MAC_TYPES
