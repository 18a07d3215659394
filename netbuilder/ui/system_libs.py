"""Before the window opens on Linux: are the system libraries Qt's X11 plugin needs there?

A fresh Debian or Ubuntu lacks some of them (libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1,
...), and Qt then aborts with a core dump naming only the first. ``missing_for_xcb`` reads
what the plugin really links against (the DT_NEEDED entries of ``libqxcb.so`` and
``libQt6XcbQpa.so.6`` in the installed PySide6, read from the ELF files themselves) and
checks each against the libraries the system's loader knows (``ldconfig -p``, plus
``LD_LIBRARY_PATH`` and Qt's own folder). ``install_line`` turns the missing ones into one
command for Debian/Ubuntu and Fedora. Pure Python: nothing here loads Qt.
"""

from __future__ import annotations

import os
import struct
import subprocess
from collections.abc import Iterable
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package)
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}

PT_LOAD, PT_DYNAMIC, DT_NULL, DT_NEEDED, DT_STRTAB = 1, 2, 0, 1, 5


def needed(path: str | os.PathLike[str]) -> list[str]:
    """The DT_NEEDED sonames of a 64-bit little-endian ELF file; [] if it is not one."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return []
    entries, strtab = [], None
    for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, val = struct.unpack_from("<qQ", data, off)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            entries.append(val)
        elif tag == DT_STRTAB:
            strtab = next((val - va + fo for va, fo, size in loads if va <= val < va + size), None)
    if strtab is None:
        return []
    out = []
    for offset in entries:
        end = data.index(b"\0", strtab + offset)
        out.append(data[strtab + offset:end].decode("ascii", "replace"))
    return out


def known_libraries(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> set[str]:
    """Sonames the loader can find: the ldconfig cache, LD_LIBRARY_PATH and ``extra_dirs``."""
    names: set[str] = set()
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        try:
            out = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        for line in out.stdout.splitlines()[1:]:
            name = line.strip().split(" ", 1)[0]
            if name:
                names.add(name)
        break
    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) if d]
    for d in [*dirs, *extra_dirs]:
        try:
            names.update(p.name for p in Path(d).iterdir())
        except OSError:
            pass
    return names


def qt_dirs() -> tuple[Path, Path] | None:
    """PySide6's Qt folder: (the xcb plugin, Qt's own libraries), without importing Qt."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib"


def missing_for_xcb(known: set[str] | None = None) -> list[str]:
    """The libraries Qt's xcb plugin links that the system lacks (in the order it needs them)."""
    dirs = qt_dirs()
    if dirs is None or not dirs[0].is_file():
        return []
    plugin, qt_lib = dirs
    wanted: list[str] = []
    for f in (plugin, qt_lib / "libQt6XcbQpa.so.6", qt_lib / "libQt6Gui.so.6"):
        if f.is_file():
            wanted += [n for n in needed(f) if n not in wanted]
    wanted = [n for n in wanted if not n.startswith("libQt6") and n in PACKAGES]
    have = known if known is not None else known_libraries([qt_lib])
    return [n for n in wanted if n not in have]


def install_line(missing: list[str]) -> str:
    """One line: what is missing, and the command that installs it (Debian/Ubuntu, Fedora)."""
    deb = list(dict.fromkeys(PACKAGES[n][0] for n in missing))
    fed = list(dict.fromkeys(PACKAGES[n][1] for n in missing))
    return (f"netbuilder: the window cannot open: Qt needs system libraries that are missing "
            f"({', '.join(missing)}). Install them with: sudo apt install {' '.join(deb)}   "
            f"(Fedora: sudo dnf install {' '.join(fed)})")


def xcb_will_be_used(argv: list[str], env: dict[str, str] | None = None) -> bool:
    """Qt would pick its X11 plugin: Linux, no platform chosen, and not a Wayland-only session."""
    import sys

    env = dict(os.environ if env is None else env)
    if not sys.platform.startswith("linux") or "-platform" in argv:
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not (env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"))
