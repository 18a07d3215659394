"""A non-editable install must contain every package: pyproject lists them by hand."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "netbuilder").rglob("__init__.py")}
    assert found - listed == set(), "add these packages to [tool.setuptools] packages"


def test_examples_ship_as_package_data():
    from netbuilder.graph.examples import list_examples

    names = {e.name for e in list_examples()}
    assert {"lenet5", "alexnet", "vgg16", "resnet18_flat"} <= names
