"""``LayerSpec``: the declarative description of one layer type.

A spec names the torch.nn class and its parameters, says which constructor arguments are
inferred from the incoming shape, and carries a pure shape rule. The rule returns a
``LayerResult``: output tensors, parameter count, multiply-accumulates, the size arithmetic
written out with the user's numbers, and warnings. It raises ``ShapeError`` when PyTorch
would refuse the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .params import ParamSpec
from .tensor import Tensor

# How a node's output is computed in ``forward``; codegen renders each kind.
FWD_MODULE = "module"        # y = self.m(x)
FWD_RNN = "rnn"              # y, _ = self.m(x)
FWD_ATTENTION = "attention"  # y, _ = self.m(x, x, x, need_weights=False)
FWD_ADD = "add"              # y = a + b + ...
FWD_MUL = "mul"              # y = a * b * ...
FWD_CAT = "cat"              # y = torch.cat([a, b], dim=d)
FWD_LAST = "last"            # y = x[:, -1]
FWD_INPUT = "input"          # a forward() argument
FWD_BLOCK = "block"          # y = self.block(x, ...): a use of a reusable block


class LayerWarning(str):
    """A warning's text with the diagnostic code it is reported under (``"inexact"`` for a
    division the floor rounds, so a fix can find it); plain ``str`` warnings are ``"warning"``."""

    code: str

    def __new__(cls, text: str, code: str = "warning") -> LayerWarning:
        self = super().__new__(cls, text)
        self.code = code
        return self


def warning_code(warning: str) -> str:
    """The diagnostic code a rule's warning is reported under."""
    return warning.code if isinstance(warning, LayerWarning) else "warning"


@dataclass
class LayerResult:
    """What a shape rule found for one node."""

    outputs: list[Tensor]
    params: int = 0
    macs: int = 0
    inferred: dict[str, Any] = field(default_factory=dict)  # constructor args from the input
    formula: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    inner: list[Any] = field(default_factory=list)  # blocks: the Analysis of each copy


Rule = Callable[[dict[str, Any], list[Tensor]], LayerResult]


@dataclass(frozen=True)
class LayerSpec:
    """Everything netbuilder knows about one layer type."""

    type: str                      # torch.nn class name, or Input/Add/Concat/...
    category: str
    help: str                      # one line a student understands
    params: tuple[ParamSpec, ...]
    rule: Rule
    inputs: int = 1                # number of input ports; 0 for Input
    variadic: bool = False         # Add/Multiply/Concat: any number >= min_inputs
    min_inputs: int = 1
    inferred_args: tuple[str, ...] = ()   # constructor args taken from the input shape
    module: str | None = None      # torch.nn class to instantiate (None: functional)
    fixed_kwargs: tuple[tuple[str, Any], ...] = ()  # always passed (batch_first=True)
    forward: str = FWD_MODULE
    summary: Callable[[dict[str, Any]], str] | None = None  # key params in words
    aliases: tuple[str, ...] = ()  # legacy type names that still load
    arg_order: tuple[str, ...] = ()  # positional order when inferred args are not first
    # ``module`` is a class netbuilder writes into the generated source itself
    # (codegen/own_classes.py), for a layer torch.nn has no class for (PositionalEncoding).
    own_class: bool = False
    # Extra keyword arguments of the forward call, as source text in which ``{x}`` is the
    # first input's variable: ``tgt_mask=...`` for a causal TransformerDecoderLayer.
    call_keywords: Callable[[dict[str, Any]], tuple[tuple[str, str], ...]] | None = None
    # What the output holds when the layer ends a network ("probabilities" for Softmax,
    # "log_probabilities" for LogSoftmax): the trainer's loss check reads it.
    output_kind: str | None = None
    # The parameter that bounds the integer token ids the layer reads (Embedding:
    # ``num_embeddings``); None for a layer that needs real numbers.
    id_limit_param: str | None = None

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def full_params(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with the given (already coerced) values."""
        out = self.defaults()
        out.update(given)
        return out

    def range_problems(self, params: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for p in self.params:
            out.extend(p.range_problems(params.get(p.name, p.default)))
        return out

    def describe(self, params: dict[str, Any]) -> str:
        """Key parameters in the user's words: ``6 filters, 5x5, pad 2``."""
        if self.summary is None:
            return ""
        return self.summary(self.full_params(params))

    def keywords(self, params: dict[str, Any], x: str) -> tuple[tuple[str, str], ...]:
        """The extra keyword arguments of the forward call, ``x`` the first input's name."""
        if self.call_keywords is None:
            return ()
        return tuple((k, v.format(x=x)) for k, v in self.call_keywords(self.full_params(params)))

    def constructor(
        self, params: dict[str, Any], inferred: dict[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments for ``torch.nn.<module>``.

        Inferred sizes come first and positionally (``nn.Conv2d(1, 6, ...)``), then the
        positional parameters, then every other parameter whose value differs from torch's
        default, then the fixed keyword arguments.
        """
        full = self.full_params(params)
        if self.arg_order:
            args = [inferred[a] if a in inferred else full[a] for a in self.arg_order]
        else:
            args = [inferred[a] for a in self.inferred_args if a in inferred]
            args += [full[p.name] for p in self.params if p.torch and p.positional]
        kwargs: dict[str, Any] = {}
        for p in self.params:
            if not p.torch or p.positional:
                continue
            v = full[p.name]
            if v != p.default or p.emit_always:
                kwargs[p.name] = v
        kwargs.update(dict(self.fixed_kwargs))
        return args, kwargs
