"""The window on a fresh Linux: missing X11 libraries give one line that fixes it, not a core dump."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from netbuilder.ui.system_libs import (
    PACKAGES,
    install_line,
    missing_for_xcb,
    needed,
    qt_dirs,
    xcb_will_be_used,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def test_the_plugins_own_links_are_read_from_its_elf_file():
    plugin, qt_lib = qt_dirs()
    links = needed(plugin)
    assert "libQt6XcbQpa.so.6" in links
    assert "libxcb-cursor.so.0" in needed(qt_lib / "libQt6XcbQpa.so.6")


def test_a_library_path_that_lacks_two_of_them_names_those_two(tmp_path):
    plugin, qt_lib = qt_dirs()
    wanted = [n for f in (plugin, qt_lib / "libQt6XcbQpa.so.6", qt_lib / "libQt6Gui.so.6")
              for n in needed(f) if n in PACKAGES]
    for name in wanted:
        if name not in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1"):
            (tmp_path / name).write_bytes(b"")
    known = {p.name for p in tmp_path.iterdir()}
    missing = missing_for_xcb(known)
    assert missing == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    line = install_line(missing)
    assert "\n" not in line
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in line
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms" in line


def test_an_empty_library_path_lists_every_package_once():
    line = install_line(missing_for_xcb(set()))
    apt = line.split("sudo apt install ", 1)[1].split("   (", 1)[0].split()
    assert "libxcb-cursor0" in apt and len(apt) == len(set(apt))


@pytest.mark.parametrize("env, argv, used", [
    ({}, ["netbuilder"], True),
    ({"QT_QPA_PLATFORM": "offscreen"}, ["netbuilder"], False),
    ({"QT_QPA_PLATFORM": "xcb"}, ["netbuilder"], True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, ["netbuilder"], False),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ["netbuilder"], True),
    ({}, ["netbuilder", "-platform", "vnc"], False),
])
def test_the_check_runs_only_when_qt_would_use_x11(env, argv, used):
    assert xcb_will_be_used(argv, env) is used


def test_the_real_start_prints_the_line_and_exits_2_where_libraries_are_missing(tmp_path):
    missing = missing_for_xcb()
    if not missing:
        pytest.skip("this machine has every library Qt's X11 plugin needs")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = ":99"
    done = subprocess.run([sys.executable, "-m", "netbuilder"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == install_line(missing)
    assert "Traceback" not in done.stderr
