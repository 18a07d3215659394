"""The one writer: a file is replaced whole or not at all, and a failure names the file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.graph import atomic
from netbuilder.graph.atomic import WriteError

ROOT = Path(__file__).resolve().parents[2]


def test_write_replaces_the_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "deep" / "er" / "model.json"
    atomic.write_text(target, "first")
    atomic.write_text(target, "second, longer than the first")
    assert target.read_text() == "second, longer than the first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.json"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=5000), min_size=1, max_size=6))
def test_any_sequence_of_writes_ends_with_the_last_one_whole(tmp_path, contents):
    target = tmp_path / "seq" / "c.pt"
    for data in contents:
        atomic.write_bytes(target, data)
        assert target.read_bytes() == data
    assert [p.name for p in target.parent.iterdir()] == ["c.pt"]


def test_copy_file_copies_atomically(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"\x00\x01" * 1000)
    atomic.copy_file(tmp_path / "a.bin", tmp_path / "out" / "b.bin")
    assert (tmp_path / "out" / "b.bin").read_bytes() == b"\x00\x01" * 1000


def test_temporary_files_of_killed_processes_are_removed_by_the_next_write(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    stray = tmp_path / f".c.pt.{dead_pid}-deadbeef.tmp"
    stray.write_bytes(b"half a checkpoint")
    stray_folder = tmp_path / f".c.pt.{dead_pid}-cafe0000.tmp"
    stray_folder.mkdir()
    (stray_folder / "c.pt").write_bytes(b"half an export")
    live = tmp_path / f".c.pt.{os.getppid()}-0badf00d.tmp"     # a live process's: kept
    live.write_bytes(b"being written")
    other = tmp_path / f".notes.txt.{dead_pid}-deadbeef.tmp"   # another file's: not ours
    other.write_bytes(b"x")
    atomic.write_bytes(tmp_path / "c.pt", b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["c.pt", live.name, other.name])


def test_staged_files_are_published_with_their_companions(tmp_path):
    target = tmp_path / "m.onnx"
    with atomic.staged(target) as staged:
        staged.write_bytes(b"graph")
        (staged.parent / "m.onnx.data").write_bytes(b"weights")
        atomic.publish(staged, target)
    assert target.read_bytes() == b"graph"
    assert (tmp_path / "m.onnx.data").read_bytes() == b"weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx", "m.onnx.data"]


_FULL_DISK = textwrap.dedent("""
    import resource, sys
    from netbuilder.graph import atomic
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
    try:
        atomic.write_bytes(sys.argv[1], b"new" * 50_000)
    except atomic.WriteError as e:
        print(e)
        sys.exit(3)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "project.json"
    target.write_text("the old, good content")
    out = subprocess.run([sys.executable, "-c", _FULL_DISK, str(target)], capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT),
                                         "PYTHONDONTWRITEBYTECODE": "1"}, timeout=120)
    assert out.returncode == 3, out.stderr
    assert f"{target}: cannot be written: the file is larger than this disk" in out.stdout
    assert "the previous project.json is unchanged" in out.stdout
    assert target.read_text() == "the old, good content"
    assert [p.name for p in tmp_path.iterdir()] == ["project.json"]


def test_a_folder_that_cannot_be_written_names_the_file(tmp_path):
    if os.geteuid() == 0:
        # root writes through permissions; sysfs refuses even root
        target = Path("/sys/netbuilder-test.json")
        if not Path("/sys").is_dir():
            pytest.skip("no folder refuses root here")
        with pytest.raises(WriteError, match=r"/sys/netbuilder-test.json: cannot be written: "
                                             r".*nothing was written"):
            atomic.write_text(target, "{}")
        return
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "project.json"
    target.write_text("old")
    folder.chmod(0o500)
    try:
        with pytest.raises(WriteError, match=r"project.json: cannot be written: you may not "
                                             r"write in the folder .*previous project.json is "
                                             r"unchanged"):
            atomic.write_text(target, "new")
    finally:
        folder.chmod(0o700)
    assert target.read_text() == "old"


def test_a_write_error_is_an_oserror_with_the_file(tmp_path):
    (tmp_path / "file").write_text("I am a file")
    with pytest.raises(OSError) as info:
        atomic.write_text(tmp_path / "file" / "x.json", "{}")
    assert isinstance(info.value, WriteError)
    assert info.value.path == tmp_path / "file" / "x.json"
    assert "is a file, not a folder" in str(info.value)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
