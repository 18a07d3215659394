"""Loading a foreign state_dict into a project: matched by name, by similar name or by
order and shape, with a report that says exactly what loaded, how, and what did not.

The shipped classic architectures load torchvision-named state_dicts. torchvision is not
installed here, so those files are made by hand: our module's tensors renamed to
torchvision's keys (``torchvision_names``) in torchvision's order. Where torchvision can be
imported, the last test loads its own models' weights and compares outputs.
"""

from __future__ import annotations

import pickle
import random

import pytest
import torch
import torchvision_names as tv
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.codegen.build import build_module
from netbuilder.codegen.errors import WeightsError
from netbuilder.codegen.state_match import (
    MISFIT,
    MISSING,
    NAME,
    ORDER,
    SIMILAR,
    load_matched,
    match_file,
    match_state,
    match_tensors,
)
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project


def _module(name: str, device: str = "cpu") -> torch.nn.Module:
    with torch.device(device):
        torch.manual_seed(0)
        return build_module(load_project(example_path(name)).graph)


def _shapes(model: torch.nn.Module) -> list[tuple[str, tuple[int, ...]]]:
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


# -- the matching, as a property over keys and shapes ------------------------------------

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
networks = st.lists(shapes, min_size=1, max_size=25).map(
    lambda ss: [(f"layer{i}.weight", s) for i, s in enumerate(ss)])


def _invariants(report, own, given):
    assert [r.key for r in report.rows] == [k for k, _ in own]     # one row per tensor, in order
    sources = [r.source for r in report.rows if r.loaded]
    assert len(sources) == len(set(sources))                       # a file tensor used once
    misfit = [r.source for r in report.misfit]
    assert sorted(sources + misfit + [k for k, _ in report.unused]) == sorted(k for k, _ in given)
    shape_of = dict(given)
    for r in report.rows:
        if r.loaded:
            assert shape_of[r.source] == r.shape == r.source_shape
        if r.how == MISFIT:
            assert shape_of[r.source] != r.shape


@settings(max_examples=60, deadline=None)
@given(networks, st.randoms(use_true_random=False))
def test_same_names_in_any_order_all_load_by_name(own, rnd):
    given_ = list(own)
    rnd.shuffle(given_)
    report = match_state(own, given_)
    _invariants(report, own, given_)
    assert all(r.how == NAME and r.source == r.key for r in report.rows) and not report.unused


@settings(max_examples=60, deadline=None)
@given(networks)
def test_renamed_tensors_in_the_same_order_load_by_order(own):
    given_ = [(f"features.{i}.w", s) for i, (_, s) in enumerate(own)]
    report = match_state(own, given_)
    _invariants(report, own, given_)
    assert [r.source for r in report.rows] == [k for k, _ in given_]
    assert all(r.how == ORDER for r in report.rows)


@settings(max_examples=60, deadline=None)
@given(networks, st.data())
def test_mis_shaped_and_dropped_tensors_are_named_and_the_rest_loads(own, data):
    n = len(own)
    bad = set(data.draw(st.sets(st.integers(0, n - 1), max_size=n)))
    gone = set(data.draw(st.sets(st.integers(0, n - 1), max_size=n))) - bad
    given_ = [(k, s + (9,) if i in bad else s) for i, (k, s) in enumerate(own) if i not in gone]
    report = match_state(own, given_)
    _invariants(report, own, given_)
    for i, r in enumerate(report.rows):
        expected = MISFIT if i in bad else MISSING if i in gone else NAME
        assert r.how == expected, (i, r)
    assert len(report.misfit) == len(bad) and len(report.missing) == len(gone)
    assert f"{n - len(bad) - len(gone)} of {n} tensors loaded" in report.summary()


def test_wrapper_prefixes_and_separators_are_read_alike():
    own = [("layer2_0.conv1.weight", (4, 2)), ("fc.bias", (3,))]
    given_ = [("module.layer2.0.conv1.weight", (4, 2)), ("module.fc.bias", (3,))]
    report = match_state(own, given_)
    assert [r.how for r in report.rows] == [SIMILAR, NAME]
    assert report.lines()[0] == ("layer2_0.conv1.weight 4x2: loaded by similar name from "
                                 "module.layer2.0.conv1.weight")


# -- the shipped architectures against torchvision's names -------------------------------

@pytest.mark.parametrize("name", list(tv.NAMES))
def test_torchvision_named_state_dicts_load_into_the_shipped_examples(name):
    own = _shapes(_module(name, "meta"))
    names = tv.NAMES[name]()
    given_ = list(zip(names, (s for _, s in own), strict=True))
    report = match_state(own, given_)
    assert [r.source for r in report.rows] == names      # each tensor from its torchvision twin
    assert not report.missing and not report.misfit and not report.unused


