"""ONNX import of the classic networks the ONNX package ships, against onnxruntime loading
the same file (what a viewer such as Netron or a plain `InferenceSession` costs).

    python benchmarks/bench_import.py [--models squeezenet,resnet50,...] [--write]

For each model: the whole import (load, shape inference, constant folding, mapping, layout,
compiling the project and running it beside onnxruntime on a random batch), and an
onnxruntime session created from the file plus one run of the same batch, in the same
process. The ratio says how much the editable, verified project costs over running the file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "importers"))

from light_models import with_random_weights  # noqa: E402
from machine import busy, cpu_name, load_average  # noqa: E402
from results import RESULTS, write_section  # noqa: E402

MODELS = ("squeezenet", "shufflenet", "resnet50", "densenet121", "inception_v1", "inception_v2",
          "bvlc_alexnet", "zfnet512", "vgg19")
HEADING = "## ONNX import"


def _ort_seconds(path: Path) -> float:
    import numpy as np
    import onnxruntime as ort

    ort.set_default_logger_severity(3)
    start = time.perf_counter()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    shape = [d if isinstance(d, int) else 1 for d in inp.shape]
    sess.run(None, {inp.name: np.random.default_rng(0).standard_normal(shape).astype(np.float32)})
    return time.perf_counter() - start


def main() -> int:
    import onnx
    import torch

    from netbuilder.importers.onnx_import import import_onnx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--write", action="store_true", help=f"write the table to {RESULTS.name}")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
    rows = []
    print(f"{'model':<14}{'layers':>7}{'params':>13}{'import s':>10}{'ort s':>8}{'ratio':>7}")
    tmp = Path(tempfile.mkdtemp())
    for name in args.models.split(","):
        # constant-fill weights replaced by random ones, so the verification compares values
        path = with_random_weights(data / f"light_{name}.onnx", tmp / f"{name}.onnx")
        ort_s = _ort_seconds(path)
        start = time.perf_counter()
        result = import_onnx(path)
        imp_s = time.perf_counter() - start
        layers = len(result.project.graph.nodes)
        print(f"{name:<14}{layers:>7}{result.parameters:>13,}{imp_s:>10.2f}{ort_s:>8.2f}"
              f"{imp_s / ort_s:>6.1f}x", flush=True)
        rows.append(f"| {name} | {layers} | {result.parameters:,} | {imp_s:.2f} s | "
                    f"{ort_s:.2f} s | {imp_s / ort_s:.1f}x | {result.max_abs_diff:.1g} |")
    if args.write:
        text = (f"{HEADING}\n\n{date.today().isoformat()}, {cpu_name()}, "
                f"{args.threads} torch thread(s), load average {load_average()}"
                + (" (busy: more runnable jobs than cores; figures noisy)" if busy() else "")
                + ". The ONNX package's light models, their constant-fill weights replaced by "
                "random ones (so the verification compares real values).\n\n"
                "Command: `python benchmarks/bench_import.py --write`\n\n"
                "| model | layers | parameters | import (verified) | onnxruntime load + run |"
                " ratio | max abs diff |\n|---|---:|---:|---:|---:|---:|---:|\n"
                + "\n".join(rows) + "\n")
        write_section(HEADING, text, args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
