"""``netbuilder export``: every exporter of ``exporters.EXPORTERS`` (PyTorch source, verified
ONNX, the training script) from a project file.

Exit codes as every netbuilder command: 0 done, 1 the network cannot be exported (invalid
graph, exporter failure, file did not verify), 2 an input or output file is unusable
(project, checkpoint, destination). Errors are one message each on stderr, never a
traceback; progress goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..graph.atomic import WriteError
from ..graph.errors import NetbuilderError, ProjectFileError
from .errors import CompileError, ExportError, WeightsError, first_line

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def export_command(args: argparse.Namespace) -> int:
    """Run ``netbuilder export`` with parsed arguments; returns the exit code."""
    try:
        return _export(args)
    except KeyboardInterrupt:
        raise
    except CompileError as exc:
        _error(str(exc))
        return EXIT_INVALID
    except WeightsError as exc:
        _error(str(exc))
        return EXIT_UNREADABLE
    except (ProjectFileError, WriteError) as exc:
        _error(str(exc))
        return EXIT_UNREADABLE
    except (ExportError, NetbuilderError) as exc:
        _error(str(exc))
        return EXIT_INVALID
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}cannot write or read the file ({exc.strerror or exc})")
        return EXIT_UNREADABLE
    except Exception as exc:  # a torch/onnx failure nobody foresaw: a message, not a traceback
        _error(f"export failed unexpectedly ({type(exc).__name__}: {first_line(exc)}); nothing was "
               "written. Please report this with the project file")
        return EXIT_INVALID


def _export(args: argparse.Namespace) -> int:
    from ..graph.analysis import analyze
    from ..graph.project import fingerprint, load_project
    from .exporters import EXPORTERS, ExportJob

    wanted = [(e, getattr(args, e.key, None)) for e in EXPORTERS]
    wanted = [(e, out) for e, out in wanted if out]
    if not wanted:
        options = ", ".join(f"{e.flag} {e.metavar}" for e in EXPORTERS)
        _error(f"nothing to export: give one or more of {options}")
        return EXIT_UNREADABLE
    project = load_project(args.project)
    graph = project.graph
    analysis = analyze(graph)
    if not analysis.valid:
        _error(f"'{graph.name}' cannot be exported until these problems are fixed:")
        for d in analysis.errors:
            print(f"  {d.node + ': ' if d.node else ''}{d.message}", file=sys.stderr)
        return EXIT_INVALID

    weights = None
    if getattr(args, "weights", None):
        from .weights import load_weights

        weights = load_weights(args.weights)
        if weights.fingerprint and weights.fingerprint != fingerprint(graph):
            print(f"note: {args.weights} was saved for a different version of this graph "
                  "(its fingerprint differs); using it because every weight fits")

    for entry, out in wanted:
        job = ExportJob(project, Path(out), weights=weights, weights_path=args.weights,
                        opset=getattr(args, "opset", None), analysis=analysis,
                        progress=lambda msg: print(msg, flush=True))
        print(entry.write(job))
    return EXIT_OK


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
