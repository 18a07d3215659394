"""The benchmark scripts run end to end (tiny settings) and write only their own section.

Timings are never asserted; these tests keep the scripts working for the sessions that run
them for real (the GPU figures of the trainer benchmark among them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_trainer_benchmark_writes_its_table_and_keeps_other_sections(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_trainer.py", "--epochs", "1", "--repeats", "1",
         "--threads", "1", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "ratio" in done.stdout
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    table = text.split("## Trainer vs idiomatic loop\n", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith(("| CNN", "| MLP"))]
    assert len(rows) == 2 and all(row.count("x |") == 2 for row in rows)


def test_probe_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_probe.py", "--repeats", "2", "--examples", "lenet5",
         "--write", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    rows = [line for line in text.split("## Probing (sample view refresh)\n", 1)[1].splitlines()
            if line.startswith("| lenet5")]
    assert len(rows) == 1 and rows[0].count("ms") == 3


def test_node_stats_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_node_stats.py", "--repeats", "1", "--epochs", "1",
         "--examples", "mlp_moons", "--write", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| mlp_moons")]
    assert len(rows) == 1 and rows[0].count("samples/s") == 2


def test_scale_benchmark_prints_growth_ratios(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_scale.py", "--sizes", "50", "200", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    for work in ("analysis", "check table", "check --json", "scene", "old table rows"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {work} |"))
        assert "(sizes 4x)" in row, row


def test_backprop_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_backprop.py", "--repeats", "2", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in results.read_text(encoding="utf-8").splitlines()
            if line.startswith(("| mlp_moons", "| MLP at the limit"))]
    assert len(rows) == 2 and all(row.count(" ms |") == 2 for row in rows)


def test_fixes_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_fixes.py", "--runs", "1", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    rows = [line for line in text.split("## Finding fixes\n", 1)[1].splitlines()
            if line.startswith("| ") and line.endswith("x |")]
    assert len(rows) == 5


def test_report_benchmark_writes_its_section(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_report.py", "--repeats", "1", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    section = text.split("## Report (netbuilder report, File > Export Report)\n", 1)[1]
    assert "| **whole report** |" in section and "ReportWorker on a QThread" in section


def test_checkpoint_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "bench_checkpoint.py", "--repeats", "1", "--epochs", "1",
         "--examples", "lenet5", "--write", "--results", str(results)],
        cwd=ROOT / "benchmarks", capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    section = text.split("## Checkpoint after every epoch\n", 1)[1]
    assert "| lenet5 |" in section and section.count("x |") == 2
    assert not list((ROOT / "benchmarks").glob(".bench-ckpt-*"))


def test_histogram_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_histograms.py", "--repeats", "1", "--examples",
         "init_demo", "--write", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in results.read_text(encoding="utf-8").splitlines()
            if line.startswith("| init_demo")]
    assert len(rows) == 1 and rows[0].count(" ms") == 3 and rows[0].endswith("x |")


def test_freeze_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_freeze.py", "--repeats", "1", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    assert "| lenet5, frozen up to pool2 |" in text.split("## Fine-tuning with frozen layers", 1)[1]


def test_import_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_import.py", "--models", "squeezenet", "--write",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    assert "| squeezenet | 68 | 1,235,496 |" in text.split("## ONNX import\n", 1)[1]


def test_grade_benchmark_writes_its_table(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Startup\n\nkept as it was\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_grade.py", "--network", "mlp", "--submissions", "2",
         "--jobs", "0,1", "--repeats", "1", "--write", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = results.read_text(encoding="utf-8")
    assert "## Startup\n\nkept as it was\n" in text
    rows = [line for line in text.split("## Grading (netbuilder grade)\n", 1)[1].splitlines()
            if line.startswith("| whole grade") or line.startswith("| graph goals")]
    assert len(rows) == 3 and all(row.endswith(" ms |") for row in rows)
