"""The exporters: what ``netbuilder export`` and the window's File > Export menu offer.

One table, iterated by both: the CLI makes a ``--python``/``--onnx``/``--train-script``
option per entry and runs each one asked for; the window makes a menu action per entry and
runs the same ``write`` function (in a worker thread where ``slow``). Adding an export is
adding an entry here. Every ``write`` writes its file atomically (through
``graph/atomic.py``): a failure leaves no partial file and the old one intact.

Importing this module is light (no torch): the writers import what they need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..graph.analysis import Analysis, analyze
from ..graph.project import Project


@dataclass
class ExportJob:
    """One export to run: the project, its analysis, where to write, and the options."""

    project: Project
    path: Path
    weights: Any = None                  # codegen.weights.Weights (trained tensors), or None
    weights_path: str | None = None      # the checkpoint file they came from, if any
    opset: int | None = None
    progress: Callable[[str], None] = print
    analysis: Analysis | None = None

    def checked(self) -> Analysis:
        if self.analysis is None:
            self.analysis = analyze(self.project.graph)
        return self.analysis


@dataclass(frozen=True)
class Exporter:
    """One kind of export: its option, its menu entry and the function that writes it."""

    key: str                  # "python": the CLI option --python, the window's export_python
    flag: str                 # the CLI option
    metavar: str
    help: str                 # the CLI help and the menu's tooltip
    menu_text: str            # the window's File > Export entry
    suffix: str               # the file name's suffix the save dialog suggests
    file_filter: str          # the save dialog's filter
    write: Callable[[ExportJob], str] = field(repr=False)   # writes job.path; says what it wrote
    slow: bool = False        # imports torch and verifies: the window runs it in a thread
    uses_weights: bool = False


def _python(job: ExportJob) -> str:
    from .files import write_text_atomic
    from .plan import make_plan
    from .source import render

    plan = make_plan(job.project.graph, job.checked())
    write_text_atomic(job.path, render(plan))
    text = f"wrote {job.path}: class {plan.class_name}, {plan.total_params:,} parameters"
    if job.weights is not None:
        text += ("\nnote: the Python file holds the network, not its weights; load them with "
                 "model.load_state_dict(torch.load(CKPT)['model'])")
    return text


def _onnx(job: ExportJob) -> str:
    from .onnx_export import export_onnx

    report = export_onnx(job.project.graph, job.path, analysis=job.checked(),
                         weights=job.weights, opset=job.opset, progress=job.progress)
    how = (f"{report.exporter} exporter, opset {report.opset}, verified with onnxruntime "
           f"(max abs diff {report.max_abs_diff:.2g}), dynamic batch")
    text = f"wrote {job.path} ({how}) in {report.seconds:.1f} s"
    if report.fallback_reason:
        text += f"\nnote: used the TorchScript exporter because {report.fallback_reason}"
    return text


def _train_script(job: ExportJob) -> str:
    from .files import write_text_atomic
    from .train_script import training_script

    job.checked()
    start = None
    if job.weights_path:    # the script resumes and starts from netbuilder checkpoints only
        from ..graph.project import fingerprint
        from .errors import WeightsError

        if job.weights is None or not job.weights.fingerprint:
            raise WeightsError(f"{job.weights_path}: the training script starts from a netbuilder "
                               "checkpoint (one written by training, or by netbuilder "
                               "load-weights PROJECT FILE -o CKPT); this file holds bare tensors")
        if job.weights.fingerprint != fingerprint(job.project.graph):
            raise WeightsError(f"{job.weights_path}: this checkpoint was saved for another version "
                               "of the network (its fingerprint differs), and the script checks it")
        start = str(Path(job.weights_path).resolve())
    write_text_atomic(job.path, training_script(job.project, weights=start))
    name = job.path.name
    return (f"wrote {job.path}: run it with python {name}, or on N processes with "
            f"torchrun --standalone --nproc_per_node=N {name} (it needs pip install netbuilder)")


EXPORTERS: tuple[Exporter, ...] = (
    Exporter("onnx", "--onnx", "OUT.onnx", "write ONNX, verified against PyTorch",
             "&ONNX...", ".onnx", "ONNX models (*.onnx)", _onnx, slow=True, uses_weights=True),
    Exporter("python", "--python", "OUT.py", "write standalone PyTorch source",
             "&PyTorch Code (.py)...", ".py", "Python files (*.py)", _python),
    Exporter("train_script", "--train-script", "OUT.py",
             "write a training script for python or torchrun (DDP, FSDP2 with --fsdp)",
             "&Training Script (.py)...", ".py", "Python files (*.py)", _train_script),
)


def exporter(key: str) -> Exporter:
    """The entry named ``key``; KeyError when there is none."""
    for entry in EXPORTERS:
        if entry.key == key:
            return entry
    raise KeyError(key)
