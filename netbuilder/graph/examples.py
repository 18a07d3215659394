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


def examples_dir() -> Path:
    return Path(str(resources.files("netbuilder.assets") / "examples"))


def list_examples() -> list[ExampleInfo]:
    out = []
    for p in sorted(examples_dir().glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        out.append(ExampleInfo(p.stem, data.get("name", p.stem), data.get("description", ""), p))
    return out


def example_path(name: str) -> Path:
    p = examples_dir() / f"{name}.json"
    if not p.is_file():
        known = ", ".join(e.name for e in list_examples())
        raise ProjectFileError(f"there is no example {name!r}; the examples are: {known}")
    return p
