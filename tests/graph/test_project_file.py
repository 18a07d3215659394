"""Project files (format v1) and what analysis makes of the graphs they hold.

Round trips, every refusal with the place it names, fuzzing (random JSON and mutated
example files never raise anything but ProjectFileError, and whatever loads can be analysed
and saved), and the analysis states a student sees: incomplete, blocked, loops, unequal
shapes, an unused Input, an empty network, token ids into a convolution.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from graph_strategies import json_values, param_strategy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.graph.analysis import BLOCKED, ERROR, Analyzer, analyze
from netbuilder.graph.catalogue import CATALOGUE
from netbuilder.graph.errors import ProjectFileError
from netbuilder.graph.examples import list_examples
from netbuilder.graph.model import Edge, Graph, Node
from netbuilder.graph.project import (
    Project,
    block_to_dict,
    dumps_project,
    load_project,
    loads_project,
    project_from_dict,
    save_project,
)

EXAMPLES = {e.name: e.path for e in list_examples()}
# Fuzz examples per test; raise it to hunt (NETBUILDER_FUZZ_EXAMPLES=5000 pytest ...).
FUZZ = int(os.environ.get("NETBUILDER_FUZZ_EXAMPLES", "300"))
LENET = json.loads(EXAMPLES["lenet5"].read_text(encoding="utf-8"))


def graph_state(g: Graph) -> tuple:
    """Everything that makes two graphs equal, order included (the file keeps it)."""
    blocks = [(name, block_to_dict(b)) for name, b in g.blocks.items()]
    return g.name, list(g.nodes.items()), list(g.edges), blocks


def project_state(p: Project) -> tuple:
    return graph_state(p.graph), p.description, p.training, p.ui, p.node_ui


def doc(nodes: list[dict], edges: list[dict] | None = None, **top: Any) -> dict:
    return {"format": "netbuilder", "version": 1, "nodes": nodes, "edges": edges or [], **top}


def refusal(data: Any) -> str:
    with pytest.raises(ProjectFileError) as info:
        project_from_dict(data)
    return str(info.value)


# ---------------------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_round_trip_byte_for_byte(name: str, tmp_path: Path) -> None:
    original = EXAMPLES[name].read_text(encoding="utf-8")
    first = load_project(EXAMPLES[name])
    save_project(first, tmp_path / "a.json")
    second = load_project(tmp_path / "a.json")
    assert project_state(second) == project_state(first)
    save_project(second, tmp_path / "b.json")
    assert (tmp_path / "b.json").read_bytes() == (tmp_path / "a.json").read_bytes()
    # The shipped examples are themselves in the saved form: opening and saving one
    # changes nothing, so version control shows no spurious diff.
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == original
    assert not list(tmp_path.glob("*.tmp")), "the atomic save left its temporary file"


@st.composite
def graphs(draw) -> Project:
    """A random graph of known layer types with well-typed (not always valid) parameters."""
    g = Graph(draw(st.text(max_size=20)))
    ids = draw(st.lists(st.text(min_size=1, max_size=8).filter(str.strip), min_size=0,
                        max_size=6, unique=True))
    for nid in ids:
        spec = CATALOGUE[draw(st.sampled_from(sorted(CATALOGUE)))]
        params = {p.name: draw(param_strategy(p)) for p in spec.params if draw(st.booleans())}
        pos = draw(st.none() | st.tuples(*[st.integers(-10**6, 10**6).map(lambda v: v / 10)] * 2))
        label = draw(st.none() | st.text(min_size=1, max_size=10))
        g.nodes[nid] = Node(nid, spec.type, params, pos, label)
    if ids:
        for _ in range(draw(st.integers(0, 8))):
            g.edges.append(Edge(draw(st.sampled_from(ids)), draw(st.sampled_from(ids)),
                                draw(st.integers(0, 3))))
    training = draw(st.none() | st.dictionaries(st.text(max_size=5), json_values, max_size=3))
    ui = draw(st.dictionaries(st.text(max_size=5), json_values, max_size=3))
    node_ui = {nid: {"colour": draw(st.text(max_size=5))} for nid in ids if draw(st.booleans())}
    return Project(g, draw(st.text(max_size=20)), training, ui, node_ui)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_any_graph_round_trips(project: Project) -> None:
    text = dumps_project(project)
    again = loads_project(text)
    # NaN != NaN, so compare what the file says rather than the floats themselves.
    assert dumps_project(again) == text
    assert graph_state(again.graph) == graph_state(project.graph)


# ---------------------------------------------------------------------------------------
# Refusals, each naming its place
# ---------------------------------------------------------------------------------------

def test_newer_version_is_refused_with_advice() -> None:
    msg = refusal({**LENET, "version": 2})
    assert msg == ("the file is format version 2, newer than this netbuilder reads "
                   "(version 1): update netbuilder to open it")


@pytest.mark.parametrize("version, expected", [
    (0, '"version": expected 1, received 0'),
    ("1", '"version": expected a whole number, received "1"'),
    (True, '"version": expected a whole number, received true'),
    (None, '"version": expected a whole number, received null'),
])
def test_bad_version(version: Any, expected: str) -> None:
    assert refusal({**LENET, "version": version}) == expected


def test_not_a_netbuilder_file() -> None:
    assert refusal([1, 2]) == "expected a JSON object at the top, received a list"
    assert refusal({"version": 1}).startswith('"format": expected "netbuilder", received null')


@pytest.mark.parametrize("text, expected", [
    ('{"format": "netbuilder",\n "version": 1,,}', "not valid JSON: Expecting property name "
     "enclosed in double quotes at line 2, column 15"),
    ("", "not valid JSON: Expecting value at line 1, column 1"),
    ("[" * 100_000, "not a project file: the JSON is nested too deeply"),
])
def test_malformed_json(text: str, expected: str) -> None:
    with pytest.raises(ProjectFileError) as info:
        loads_project(text)
    assert str(info.value) == expected


def test_a_number_too_long_for_python_is_a_file_error() -> None:
    # json.loads raises a plain ValueError (int-string conversion limit), not JSONDecodeError.
    with pytest.raises(ProjectFileError, match="digits"):
        loads_project('{"format": "netbuilder", "version": 1' + "0" * 5000 + "}")


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d.update(nodes={}), '"nodes": expected a list, received an object'),
    (lambda d: d.update(edges="x"), '"edges": expected a list, received a string'),
    (lambda d: d.update(name=3), '"name": expected a string, received 3'),
    (lambda d: d.update(training=[]), '"training": expected an object, received a list'),
    (lambda d: d.update(ui=None), '"ui": expected an object, received null'),
    (lambda d: d.update(extra=1), "unknown key 'extra' (known keys: assignment, blocks, description, "
     "edges, format, name, nodes, training, ui, version)"),
    (lambda d: d["nodes"].__setitem__(1, 7), "nodes[1]: expected an object, received a number"),
    (lambda d: d["nodes"][1].update(id=""), 'nodes[1].id: expected a non-empty string, received ""'),
    (lambda d: d["nodes"][1].update(id=5), "nodes[1].id: expected a non-empty string, received 5"),
    (lambda d: d["nodes"][1].update(type=None),
     "nodes[1] ('conv1').type: expected a layer type name, received null"),
    (lambda d: d["nodes"][1]["params"].update(kernel_size="abc"),
     "nodes[1] ('conv1').params.kernel_size: expected a whole number or a list of 2 whole "
     "numbers, received 'abc'"),
    (lambda d: d["nodes"][1]["params"].update(kernel_size=[5, 5, 5]),
     "nodes[1] ('conv1').params.kernel_size: expected a whole number or a list of 2 whole "
     "numbers, received a list of 3"),
    (lambda d: d["nodes"][1]["params"].update(bias=1),
     "nodes[1] ('conv1').params.bias: expected true or false, received 1"),
    (lambda d: d["nodes"][1]["params"].update(padding="full"),
     "nodes[1] ('conv1').params.padding: expected a whole number or a list of 2, or 'same' or "
     "'valid', received 'full'"),
    (lambda d: d["nodes"][1].update(params=[]),
     "nodes[1] ('conv1').params: expected an object, received a list"),
    (lambda d: d["nodes"][1].update(position=[1]),
     "nodes[1] ('conv1').position: expected [x, y] numbers, received [1]"),
    (lambda d: d["nodes"][1].update(label=False),
     "nodes[1] ('conv1').label: expected a string, received false"),
    (lambda d: d["nodes"][1].update(colour="red"),
     "nodes[1] ('conv1'): unknown key 'colour' (known keys: id, label, params, position, trainable, type, ui)"),
    (lambda d: d["nodes"][0]["params"].update(shape=[1, "28", 28]),
     "nodes[0] ('input').params.shape: expected a list of whole numbers, received '28'"),
    (lambda d: d["nodes"][0]["params"].update(dtype="float64"),
     "nodes[0] ('input').params.dtype: expected one of 'float32', 'int64', received 'float64'"),
])
def test_wrong_types_name_the_place(mutate, expected: str) -> None:
    d = copy.deepcopy(LENET)
    mutate(d)
    assert refusal(d) == expected


@pytest.mark.parametrize("params, expected", [
    ({"p": 10**400}, "nodes[0] ('d').params.p: expected a number, received a number too large: "
     "100000000000000000000000000000000000000000000000000000000..."),
    ({"p": float("inf")}, "nodes[0] ('d').params.p: expected a finite number, received inf"),
])
def test_numbers_beyond_a_float(params: dict, expected: str) -> None:
    assert refusal(doc([{"id": "d", "type": "Dropout", "params": params}])) == expected


def test_sizes_beyond_int64() -> None:
    msg = refusal(doc([{"id": "fc", "type": "Linear", "params": {"out_features": 2**63}}]))
    assert msg == ("nodes[0] ('fc').params.out_features: expected a whole number, received a "
                   "number too large for PyTorch (beyond 2^63): 9223372036854775808")
    project_from_dict(doc([{"id": "fc", "type": "Linear", "params": {"out_features": 2**63 - 1}}]))


@pytest.mark.parametrize("type_, expected", [
    ("Conv2D", "nodes[1] ('conv1').type: unknown layer type 'Conv2D' (did you mean Conv2d?)"),
    ("conv2d", "nodes[1] ('conv1').type: unknown layer type 'conv2d' (did you mean Conv2d?)"),
    ("Convolution2d", "nodes[1] ('conv1').type: unknown layer type 'Convolution2d' "
     "(did you mean Conv2d?)"),
    ("Xyzzy", "nodes[1] ('conv1').type: unknown layer type 'Xyzzy'"),
])
def test_unknown_layer_type_with_suggestion(type_: str, expected: str) -> None:
    d = copy.deepcopy(LENET)
    d["nodes"][1]["type"] = type_
    assert refusal(d) == expected


def test_unknown_parameter_lists_the_real_ones() -> None:
    d = copy.deepcopy(LENET)
    d["nodes"][1]["params"]["kernal_size"] = 5
    assert refusal(d) == (
        "nodes[1] ('conv1').params: Conv2d has no parameter 'kernal_size' (its parameters: "
        "out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, init, "
        "init_gain, init_nonlinearity)")
    d = doc([{"id": "r", "type": "ReLU", "params": {"inplace": True}}])
    assert refusal(d) == "nodes[0] ('r').params: ReLU has no parameter 'inplace' (its parameters: none)"


@pytest.mark.parametrize("node, arg", [(1, "in_channels"), (8, "in_features")])
def test_inferred_argument_in_a_file_is_refused(node: int, arg: str) -> None:
    d = copy.deepcopy(LENET)
    d["nodes"][node].setdefault("params", {})[arg] = 3
    nid = d["nodes"][node]["id"]
    assert refusal(d) == (f"nodes[{node}] ({nid!r}).params.{arg}: {arg} is inferred from the "
                          "incoming shape; remove it from the file")


def test_duplicate_ids() -> None:
    d = copy.deepcopy(LENET)
    d["nodes"][3]["id"] = "conv1"
    assert refusal(d) == ("nodes[3] ('conv1'): the id 'conv1' is used by another node; ids must "
                          "be unique")


@pytest.mark.parametrize("edge, expected", [
    ({"source": "conv1", "target": "nowhere"}, "edges[12].target: there is no node 'nowhere'"),
    ({"source": "ghost", "target": "conv1"}, "edges[12].source: there is no node 'ghost'"),
    ({"source": 1, "target": "conv1"}, "edges[12].source: expected a node id, received 1"),
    ({"target": "conv1"}, "edges[12].source: expected a node id, received null"),
    ({"source": "input", "target": "conv1", "target_port": -1},
     "edges[12].target_port: expected a whole number >= 0, received -1"),
    ({"source": "input", "target": "conv1", "target_port": "0"},
     'edges[12].target_port: expected a whole number >= 0, received "0"'),
    ({"source": "input", "target": "conv1", "target_port": True},
     "edges[12].target_port: expected a whole number >= 0, received true"),
    ({"source": "input", "target": "conv1", "target_port": 1.5},
     "edges[12].target_port: expected a whole number >= 0, received 1.5"),
    ({"source": "input", "target": "conv1", "target_port": 10**6},
     "edges[12].target_port: 1000000 is not a plausible port number"),
    ({"source": "input", "target": "conv1", "weight": 1},
     "edges[12]: unknown key 'weight' (known keys: source, target, target_port)"),
    ([1, 2], "edges[12]: expected an object, received a list"),
])
def test_bad_edges_name_the_place(edge: Any, expected: str) -> None:
    d = copy.deepcopy(LENET)
    assert len(d["edges"]) == 12
    d["edges"].append(edge)
    assert refusal(d) == expected


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    # A UTF-8 byte-order mark (Notepad writes one) is not an error.
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + EXAMPLES["lenet5"].read_bytes())
    assert len(load_project(p).graph.nodes) == len(LENET["nodes"])


@pytest.mark.parametrize("setup, expected", [
    (lambda p: None, "no such file"),
    (lambda p: p.mkdir(), "is a folder, not a project file"),
    (lambda p: p.write_bytes(b"\xff\xfe{}"), "not a text file (byte 0 is not UTF-8)"),
    (lambda p: p.write_text("{", encoding="utf-8"), "not valid JSON"),
])
def test_load_project_names_the_file(tmp_path: Path, setup, expected: str) -> None:
    p = tmp_path / "project.json"
    setup(p)
    with pytest.raises(ProjectFileError) as info:
        load_project(p)
    assert str(info.value).startswith(f"{p}: ")
    assert expected in str(info.value)


# ---------------------------------------------------------------------------------------
# Fuzzing: nothing but ProjectFileError, and whatever loads can be analysed and saved
# ---------------------------------------------------------------------------------------

def must_load_or_refuse(data: Any) -> None:
    try:
        project = project_from_dict(data)
    except ProjectFileError as e:
        assert str(e)
        return
    check_loaded(project)


def check_loaded(project: Project) -> None:
    analysis = Analyzer().run(project.graph)
    assert set(analysis.nodes) == set(project.graph.nodes)
    text = dumps_project(project)
    with tempfile.TemporaryDirectory() as d:
        save_project(project, Path(d) / "p.json")
        again = load_project(Path(d) / "p.json")
    assert graph_state(again.graph) == graph_state(project.graph)
    assert dumps_project(again) == text


NODE_KEYS = ["id", "type", "params", "position", "label", "ui"]
TYPES = sorted(CATALOGUE) + ["Conv2D", "", "Nope"]


@st.composite
def file_like(draw) -> dict:
    """JSON shaped like a project file, with wrong pieces anywhere."""
    nodes = []
    for i in range(draw(st.integers(0, 5))):
        type_ = draw(st.sampled_from(TYPES))
        node: dict[str, Any] = {"id": draw(st.sampled_from(["a", "b", "c", f"n{i}"]) | json_values),
                                "type": draw(st.just(type_) | json_values)}
        spec = CATALOGUE.get(type_)
        if spec is not None and draw(st.booleans()):
            names = [p.name for p in spec.params] + ["in_channels", "bogus"]
            node["params"] = draw(st.dictionaries(st.sampled_from(names), json_values, max_size=3))
        for k in draw(st.lists(st.sampled_from(NODE_KEYS[3:] + ["extra"]), max_size=2)):
            node[k] = draw(json_values | st.lists(st.floats(), min_size=2, max_size=2))
        nodes.append(node)
    ids = [n["id"] for n in nodes if isinstance(n.get("id"), str)] or ["a"]
    edge = st.fixed_dictionaries(
        {"source": st.sampled_from(ids) | json_values, "target": st.sampled_from(ids)},
        optional={"target_port": st.integers(-1, 3) | json_values, "x": json_values})
    data = {"format": draw(st.just("netbuilder") | json_values),
            "version": draw(st.just(1) | json_values),
            "nodes": nodes, "edges": draw(st.lists(edge, max_size=6))}
    for k in draw(st.lists(st.sampled_from(["name", "description", "training", "ui", "blocks",
                                            "zz"]), max_size=3)):
        data[k] = draw(json_values)
    return data


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, file_like()))
def test_random_json_loads_or_is_refused(data: Any) -> None:
    must_load_or_refuse(data)


@settings(max_examples=FUZZ, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_random_text_loads_or_is_refused(text: str) -> None:
    try:
        project = loads_project(text)
    except ProjectFileError:
        return
    check_loaded(project)


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
def mutated_examples(draw) -> dict:
    name = draw(st.sampled_from(["lenet5", "resnet18_flat", "resnet18"]))
    data = json.loads(EXAMPLES[name].read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(data)[1:]))
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        last = path[-1]
        op = draw(st.sampled_from(["replace", "delete", "add", "swap"]))
        if op == "replace":
            parent[last] = draw(json_values)
        elif op == "delete":
            del parent[last]
        elif op == "add":
            if isinstance(parent, dict):
                parent[draw(st.text(max_size=12) | st.sampled_from(NODE_KEYS))] = draw(json_values)
            else:
                parent.insert(last, draw(json_values))
        else:  # copy another value of the file here (ids, ports, params of other nodes)
            other = draw(st.sampled_from(_paths(data)))
            v = data
            for k in other:
                v = v[k]
            parent[last] = copy.deepcopy(v)
    return data


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_examples())
def test_mutated_examples_load_or_are_refused(data: dict) -> None:
    must_load_or_refuse(data)


def test_lone_surrogate_is_refused_or_saved() -> None:
    text = json.dumps(doc([{"id": "\ud800", "type": "ReLU"}]), ensure_ascii=True)
    try:
        project = loads_project(text)
    except ProjectFileError:
        return
    check_loaded(project)


# ---------------------------------------------------------------------------------------
# A file with loops: analysed, summarised and saved without an exception
# ---------------------------------------------------------------------------------------

def test_cycles_in_a_file_are_errors_not_exceptions() -> None:
    d = doc([{"id": "input", "type": "Input", "params": {"shape": [4]}},
             {"id": "a", "type": "Linear"}, {"id": "b", "type": "ReLU"},
             {"id": "c", "type": "Add"}, {"id": "after", "type": "ReLU"},
             {"id": "self", "type": "ReLU"}],
            [{"source": "input", "target": "c"}, {"source": "b", "target": "c", "target_port": 1},
             {"source": "c", "target": "a"}, {"source": "a", "target": "b"},
             {"source": "b", "target": "after"}, {"source": "self", "target": "self"}])
    project = project_from_dict(d)
    a = analyze(project.graph)
    loops = {d.node for d in a.errors if d.code == "cycle"}
    assert loops == {"a", "b", "c", "self"}
    assert all(a.nodes[n].status == ERROR for n in loops)
    assert a.nodes["after"].status == BLOCKED
    assert "part of a loop" in a.errors[0].message
    check_loaded(project)  # the summary, the report and saving all cope with a loop


def test_a_key_twice_in_one_object_is_refused_with_the_line() -> None:
    text = json.dumps(LENET, indent=2)
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if '"kernel_size"' in line)
    lines.insert(at + 1, lines[at].rstrip(",") + ",")    # the same key again, next line
    with pytest.raises(ProjectFileError) as e:
        loads_project("\n".join(lines))
    assert f"the key 'kernel_size' appears twice in one object at line {at + 2}" in str(e.value)


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.sampled_from(["a", "b", "c", "name", "id"]), min_size=2, max_size=6))
def test_duplicates_anywhere_are_found_and_unique_keys_pass(keys) -> None:
    from netbuilder.graph.jsonfile import DuplicateKeyError, loads

    body = ", ".join(f'"{k}": {i}' for i, k in enumerate(keys))
    text = '{"outer": [1, {' + body + '}]}'
    if len(set(keys)) == len(keys):
        assert loads(text) == json.loads(text)
    else:
        with pytest.raises(DuplicateKeyError, match="appears twice in one object at line 1"):
            loads(text)
