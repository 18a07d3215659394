"""The decision-boundary benchmark runs end to end (tiny settings) and writes only its section.

Timings are never asserted; this keeps the script working for whoever runs it for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_boundary_benchmark_prints_its_ratios_and_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_boundary.py", "--epochs", "3", "--repeats", "1", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
             "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])},
    )
    assert done.returncode == 0, done.stderr
    assert "live/headless" in done.stdout and "p95" in done.stdout
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    table = text.split("## Decision boundary while training\n", 1)[1]
    for row in ("timer lateness p95, view live", "ratio view live / headless (medians)",
                "live redraws per second"):
        assert f"| {row} |" in table