def test_googlenet_pretrained_file_with_auxiliary_heads_loads_all_but_them():
    own = _shapes(_module("googlenet", "meta"))
    shape_of = dict(zip(tv.googlenet(), (s for _, s in own), strict=True)) | tv.aux_shapes()
    given_ = [(k, shape_of[k]) for k in tv.googlenet(aux=True)]
    report = match_state(own, given_)
    assert [r.source for r in report.rows] == tv.googlenet()
    assert {k for k, _ in report.unused} == set(tv.aux_shapes())


def test_old_resnet_file_without_batch_counters_loads_everything_else():
    own = _shapes(_module("resnet18", "meta"))
    given_ = [(k, s) for k, (_, s) in zip(tv.resnet18(), own, strict=True)
              if not k.endswith("num_batches_tracked")]
    report = match_state(own, given_)
    assert {r.key.rsplit(".", 1)[1] for r in report.missing} == {"num_batches_tracked"}
    assert len(report.loaded) == 122 - 20 and not report.unused


@pytest.mark.parametrize("name", ["resnet18_flat", "mobilenetv2"])
def test_a_renamed_file_computes_what_the_original_computed(tmp_path, name):
    source = _module(name).eval()
    with torch.no_grad():
        for p in source.parameters():
            p.add_(0.01)           # weights no fresh build has
    renamed = dict(zip(tv.NAMES[name](), source.state_dict().values(), strict=True))
    path = tmp_path / "pretrained.pth"
    torch.save(renamed, path)
    torch.manual_seed(1)
    target = build_module(load_project(example_path(name)).graph).eval()
    matched = match_file(target, path)
    assert len(matched.report.loaded) == len(renamed)
    load_matched(target, matched)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(target(x), source(x))


def test_a_new_head_keeps_its_initial_values_and_the_report_says_so():
    lenet = _module("lenet5")
    state = {k: v + 1 for k, v in lenet.state_dict().items()}
    graph = load_project(example_path("lenet5")).graph
    graph.nodes["fc3"].params["out_features"] = 5
    target = build_module(graph)
    fresh_head = target.fc3.weight.detach().clone()
    matched = match_tensors(target, state, "lenet.pt")
    load_matched(target, matched)
    assert torch.equal(target.fc3.weight, fresh_head)
    assert torch.equal(target.conv1.weight, state["conv1.weight"])
    assert "fc3.weight 5x84: not loaded, the file's fc3.weight is 10x84" in matched.report.lines()
    assert matched.report.summary().startswith("8 of 10 tensors loaded (8 by name); 2 did not fit")


def test_files_that_fit_nothing_or_hold_code_are_refused_clearly(tmp_path):
    target = _module("lenet5")
    odd = tmp_path / "odd.pt"
    torch.save({"encoder.w": torch.zeros(3, 3, 3)}, odd)
    with pytest.raises(WeightsError, match="none of its 1 tensors fits this network"):
        match_file(target, odd)
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps(random.Random(0), protocol=2))
    with pytest.raises(WeightsError, match="contains code, not only tensors; netbuilder will "
                       "not run it") as refused:
        match_file(target, evil)
    assert "weights_only=False" not in str(refused.value)     # never advise turning safety off
    with pytest.raises(WeightsError, match="no such checkpoint file"):
        match_file(target, tmp_path / "absent.pt")


def test_torchvision_weights_load_and_compute_the_same(tmp_path):
    models = pytest.importorskip("torchvision.models")
    for name in ("resnet18", "resnet18_flat", "mobilenetv2", "googlenet", "alexnet", "vgg16"):
        make = getattr(models, tv.TORCHVISION[name])
        theirs = (make(weights=None, aux_logits=False, init_weights=True)
                  if name == "googlenet" else make(weights=None)).eval()
        ours = _module(name).eval()
        matched = match_tensors(ours, theirs.state_dict(), name)
        assert not matched.report.missing and not matched.report.misfit, name
        load_matched(ours, matched)
        x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            assert (ours(x) - theirs(x)).abs().max().item() == 0.0, name


def test_a_renamed_head_for_another_class_count_is_reported_as_not_fitting():
    own = _shapes(_module("lenet5", "meta"))
    own[-2:] = [("fc3.weight", (5, 84)), ("fc3.bias", (5,))]
    given_ = [(f"features.{i}", s) for i, (_, s) in enumerate(_shapes(_module("lenet5", "meta")))]
    report = match_state(own, given_)
    assert [r.how for r in report.rows] == [ORDER] * 8 + [MISFIT] * 2
    assert report.rows[-2].source == "features.8" and report.rows[-2].source_shape == (10, 84)
    assert not report.unused


def test_a_training_script_checkpoint_with_a_state_dict_inside_loads(tmp_path):
    source = _module("lenet5")
    path = tmp_path / "epoch=3.ckpt"
    torch.save({"epoch": 3, "state_dict": {f"model.{k}": v + 1 for k, v in
                                           source.state_dict().items()}}, path)
    target = _module("lenet5")
    matched = match_file(target, path)
    assert matched.report.summary() == "10 of 10 tensors loaded (10 by order)"
    load_matched(target, matched)
    assert torch.equal(target.fc2.bias, source.fc2.bias + 1)
