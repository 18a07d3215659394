"""Identifiers for generated code: valid, unique, readable, clear of everything reserved."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.codegen.names import (
    MAX_CLASS_NAME,
    MAX_NAME,
    NN_MODULE_ATTRIBUTES,
    RESERVED,
    Namespace,
    class_name_for,
    is_safe_identifier,
)


def test_reserved_list_covers_every_nn_module_attribute_of_the_installed_torch():
    import torch

    public = {n for n in set(dir(torch.nn.Module)) | set(vars(torch.nn.Module()))
              if not n.startswith("_")}
    assert public <= NN_MODULE_ATTRIBUTES, sorted(public - NN_MODULE_ATTRIBUTES)


@pytest.mark.parametrize(("candidate", "expected"), [
    ("conv1", "conv1"),
    ("layer1_0_bn1", "layer1_0_bn1"),
    ("Conv 1 (first)", "Conv_1_first"),
    ("forward", "forward_"),
    ("training", "training_"),
    ("parameters", "parameters_"),
    ("self", "self_"),
    ("x", "x_"),
    ("input", "input_"),
    ("torch", "torch_"),
    ("class", "class_"),
    ("match", "match_"),
    ("__init__", "init"),
    ("_modules", "modules_"),
    ("1st", "layer_1st"),
    ("Réseau", "Reseau"),
    ("卷积", "layer"),
    ("", "layer"),
    ("__import__('os').system('touch pwned')", "import_os_system_touch_pwned"),
])
def test_namespace_examples(candidate, expected):
    assert Namespace().create(candidate) == expected


def test_namespace_numbers_repeats_in_order():
    ns = Namespace()
    assert [ns.create(c) for c in ("conv", "conv", "conv!", "conv_2", "forward", "forward")] == [
        "conv", "conv_2", "conv_3", "conv_2_2", "forward_", "forward__2"]


def test_fallback_comes_from_the_layer_type():
    assert Namespace().create("!!!", "conv2d") == "conv2d"
    assert Namespace().create("7", "linear") == "linear_7"


def test_long_names_are_shortened():
    name = Namespace().create("a" * 5000)
    assert name == "a" * MAX_NAME


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=40))
def test_namespace_always_gives_valid_unique_identifiers(candidates):
    ns = Namespace()
    names = [ns.create(c) for c in candidates]
    assert len(set(names)) == len(names)
    for n in names:
        assert is_safe_identifier(n), n
        assert n.isascii() and n.isidentifier() and not keyword.iskeyword(n)
        assert not keyword.issoftkeyword(n) and n not in RESERVED
        assert not n.startswith("_") and len(n) <= MAX_NAME + 8


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_class_name_is_always_a_safe_identifier(project_name):
    name = class_name_for(project_name)
    assert is_safe_identifier(name), name
    assert name[0].isupper() and len(name) <= MAX_CLASS_NAME + 3


@pytest.mark.parametrize(("project", "expected"), [
    ("LeNet-5", "LeNet5"),
    ("ResNet-18", "ResNet18"),
    ("my small net", "MySmallNet"),
    ("residual_block", "ResidualBlock"),
    ("3D U-Net", "Net3DUNet"),
    ("None", "NoneNet"),
    ("model", "ModelNet"),
    ("", "Network"),
    ("\n\"\"\"; import os", "ImportOs"),
])
def test_class_name_examples(project, expected):
    assert class_name_for(project) == expected
