"""Assignment files, goals judged on a graph, locks, and the submission link.

Round trips keep the fingerprint; every kind of malformed file is refused with the place it
names (and random or mutated JSON never raises anything else); each graph goal reports its
figure in words; every kind of tampering with a locked part is caught and named.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from graph_strategies import json_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.graph.assignment import (
    Assignment,
    assignment_from_dict,
    dumps_assignment,
    load_assignment,
    loads_assignment,
    make_submission,
    save_assignment,
    starting_project,
    submission_of,
)
from netbuilder.graph.errors import AssignmentFileError, ProjectFileError
from netbuilder.graph.examples import list_examples
from netbuilder.graph.goals import (
    MET,
    PENDING,
    UNMET,
    TrainingBudget,
    evaluate_graph_goals,
    training_goal_result,
    training_settings,
)
from netbuilder.graph.locks import check_locks
from netbuilder.graph.model import Node
from netbuilder.graph.project import dumps_project, load_project, loads_project

EXAMPLES = {e.name: e.path for e in list_examples()}
LENET = json.loads(EXAMPLES["lenet5"].read_text(encoding="utf-8"))
FUZZ = int(os.environ.get("NETBUILDER_FUZZ_EXAMPLES", "200"))
BUDGET = {"dataset": "digits28", "epochs": 2, "seed": 0, "optimizer": "adam", "lr": 0.001}


def lenet_assignment_dict() -> dict[str, Any]:
    return {
        "format": "netbuilder-assignment", "version": 1, "title": "A small LeNet",
        "instructions": "# Shrink LeNet-5\nKeep **input** and **fc3**.",
        "project": copy.deepcopy(LENET),
        "locks": {"nodes": ["input", "fc3"], "params": {"input": ["*"], "fc3": ["out_features"]},
                  "no_new_types": ["Dropout"]},
        "goals": [
            {"kind": "valid"},
            {"kind": "output_shape", "shape": [10]},
            {"kind": "max_params", "limit": 20000, "count": "trainable"},
            {"kind": "max_macs", "limit": 1_000_000},
            {"kind": "contains", "type": "Conv2d"},
            {"kind": "excludes", "type": "Sigmoid"},
            {"kind": "max_layers", "limit": 12, "points": 2},
            {"kind": "min_accuracy", "value": 0.9, "training": dict(BUDGET)},
        ],
        "hidden": {"seed": 7, "goals": [{"kind": "max_loss", "value": 0.5,
                                         "training": dict(BUDGET)}]},
    }


@pytest.fixture
def lenet() -> Assignment:
    return assignment_from_dict(lenet_assignment_dict())


def refusal(data: Any) -> str:
    with pytest.raises(AssignmentFileError) as info:
        assignment_from_dict(data)
    return str(info.value)


# -- round trips and the fingerprint --------------------------------------------------

def test_round_trip_keeps_everything_and_the_fingerprint(lenet: Assignment, tmp_path: Path) -> None:
    save_assignment(lenet, tmp_path / "a.json")
    again = load_assignment(tmp_path / "a.json")
    assert again.fingerprint == lenet.fingerprint
    assert (again.title, again.instructions) == (lenet.title, lenet.instructions)
    assert again.goals == lenet.goals and again.hidden == lenet.hidden
    assert again.locks == lenet.locks
    save_assignment(again, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert json.loads(text)["fingerprint"] == lenet.fingerprint
    # The starting network keeps the project writer's one node per line.
    assert '    {"id": "conv1", "type": "Conv2d"' in text


def test_students_copy_has_no_hidden_part_and_the_same_fingerprint(lenet: Assignment) -> None:
    text = dumps_assignment(lenet, hidden=False)
    assert "hidden" not in json.loads(text)
    student = loads_assignment(text)
    assert student.fingerprint == lenet.fingerprint
    assert student.graded_seed is None and lenet.graded_seed == 7
    assert len(lenet.all_goals()) == 9 and len(lenet.all_goals(hidden=False)) == 8


def test_fingerprint_follows_network_locks_and_goals_not_words() -> None:
    base = assignment_from_dict(lenet_assignment_dict()).fingerprint
    d = lenet_assignment_dict()
    d["title"], d["instructions"], d["hidden"] = "Another title", "typo fixed", {"seed": 99}
    d["project"]["nodes"][1]["position"] = [5, 5]
    assert assignment_from_dict(d).fingerprint == base
    for change in (lambda d: d["goals"][2].update(limit=30000),
                   lambda d: d["locks"]["nodes"].remove("fc3"),
                   lambda d: d["project"]["nodes"][1]["params"].update(out_channels=4)):
        d = lenet_assignment_dict()
        change(d)
        assert assignment_from_dict(d).fingerprint != base


# -- refusals ---------------------------------------------------------------------------

@pytest.mark.parametrize("change, expected", [
    (lambda d: d.update(format="netbuilder"), "this is a project file"),
    (lambda d: d.update(version=2), "newer than this netbuilder reads"),
    (lambda d: d.update(title=""), '"title": expected a non-empty string'),
    (lambda d: d.update(instructions=["x"]), '"instructions": expected Markdown text'),
    (lambda d: d.pop("project"), '"project": missing'),
    (lambda d: d["project"]["nodes"][1].update(type="Conv9d"),
     "\"project\": nodes[1] ('conv1').type: unknown layer type 'Conv9d'"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d["locks"].update(nodes=["conv9"]),
     "\"locks\".nodes[0]: 'conv9' is not a node of the starting network"),
    (lambda d: d["locks"]["params"].update(fc3=["kernel_size"]),
     "\"locks\".params.fc3: Linear has no parameter 'kernel_size'"),
    (lambda d: d["locks"].update(no_new_types=["Dropuot"]),
     "\"locks\".no_new_types[0]: unknown layer type 'Dropuot' (did you mean Dropout"),
    (lambda d: d["goals"].append({"kind": "max_cats"}), '"goals"[8].kind: expected one of valid'),
    (lambda d: d["goals"][2].update(limit=-1), '"goals"[2].limit: expected a whole number from 0'),
    (lambda d: d["goals"][2].update(limit=1.5), '"goals"[2].limit: expected a whole number'),
    (lambda d: d["goals"][2].update(count="some"), '"goals"[2].count: expected "trainable" or "all"'),
    (lambda d: d["goals"][1].update(shape=[0]), '"goals"[1].shape: expected a list of 1 to 8'),
    (lambda d: d["goals"][7].update(value=95), '"goals"[7].value: expected an accuracy as a fraction'),
    (lambda d: d["goals"][7]["training"].pop("seed"), "the training budget needs 'seed'"),
    (lambda d: d["goals"][7]["training"].update(epochs=0), ".training.epochs: expected a whole number from 1"),
    (lambda d: d["goals"][7]["training"].update(optimizer="free"),
     ".training.lr: a learning rate goes with a fixed optimiser"),
    (lambda d: d["goals"][0].update(limit=3), "a valid goal has no key 'limit'"),
    (lambda d: d["goals"][4].pop("type"), "a contains goal needs 'type'"),
    (lambda d: d["hidden"].update(seed=-3), '"hidden".seed: expected a whole number'),
    (lambda d: d["hidden"]["goals"][0].update(kind="x"), '"hidden".goals[0].kind'),
    (lambda d: d["project"].update(assignment={"fingerprint": "x", "student": "y"}),
     "the starting network is a submission"),
])
def test_malformed_assignments_are_refused_naming_the_place(change, expected: str) -> None:
    d = lenet_assignment_dict()
    change(d)
    assert expected in refusal(d)


def test_unreadable_files_are_refused_naming_the_file(tmp_path: Path) -> None:
    cases = {"missing.json": None, "binary.json": b"\xff\xfe\x00",
             "broken.json": b'{"format": "netbuilder-assignment",', "list.json": b"[1, 2]",
             "twice.json": b'{"title": "a", "title": "b"}'}
    expected = {"missing.json": "no such file", "binary.json": "not a text file",
                "broken.json": "not valid JSON", "list.json": "expected a JSON object",
                "twice.json": "the key 'title' appears twice"}
    for name, data in cases.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
        with pytest.raises(AssignmentFileError) as e:
            load_assignment(tmp_path / name)
        assert str(e.value).startswith(str(tmp_path / name)) and expected[name] in str(e.value)
    with pytest.raises(AssignmentFileError, match="is a folder"):
        load_assignment(tmp_path)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated_assignments(draw) -> dict:
    data = lenet_assignment_dict()
    data["project"]["nodes"] = data["project"]["nodes"][:4]   # keep the paths few
    data["project"]["edges"] = data["project"]["edges"][:3]
    data["locks"] = {"nodes": ["input"], "params": {"conv1": ["kernel_size"]}}
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)[1:]))
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(json_values)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        else:
            parent.insert(path[-1], draw(json_values))
    return data


def must_load_or_refuse(data: Any) -> None:
    try:
        a = assignment_from_dict(data)
    except AssignmentFileError as e:
        assert str(e) and "Traceback" not in str(e)
        return
    # Whatever loads can be judged, checked and written again.
    evaluate_graph_goals(a, a.project.graph)
    assert check_locks(a, a.project.graph) == []
    assert loads_assignment(dumps_assignment(a)).fingerprint == a.fingerprint


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_assignments())
def test_mutated_assignments_load_or_are_refused(data: dict) -> None:
    must_load_or_refuse(data)


@settings(max_examples=FUZZ, deadline=None)
@given(json_values | st.fixed_dictionaries(
    {"format": st.just("netbuilder-assignment"), "version": st.just(1)},
    optional={"title": json_values, "project": json_values, "locks": json_values,
              "goals": json_values, "hidden": json_values, "instructions": json_values}))
def test_random_json_is_refused_with_a_message(data: Any) -> None:
    must_load_or_refuse(data)


@settings(max_examples=FUZZ, deadline=None)
@given(st.text(max_size=200))
def test_random_text_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(AssignmentFileError):
        loads_assignment(text)


# -- graph goals ----------------------------------------------------------------------

def test_goals_on_the_starting_lenet_report_their_figures(lenet: Assignment) -> None:
    results = evaluate_graph_goals(lenet, lenet.project.graph)
    got = {r.goal.kind: (r.status, r.message) for r in results}
    assert got["valid"] == (MET, "no errors")
    assert got["output_shape"] == (MET, "output 10")
    assert got["max_params"] == (UNMET, "61,706 trainable parameters (limit 20,000)")
    assert got["max_macs"] == (MET, "416,520 multiply-accumulates (limit 1,000,000)")
    assert got["contains"] == (MET, "Conv2d used: conv1, conv2")
    assert got["excludes"] == (MET, "no Sigmoid layer")
    assert got["max_layers"] == (MET, "12 layers (limit 12)")
    assert got["min_accuracy"][0] == PENDING
    assert [r.goal.label for r in results][2] == "At most 20,000 trainable parameters"


def test_goals_follow_edits(lenet: Assignment) -> None:
    g = starting_project(lenet).graph
    g.set_param("fc1", "out_features", 16)
    g.set_param("fc2", "out_features", 16)
    g.add_node(Node("sig", "Sigmoid"))
    res = {r.goal.kind: r for r in evaluate_graph_goals(lenet, g)}
    # The new Sigmoid is not wired in: an error, so counts cannot be judged.
    assert res["valid"].status == UNMET and "'sig'" in res["valid"].message
    assert res["max_params"].message == "cannot be judged until the network has no errors"
    assert res["excludes"].status == UNMET and res["excludes"].message == "Sigmoid used: sig"
    assert res["max_layers"].message == "13 layers (limit 12)"
    g.remove_node("sig")
    res = {r.goal.kind: r for r in evaluate_graph_goals(lenet, g)}
    assert res["max_params"].status == MET
    assert isinstance(res["max_params"].measured, int) and res["max_params"].measured < 20000
    assert res["max_params"].message.endswith("trainable parameters (limit 20,000)")
    frozen = starting_project(lenet).graph
    frozen.nodes["fc1"].trainable = False
    all_goal = evaluate_graph_goals(
        None, frozen, goals=[assignment_from_dict(_with_goal(
            {"kind": "max_params", "limit": 20000, "count": "all"})).goals[0]])[0]
    trainable = {r.goal.kind: r for r in evaluate_graph_goals(lenet, frozen)}["max_params"]
    assert all_goal.message == "61,706 parameters (limit 20,000)"
    assert trainable.message == "13,586 trainable parameters (limit 20,000)"


def _with_goal(goal: dict) -> dict:
    d = lenet_assignment_dict()
    d["goals"] = [goal]
    return d


def test_output_shape_goal_names_the_shape_it_found(lenet: Assignment) -> None:
    g = starting_project(lenet).graph
    g.set_param("fc3", "out_features", 7)
    res = {r.goal.kind: r for r in evaluate_graph_goals(lenet, g)}
    assert res["output_shape"].status == UNMET
    assert res["output_shape"].message == "output 7, expected 10"


def test_training_goal_results_from_metrics(lenet: Assignment) -> None:
    acc_goal, loss_goal = lenet.goals[7], lenet.hidden.goals[0]
    assert training_goal_result(acc_goal, {"val_acc": 0.934}).message == \
        "validation accuracy 93.4% (at least 90.0%)"
    assert training_goal_result(acc_goal, {"val_acc": 0.5}).status == UNMET
    assert training_goal_result(loss_goal, {"val_loss": float("nan")}).status == UNMET
    assert training_goal_result(loss_goal, {"val_loss": 0.25}).status == MET
    assert training_goal_result(acc_goal, None, "ran out of time").message == "ran out of time"


def test_training_settings_take_only_what_the_budget_leaves_free() -> None:
    student = {"optimizer": "sgd", "lr": 0.1, "epochs": 500, "seed": 3, "val_fraction": 0.01,
               "dataset": "iris", "loss": "nll"}
    same = {"device": "cpu", "cpu_threads": 1, "mixed_precision": False, "compile": False,
            "channels_last": False}
    free = training_settings(TrainingBudget("digits", 2, 0), student, seed=7)
    assert free == {"optimizer": "sgd", "lr": 0.1, "loss": "nll", "dataset": "digits",
                    "epochs": 2, "seed": 7, **same}
    fixed = training_settings(TrainingBudget("digits", 2, 0, "adam", 0.01, 32),
                              dict(student, device="cuda", cpu_threads=16))
    assert fixed == {"optimizer": "adam", "lr": 0.01, "loss": "nll", "batch_size": 32,
                     "dataset": "digits", "epochs": 2, "seed": 0, **same}


# -- locks ----------------------------------------------------------------------------

def test_untouched_start_breaks_no_lock(lenet: Assignment) -> None:
    assert check_locks(lenet, starting_project(lenet).graph) == []


def test_each_kind_of_tampering_is_caught_and_named(lenet: Assignment) -> None:
    g = starting_project(lenet).graph
    g.remove_node("fc3")
    g.set_param("input", "shape", [1, 8, 8])
    g.add_node(Node("drop", "Dropout"))
    found = [(v.kind, v.node, v.param) for v in check_locks(lenet, g)]
    assert found == [("deleted", "fc3", None), ("param", "input", "shape"),
                     ("new_type", "drop", None)]
    messages = [v.message for v in check_locks(lenet, g)]
    assert messages[0] == "the locked layer 'fc3' (Linear) was deleted"
    assert messages[1] == "shape of the locked layer 'input' was changed from [1, 28, 28] to [1, 8, 8]"
    assert messages[2] == "'drop' is a new Dropout layer; the assignment allows no new Dropout layers"


def test_a_locked_node_replaced_by_another_type_is_caught(lenet: Assignment) -> None:
    g = starting_project(lenet).graph
    g.remove_node("fc3")
    g.add_node(Node("fc3", "Conv2d"))
    assert [v.message for v in check_locks(lenet, g)] == [
        "the locked layer 'fc3' was a Linear and is now a Conv2d"]


def test_setting_a_default_by_hand_is_no_change(lenet: Assignment) -> None:
    g = starting_project(lenet).graph
    g.set_param("fc3", "bias", True)      # the default, now written out
    assert check_locks(lenet, g) == []
    assert lenet.locks.why_param_locked("fc3", "out_features")
    assert lenet.locks.why_param_locked("fc3", "bias") is None
    assert lenet.locks.why_param_locked("input", "shape")     # "*" locks them all
    assert "cannot be deleted" in lenet.locks.why_node_locked("fc3")
    assert lenet.locks.why_node_locked("conv1") is None
    assert lenet.locks.why_type_forbidden("Dropout") == "the assignment allows no new Dropout layers"


def test_a_locked_parameter_edited_in_the_json_is_caught(lenet: Assignment) -> None:
    text = dumps_project(starting_project(lenet)).replace('"out_features": 10', '"out_features": 12')
    g = loads_project(text).graph
    assert [v.message for v in check_locks(lenet, g)] == [
        "out_features of the locked layer 'fc3' was changed from 10 to 12"]


# -- submissions ----------------------------------------------------------------------

def test_a_submission_records_fingerprint_and_student(lenet: Assignment, tmp_path: Path) -> None:
    from netbuilder.graph.project import save_project

    sub = make_submission(starting_project(lenet), lenet, "  Ada   Lovelace ")
    save_project(sub, tmp_path / "ada.json")
    back = load_project(tmp_path / "ada.json")
    assert submission_of(back).student == "Ada Lovelace"
    assert submission_of(back).fingerprint == lenet.fingerprint
    assert json.loads((tmp_path / "ada.json").read_text())["assignment"] == {
        "fingerprint": lenet.fingerprint, "student": "Ada Lovelace"}
    assert submission_of(starting_project(lenet)) is None
    with pytest.raises(AssignmentFileError, match="needs the student's name"):
        make_submission(back, lenet, "   ")


@pytest.mark.parametrize("link, expected", [
    ([1], '"assignment": expected an object'),
    ({"fingerprint": 3, "student": "x"}, '"assignment".fingerprint: expected a string'),
    ({"fingerprint": "x"}, '"assignment".student: expected a string'),
    ({"fingerprint": "x", "student": "y", "grade": 100}, "unknown key 'grade'"),
    ({"fingerprint": "x", "student": "y" * 201}, "at most 200 characters"),
])
def test_a_malformed_submission_link_is_refused(link: Any, expected: str) -> None:
    d = copy.deepcopy(LENET)
    d["assignment"] = link
    with pytest.raises(ProjectFileError) as e:
        loads_project(json.dumps(d))
    assert expected in str(e.value)


# -- nothing hides in a block -----------------------------------------------------------

def _blocky_assignment() -> Assignment:
    """The digits MLP with its first hidden layer and ReLU in a block 'Dense' (use 'dense',
    locked), no new Sigmoid or Conv2d layers, at most 6 layers, no Sigmoid, some ReLU."""
    from netbuilder.graph.blocks import make_block
    from netbuilder.graph.project import project_to_dict

    p = load_project(EXAMPLES["mlp_digits"])
    make_block(p.graph, ["hidden1", "relu1"], "Dense")
    return assignment_from_dict({
        "format": "netbuilder-assignment", "version": 1, "title": "Blocks",
        "project": project_to_dict(p),
        "locks": {"nodes": ["dense"], "no_new_types": ["Sigmoid", "Conv2d"]},
        "goals": [{"kind": "max_layers", "limit": 6}, {"kind": "excludes", "type": "Sigmoid"},
                  {"kind": "contains", "type": "ReLU"}]})


def _reloaded(project) -> Any:
    return loads_project(dumps_project(project)).graph      # as the grader reads a file


def test_layers_inside_blocks_count_for_goals() -> None:
    a = _blocky_assignment()
    res = evaluate_graph_goals(a, a.project.graph)
    assert [r.message for r in res] == ["6 layers (limit 6)", "no Sigmoid layer",
                                        "ReLU used: relu2, dense/relu1"]
    p = starting_project(a)
    p.graph.set_param("dense", "repeat", 3)
    g = _reloaded(p)
    assert evaluate_graph_goals(a, g)[0].message == "10 layers (limit 6)"   # 4 + 2 x 3


def test_a_forbidden_layer_hidden_in_a_new_block_is_caught() -> None:
    from netbuilder.graph.blocks import make_block

    a = _blocky_assignment()
    p = starting_project(a)
    p.graph.add_node(Node("sig", "Sigmoid"))
    p.graph.remove_node("relu2")
    p.graph.connect("hidden2", "sig")
    p.graph.connect("sig", "out")
    make_block(p.graph, ["sig"], "Squash")
    g = _reloaded(p)
    assert not any(n.type == "Sigmoid" for n in g.nodes.values())   # only inside the block
    assert [v.message for v in check_locks(a, g)] == [
        "'squash' holds a new Sigmoid layer inside its block (squash/sig); the assignment "
        "allows no new Sigmoid layers"]
    assert evaluate_graph_goals(a, g)[1].message == "Sigmoid used: squash/sig"


def test_a_locked_blocks_inside_cannot_change() -> None:
    a = _blocky_assignment()
    p = starting_project(a)
    inner = p.graph.blocks["Dense"].graph
    inner.add_node(Node("conv", "Conv2d"))       # a forbidden type, inside the locked use
    inner.set_param("hidden1", "out_features", 16)
    g = _reloaded(p)
    found = sorted((v.kind, v.message) for v in check_locks(a, g))
    assert found == [
        ("block", "the block Dense of the locked layer 'dense' was changed inside"),
        ("new_type", "'dense' holds a new Conv2d layer inside its block (dense/conv); the "
                     "assignment allows no new Conv2d layers")]
    assert check_locks(a, _reloaded(starting_project(a))) == []
