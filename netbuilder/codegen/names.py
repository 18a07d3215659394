"""Valid, unique, readable Python names for generated code (as torch.fx's ``_Namespace``).

Names come from node ids and the project name, which a project file may fill with anything:
quotes, newlines, code, unicode, thousands of characters. Whatever comes in, what comes out
is a plain ASCII identifier that is not a keyword, not a builtin and clashes with nothing
the generated module needs (``self``, ``x``, ``torch``, ``nn``, the attributes and methods
of ``nn.Module`` such as ``forward``, ``training`` or ``parameters``).
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterator

from .own_classes import CLASS_NAMES as OWN_CLASS_NAMES

MAX_NAME = 48
MAX_CLASS_NAME = 60

# Every public and private attribute of ``torch.nn.Module`` (torch 2.13, ``dir(nn.Module)``
# plus the attributes an instance sets in ``__init__``). A submodule named like one of them
# would shadow it. tests/codegen/test_names.py checks this list against the installed torch.
NN_MODULE_ATTRIBUTES = frozenset({
    "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init",
    "children", "compile", "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr",
    "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule",
    "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children",
    "named_modules", "named_parameters", "parameters", "register_backward_hook",
    "register_buffer", "register_forward_hook", "register_forward_pre_hook",
    "register_full_backward_hook", "register_full_backward_pre_hook",
    "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook",
    "register_module", "register_parameter", "register_state_dict_post_hook",
    "register_state_dict_pre_hook", "requires_grad_", "set_extra_state", "set_submodule",
    "share_memory", "state_dict", "to", "to_empty", "train", "training", "type",
    "xpu", "zero_grad",
})

# Names the generated module itself uses at module level or inside ``forward``.
GENERATED_NAMES = frozenset({"self", "x", "torch", "nn", "build_model", "model", "params",
                             "inputs", "outputs", "output", "_"})

# Attributes of torch.fx's GraphModule, which torch.export and ONNX export turn the module
# into: a submodule called ``code`` made the dynamo exporter fail ("references nonexistent
# attribute weight of code").
FX_GRAPH_MODULE_ATTRIBUTES = frozenset({"code", "graph", "meta", "recompile"})

RESERVED = frozenset(
    set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | NN_MODULE_ATTRIBUTES
    | GENERATED_NAMES | OWN_CLASS_NAMES | FX_GRAPH_MODULE_ATTRIBUTES
)

_NOT_WORD = re.compile(r"[^0-9A-Za-z_]+")


def to_ascii(text: str) -> str:
    """Letters with accents lose them (``Réseau`` -> ``Reseau``); other non-ASCII goes."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def sanitise(text: str, fallback: str = "layer", max_len: int = MAX_NAME) -> str:
    """``'Conv 1 (first)'`` -> ``'Conv_1_first'``: a candidate identifier, not yet unique.

    Never starts with a digit or an underscore (so never a dunder), never empty.
    """
    s = _NOT_WORD.sub("_", to_ascii(text))
    s = re.sub(r"_+", "_", s).strip("_")[:max_len].rstrip("_")
    if not s:
        return fallback
    if s[0].isdigit():
        s = f"{fallback}_{s}"[:max_len].rstrip("_")
    return s


def is_safe_identifier(name: str) -> bool:
    """True for a plain ASCII identifier that is not reserved (what ``Namespace`` returns)."""
    return (name.isascii() and name.isidentifier() and not name.startswith("_")
            and name not in RESERVED)


class Namespace:
    """Hands out unique safe identifiers, in the order asked for (so deterministic).

    A reserved candidate gets a trailing underscore (``input`` -> ``input_``, as PEP 8
    suggests); a taken one gets a number (``conv``, ``conv_2``, ``conv_3``).
    """

    def __init__(self, reserved: frozenset[str] | set[str] = RESERVED) -> None:
        self._reserved = frozenset(reserved)
        self._used: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name in self._used

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._used))

    def create(self, candidate: str, fallback: str = "layer") -> str:
        base = sanitise(candidate, sanitise(fallback, "layer"))
        if base in self._reserved:
            base += "_"
        name, i = base, 2
        while name in self._used or name in self._reserved:
            name = f"{base}_{i}"
            i += 1
        self._used.add(name)
        return name


def class_name_for(project_name: str, fallback: str = "Network") -> str:
    """``'LeNet-5'`` -> ``'LeNet5'``, ``'my small net'`` -> ``'MySmallNet'``: a CamelCase class name."""
    parts = [p for p in _NOT_WORD.sub(" ", to_ascii(project_name)).replace("_", " ").split() if p]
    name = "".join(p[0].upper() + p[1:] for p in parts)[:MAX_CLASS_NAME]
    if not name:
        return fallback
    if name[0].isdigit():
        name = ("Net" + name)[:MAX_CLASS_NAME]
    if name in RESERVED or name.lower() in GENERATED_NAMES:
        name += "Net"
    return name
