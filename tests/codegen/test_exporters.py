"""The exporter registry: the CLI and the window offer the same exports, from one table."""

from __future__ import annotations

from pathlib import Path

from netbuilder.cli import build_parser, main
from netbuilder.codegen.exporters import EXPORTERS, exporter

MOONS = Path(__file__).resolve().parents[2] / "assets" / "examples" / "mlp_moons.json"


def test_every_exporter_is_an_option_of_netbuilder_export():
    export = build_parser()._subparsers._group_actions[0].choices["export"]
    options = {o for a in export._actions for o in a.option_strings}
    assert {e.flag for e in EXPORTERS} <= options
    assert len({e.key for e in EXPORTERS}) == len(EXPORTERS)
    assert exporter("train_script").flag == "--train-script"


def test_nothing_asked_names_every_export(capsys):
    assert main(["export", str(MOONS)]) == 2
    err = capsys.readouterr().err
    assert all(f"{e.flag} {e.metavar}" in err for e in EXPORTERS)


def test_several_exports_in_one_call_each_write_their_file(tmp_path, capsys):
    py, script = tmp_path / "m.py", tmp_path / "train.py"
    assert main(["export", str(MOONS), "--python", str(py), "--train-script", str(script)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {py}: class MLPOnMoons" in out and f"wrote {script}: run it" in out
    assert "def build_model()" in py.read_text() and "def epoch_batches(" in script.read_text()
    assert not list(tmp_path.glob(".*"))            # the atomic writer left nothing behind


def test_an_unwritable_destination_is_one_message_and_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["export", str(MOONS), "--train-script", str(blocker / "train.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
