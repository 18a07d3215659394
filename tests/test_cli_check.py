"""``netbuilder check`` as a user runs it: a real subprocess, exit codes, text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.graph.examples import list_examples

EXAMPLES = {e.name: e.path for e in list_examples()}
EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2

# The contract of `netbuilder check --json`.
TOP_KEYS = {"valid", "total_params", "total_macs", "nodes", "errors", "warnings"}
NODE_KEYS = {"type", "output_shape", "params", "macs", "formula"}
DIAG_KEYS = {"node", "message"}


def check(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netbuilder", "check", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def check_json(path: str | Path) -> tuple[int, dict]:
    r = check(path, "--json")
    assert "Traceback" not in r.stderr, r.stderr
    # Exactly one JSON object on stdout (json.loads refuses anything after it).
    return r.returncode, json.loads(r.stdout)


def assert_contract(report: dict) -> None:
    assert TOP_KEYS <= set(report), set(report)
    assert isinstance(report["valid"], bool)
    assert isinstance(report["total_params"], int) and isinstance(report["total_macs"], int)
    for nid, node in report["nodes"].items():
        assert isinstance(nid, str)
        assert NODE_KEYS <= set(node), (nid, set(node))
        assert node["output_shape"] is None or all(isinstance(d, int) for d in node["output_shape"])
        assert node["formula"] is None or isinstance(node["formula"], str)
    for d in report["errors"] + report["warnings"]:
        assert DIAG_KEYS <= set(d)
        assert isinstance(d["message"], str) and d["message"]


@pytest.mark.parametrize("name, params, output", [
    ("alexnet", 61_100_840, "fc3"),
    ("vgg16", 138_357_544, "fc3"),
    ("resnet18_flat", 11_689_512, "fc"),
    ("resnet18", 11_689_512, "fc"),  # the same network built from blocks
])
def test_classic_networks_match_torchvision_counts(name: str, params: int, output: str) -> None:
    code, report = check_json(EXAMPLES[name])
    assert code == EXIT_OK
    assert_contract(report)
    assert report["valid"] is True and report["errors"] == []
    assert report["total_params"] == params
    assert sum(n["params"] for n in report["nodes"].values()) == params
    assert report["nodes"][output]["output_shape"] == [1000]


def test_lenet_text_report() -> None:
    r = check(EXAMPLES["lenet5"], "--formulas")
    assert r.returncode == EXIT_OK, r.stderr
    assert r.stderr == ""
    assert "Total params: 61,706" in r.stdout
    assert "H_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28" in r.stdout
    assert r.stdout.rstrip().endswith("Valid. Output: fc3 -> 10")


def test_json_formula_and_warnings() -> None:
    code, report = check_json(EXAMPLES["alexnet"])
    conv1 = report["nodes"]["conv1"]
    assert conv1["output_shape"] == [64, 55, 55]
    assert "H_out = floor((224 + 2*2 - 1*(11-1) - 1) / 4) + 1 = 55" in conv1["formula"]
    # Its uncovered row is padding: no warning.
    assert report["warnings"] == []


def test_json_warns_when_a_stride_drops_real_input(tmp_path: Path) -> None:
    data = {"format": "netbuilder", "version": 1, "name": "strided",
            "nodes": [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}},
                      {"id": "conv", "type": "Conv2d",
                       "params": {"out_channels": 4, "kernel_size": 3, "stride": 2}}],
            "edges": [{"source": "input", "target": "conv"}]}
    code, report = check_json(_write(tmp_path, data))
    assert code == EXIT_OK
    assert [w["node"] for w in report["warnings"]] == ["conv", "conv"]
    assert "25/2 is not a whole number" in report["warnings"][0]["message"]
    assert "last 1 row " in report["warnings"][0]["message"]


def _write(tmp_path: Path, data: dict | str, name: str = "p.json") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return p


def test_invalid_graph_exits_1_and_says_why(tmp_path: Path) -> None:
    data = json.loads(EXAMPLES["lenet5"].read_text(encoding="utf-8"))
    conv2 = next(n for n in data["nodes"] if n["id"] == "conv2")
    conv2["params"]["kernel_size"] = 20
    p = _write(tmp_path, data)
    code, report = check_json(p)
    assert code == EXIT_INVALID
    assert_contract(report)
    assert report["valid"] is False
    assert report["errors"] == [{"node": "conv2", "message": "the kernel (20) is larger than "
                                 "the input along H (14): use a smaller kernel_size or more "
                                 "padding"}]
    assert report["nodes"]["fc3"]["output_shape"] is None  # blocked, not reported again
    r = check(p)
    assert r.returncode == EXIT_INVALID
    assert "1 error(s):\n  conv2 (Conv2d): the kernel (20) is larger" in r.stdout
    assert "Valid." not in r.stdout


@pytest.mark.parametrize("content, message", [
    ("this is not json", "not valid JSON"),
    ("\x00\x01garbage\xff", "not valid JSON"),
    ('{"format": "netbuilder", "version": 7}', "newer than this netbuilder reads"),
    ('{"format": "netbuilder", "version": 1, "nodes": [{"id": "a", "type": "Conv3d"}]}',
     "nodes[0] ('a').type: unknown layer type 'Conv3d'"),
    ('{"format": "netbuilder", "version": 1' + "0" * 5000 + "}", "too many digits"),
])
def test_unreadable_file_exits_2_without_traceback(tmp_path: Path, content: str,
                                                   message: str) -> None:
    p = _write(tmp_path, content)
    r = check(p)
    assert r.returncode == EXIT_UNREADABLE
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    assert r.stderr.startswith(f"error: {p}: ") and message in r.stderr
    assert r.stderr.count("\n") == 1  # one line
    r = check(p, "--json")
    assert r.returncode == EXIT_UNREADABLE and "Traceback" not in r.stderr
    report = json.loads(r.stdout)
    assert report["valid"] is False and message in report["file_error"]
    assert report["nodes"] == {} and report["warnings"] == [] and report["total_params"] == 0
    assert report["errors"] == [{"node": None, "message": report["file_error"]}]


def test_binary_and_missing_files_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "image.json"
    p.write_bytes(bytes(range(256)) * 4)
    for path in (p, tmp_path / "missing.json", tmp_path):
        r = check(path)
        assert r.returncode == EXIT_UNREADABLE, (path, r.stderr)
        assert "Traceback" not in r.stderr and r.stderr.startswith("error: ")


def test_empty_network_is_invalid(tmp_path: Path) -> None:
    code, report = check_json(_write(tmp_path, {"format": "netbuilder", "version": 1}))
    assert code == EXIT_INVALID
    assert_contract(report)
    assert report["nodes"] == {} and report["total_params"] == 0
    assert report["errors"][0]["node"] is None


def test_an_example_is_named_without_its_path(tmp_path: Path) -> None:
    # "netbuilder check lenet5", as "netbuilder examples" lists it; a file of that name in
    # the current folder still wins, and a name that is neither says the file is missing
    named = subprocess.run([sys.executable, "-m", "netbuilder", "check", "lenet5", "--json"],
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert named.returncode == EXIT_OK and json.loads(named.stdout)["total_params"] == 61_706
    (tmp_path / "lenet5").write_text("{}", encoding="utf-8")
    own = subprocess.run([sys.executable, "-m", "netbuilder", "check", "lenet5"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert own.returncode == EXIT_UNREADABLE and "lenet5" in own.stderr
    missing = check(tmp_path / "no_such_example")
    assert missing.returncode == EXIT_UNREADABLE and "Traceback" not in missing.stderr


def test_a_reader_that_stops_reading_gets_no_traceback() -> None:
    # netbuilder examples | head -1
    proc = subprocess.Popen([sys.executable, "-m", "netbuilder", "check", str(EXAMPLES["vgg16"]),
                             "--formulas"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()          # before it has written anything
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err
