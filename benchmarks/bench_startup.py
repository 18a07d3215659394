"""Start-up time of the window, against the cost of importing torch.

Measures, in fresh processes (best and median of N runs):
  1. process start -> window shown and painted with LeNet-5 (a child that creates the window);
  2. the whole ``netbuilder gui --screenshot`` command (start, render, save PNG, exit);
  3. ``python -c "import torch"``: what start-up would cost if the window imported torch;
and, inside one process, where the time goes (imports, window construction, first paint).

    python benchmarks/bench_startup.py [--runs 5] [--write]

``--write`` puts the figures into benchmarks/RESULTS.md under "## Startup" (other sections
are left as they are; the file is re-read just before writing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import write_section  # benchmarks/results.py (scripts run from benchmarks/)

ROOT = Path(__file__).resolve().parent.parent

# Runs in a child: time from its own start (T0, taken by the parent just before spawning)
# to the window shown and painted, plus a breakdown.
CHILD = r"""
import json, os, sys, time
t0 = float(os.environ["NB_T0"])
t_import0 = time.time()
import PySide6.QtWidgets
t_qt = time.time()
import netbuilder.graph.document, netbuilder.graph.project, netbuilder.graph.examples
t_graph = time.time()
from netbuilder.ui.app import create_application, settle
from netbuilder.ui.main_window import MainWindow
t_imported = time.time()
app = create_application(theme="light")
w = MainWindow(persist=False, autosave=False)
w.files.open_example("lenet5", ask=False)
t_built = time.time()
w.resize(1400, 900)
w.show()
settle(app, rounds=2)
w.grab()
t_shown = time.time()
print(json.dumps({
    "shown": t_shown - t0,
    "interpreter": t_import0 - t0,
    "imports": t_imported - t_import0,
    "import_qt": t_qt - t_import0,
    "import_graph": t_graph - t_qt,
    "import_ui": t_imported - t_graph,
    "construct": t_built - t_imported,
    "first_paint": t_shown - t_built,
    "torch_imported": "torch" in sys.modules,
    "networkx_imported": "networkx" in sys.modules,
    "onnx_imported": "onnx" in sys.modules,
}))
w.close()
"""


def _env(settings_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["NETBUILDER_RECOVERY_DIR"] = str(Path(settings_dir) / "recovery")
    env["XDG_CONFIG_HOME"] = settings_dir        # QSettings on Linux: never the user's
    env["HOME"] = settings_dir
    return env


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t


def _child(env: dict[str, str]) -> dict:
    env = dict(env)
    env["NB_T0"] = repr(time.time())
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def _stats(values: list[float]) -> str:
    return f"{min(values):.2f} s best, {statistics.median(values):.2f} s median"


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(tmp)
        shot = str(Path(tmp) / "shot.png")
        _wall([sys.executable, "-c", "import PySide6.QtWidgets, torch"], env)   # warm disk cache
        children = [_child(env) for _ in range(runs)]
        screenshot = [_wall([sys.executable, "-m", "netbuilder", "gui", "--screenshot", shot],
                            env) for _ in range(runs)]
        torch = [_wall([sys.executable, "-c", "import torch"], env) for _ in range(runs)]
        bare = [_wall([sys.executable, "-c", "pass"], env) for _ in range(runs)]
    best = min(children, key=lambda c: c["shown"])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "load": load,
        "runs": runs,
        "shown": [c["shown"] for c in children],
        "breakdown": best,
        "screenshot_cmd": screenshot,
        "import_torch": torch,
        "python_bare": bare,
        "torch_imported": any(c["torch_imported"] for c in children),
        "networkx_imported": any(c["networkx_imported"] for c in children),
    }


def report(r: dict) -> str:
    b = r["breakdown"]
    lines = [
        "## Startup",
        "",
        f"2026-11-22, 2-core CPU, no GPU, `QT_QPA_PLATFORM=offscreen`, Python "
        f"{sys.version.split()[0]}, {r['runs']} fresh processes each (load average "
        f"{r['load']:.1f} at the end: other work shared the 2 cores). Command: "
        "`python benchmarks/bench_startup.py --runs 5 --write`.",
        "",
        "| measure | time |",
        "|---|---|",
        f"| process start → window shown and painted (LeNet-5 loaded) | {_stats(r['shown'])} |",
        f"| `netbuilder gui --screenshot x.png` (start, render, save, exit) | "
        f"{_stats(r['screenshot_cmd'])} |",
        f"| `python -c \"import torch\"` (the cost the window avoids) | "
        f"{_stats(r['import_torch'])} |",
        f"| `python -c pass` (interpreter alone) | {_stats(r['python_bare'])} |",
        "",
        f"Where the best run's {b['shown']:.2f} s went: interpreter {b['interpreter']:.2f} s, "
        f"imports {b['imports']:.2f} s (PySide6 {b['import_qt']:.2f}, netbuilder.graph "
        f"{b['import_graph']:.2f}, netbuilder.ui {b['import_ui']:.2f}), building the window and "
        f"loading LeNet-5 {b['construct']:.2f} s, first show and paint {b['first_paint']:.2f} s. "
        f"torch imported at start-up: {'YES' if r['torch_imported'] else 'no'}; networkx: "
        f"{'YES' if r['networkx_imported'] else 'no (only for auto layout and naming loops)'}; "
        "code generation and torch load when the Code tab, export or training is first used.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    result = measure(args.runs)
    text = report(result)
    print(text)
    if args.write:
        write_section("## Startup", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
