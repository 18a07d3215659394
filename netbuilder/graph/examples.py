"""The example projects that ship with netbuilder (assets/examples/*.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ProjectFileError


@dataclass(frozen=True)
class ExampleInfo:
    name: str          # file stem, what `netbuilder examples NAME` takes
    title: str         # the project's name
    description: str
    path: Path


# The order a course meets them in (COURSE.md; the README's table): linear models, MLPs,
# what goes wrong in deep MLPs (vanishing gradients, initialisation), the CNN families by
# year, autoencoders and segmentation, then sequence models. Menus and `netbuilder examples` list them
# so; an example missing here comes after these, by name.
COURSE_ORDER = (
    "perceptron", "mlp_moons", "mlp_iris", "mlp_digits",
    "maxout_mlp",
    "vanishing_gradients", "vanishing_gradients_fixed",
    "init_demo", "init_demo_small", "init_demo_xavier",
    "lenet5", "alexnet", "vgg16", "googlenet", "resnet18", "resnet18_flat", "resnet_small",
    "mobilenetv2", "autoencoder_digits", "unet_shapes",
    "rnn_waveforms", "lstm_waveforms", "gru_waveforms", "transformer_waveforms",
)


def _course_key(path: Path) -> tuple[int, str]:
    name = path.stem
    return (COURSE_ORDER.index(name) if name in COURSE_ORDER else len(COURSE_ORDER), name)


def examples_dir() -> Path:
    return Path(str(resources.files("netbuilder.assets") / "examples"))


def list_examples() -> list[ExampleInfo]:
    """The shipped examples in course order (``COURSE_ORDER``)."""
    out = []
    for p in sorted(examples_dir().glob("*.json"), key=_course_key):
        data = json.loads(p.read_text(encoding="utf-8"))
        out.append(ExampleInfo(p.stem, data.get("name", p.stem), data.get("description", ""), p))
    return out


def example_path(name: str) -> Path:
    p = examples_dir() / f"{name}.json"
    if not p.is_file():
        known = ", ".join(e.name for e in list_examples())
        raise ProjectFileError(f"there is no example {name!r}; the examples are: {known}")
    return p
