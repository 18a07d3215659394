"""The small ``nn.Module`` classes netbuilder writes into generated source itself.

torch.nn has no class for a few layers the course teaches (a positional encoding, Maxout).
Their specs say ``own_class=True`` and name one of the classes below as their ``module``;
the generated file then holds the class's text, once, before the network's class, so the
file still needs only PyTorch, a student can read every line that runs, and ONNX export
traces it like any other module. Each class uses only ``torch`` and ``nn``.
"""

from __future__ import annotations

POSITIONAL_ENCODING = '''\
class PositionalEncoding(nn.Module):
    """Adds to each token a vector that says where it is in the sequence.

    sinusoidal (Vaswani et al., 2017): PE[pos, 2i] = sin(pos / 10000^(2i/d_model)) and
    PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model)), fixed; learned: one trained vector per
    position (as in BERT and the Vision Transformer).
    """

    def __init__(self, d_model: int, max_len: int, encoding: str = "sinusoidal") -> None:
        super().__init__()
        if encoding == "learned":
            self.pe = nn.Parameter(torch.empty(max_len, d_model))
            nn.init.normal_(self.pe, std=0.02)
        else:
            position = torch.arange(max_len).unsqueeze(1)                      # pos
            wavelength = 10000.0 ** (torch.arange(0, d_model, 2) / d_model)  # 10000^(2i/d)
            pe = torch.zeros(max_len, d_model)
            pe[:, 0::2] = torch.sin(position / wavelength)
            pe[:, 1::2] = torch.cos(position / wavelength[: d_model // 2])
            self.register_buffer("pe", pe, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pe[: x.size(1)]'''

MAXOUT = '''\
class Maxout(nn.Module):
    """Maxout (Goodfellow et al., 2013): splits dimension dim into groups of `pieces`
    consecutive values and keeps the largest of each group. After a Linear (or a Conv)
    with pieces times the outputs, each output is the maximum of `pieces` linear functions.
    """

    def __init__(self, pieces: int, dim: int = 1) -> None:
        super().__init__()
        self.pieces = pieces
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        groups = x.unflatten(self.dim, (-1, self.pieces))  # ..., groups, pieces, ...
        pieces_dim = self.dim + 1 if self.dim >= 0 else self.dim
        return groups.amax(pieces_dim)'''

SOURCES: dict[str, str] = {"PositionalEncoding": POSITIONAL_ENCODING, "Maxout": MAXOUT}
CLASS_NAMES = frozenset(SOURCES)


def class_source(names: list[str] | tuple[str, ...]) -> list[str]:
    """The lines defining the classes ``names``, in the order given, two blank lines after each."""
    out: list[str] = []
    for name in names:
        out += SOURCES[name].splitlines() + ["", ""]
    return out


def load_class(name: str) -> type:
    """The class ``name`` as the generated file defines it (for tests and tools)."""
    namespace: dict = {"__name__": f"netbuilder_own_{name}"}
    text = "import torch\nfrom torch import nn\n\n\n" + SOURCES[name] + "\n"
    exec(compile(text, f"<netbuilder-own-class-{name}>", "exec"), namespace)  # noqa: S102 - our own text
    return namespace[name]
