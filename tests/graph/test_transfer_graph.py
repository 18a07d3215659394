"""The ``trainable`` flag in the project file and the transfer-learning graph edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netbuilder.graph.analysis import analyze
from netbuilder.graph.document import Document
from netbuilder.graph.errors import GraphEditError, ProjectFileError
from netbuilder.graph.project import (
    dumps_project,
    fingerprint,
    load_project,
    loads_project,
)
from netbuilder.graph.transfer import freeze_up_to, parameter_split, replace_head

EX = Path(__file__).resolve().parents[2] / "assets" / "examples"


def _lenet():
    return load_project(EX / "lenet5.json")


def test_frozen_nodes_round_trip_and_only_they_gain_a_key():
    project = _lenet()
    before = dumps_project(project)
    print_ = fingerprint(project.graph)
    for nid in freeze_up_to(project.graph, "pool2"):
        project.graph.nodes[nid].trainable = False
    text = dumps_project(project)
    changed = [line for line in text.splitlines() if line not in before.splitlines()]
    assert len(changed) == 7 and all('"trainable": false' in line for line in changed)
    again = loads_project(text)
    assert [n.trainable for n in again.graph.nodes.values()] == \
           [n.trainable for n in project.graph.nodes.values()]
    assert fingerprint(again.graph) == print_     # freezing keeps checkpoints valid


EXAMPLES = sorted(EX.glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_files_without_the_key_load_trainable_and_save_unchanged(path):
    project = load_project(path)
    assert all(n.trainable for n in project.graph.nodes.values())
    assert "trainable" not in dumps_project(project)


def test_a_wrong_value_is_refused_with_its_place():
    data = json.loads(dumps_project(_lenet()))
    data["nodes"][1]["trainable"] = "no"
    with pytest.raises(ProjectFileError, match=r"nodes\[1\] \('conv1'\)\.trainable: expected "
                                               r"true or false, received \"no\""):
        loads_project(json.dumps(data))


def test_freeze_up_to_takes_every_branch_that_feeds_the_node_and_nothing_after():
    graph = load_project(EX / "resnet18_flat.json").graph
    frozen = freeze_up_to(graph, "layer2_1_add")
    assert {"conv1", "layer1_0_conv1", "layer2_0_downsample", "layer2_1_add"} <= set(frozen)
    assert "layer3_0_conv1" not in frozen and "fc" not in frozen
    with pytest.raises(GraphEditError, match="no node 'nope'"):
        freeze_up_to(graph, "nope")


def test_replace_head_picks_the_last_linear_and_explains_when_there_is_none():
    assert replace_head(_lenet().graph, 5) == ("fc3", 5)
    graph = _lenet().graph
    for nid in ("fc1", "relu3", "fc2", "relu4", "fc3"):
        graph.remove_node(nid)
    with pytest.raises(GraphEditError, match="has none: add a Linear layer"):
        replace_head(graph, 5)
    with pytest.raises(GraphEditError, match="at least 1"):
        replace_head(_lenet().graph, 0)


def test_parameter_split_counts_frozen_layers_as_torchinfo_does():
    graph = _lenet().graph
    for nid in freeze_up_to(graph, "pool2"):
        graph.nodes[nid].trainable = False
    counts = {nid: info.params for nid, info in analyze(graph).nodes.items()}
    assert parameter_split(graph, counts) == (61_706 - 156 - 2_416, 156 + 2_416)


def test_the_document_announces_a_freeze_and_refuses_it_while_training():
    doc = Document(_lenet())
    seen = []
    doc.subscribe(seen.append)
    old = doc.set_trainable({"conv1": False})
    assert old == {"conv1": True} and seen[-1].nodes == {"conv1"}
    assert doc.graph.nodes["conv1"].trainable is False
    doc.set_locked("training")
    with pytest.raises(GraphEditError):
        doc.set_trainable({"conv1": True})


def test_check_reports_trainable_and_non_trainable_params_when_layers_are_frozen():
    from netbuilder.graph.report import json_report, text_report

    project = _lenet()
    graph = project.graph
    assert "Non-trainable" not in text_report(graph, analyze(graph))
    for nid in freeze_up_to(graph, "pool2"):
        graph.nodes[nid].trainable = False
    text = text_report(graph, analyze(graph))
    assert "Trainable params: 59,134\nNon-trainable params: 2,572" in text
    report = json_report(graph, analyze(graph))
    assert (report["trainable_params"], report["frozen_params"]) == (59_134, 2_572)


def test_frozen_layers_inside_a_block_definition_are_refused_with_what_to_do():
    data = json.loads(dumps_project(load_project(EX / "resnet18.json")))
    data["blocks"][0]["nodes"][1]["trainable"] = False
    with pytest.raises(ProjectFileError, match=r"blocks\[0\].*trainable: layers inside a block "
                                               r"are frozen with the block"):
        loads_project(json.dumps(data))
