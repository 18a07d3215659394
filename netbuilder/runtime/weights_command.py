"""``netbuilder load-weights PROJECT FILE``: which tensors of a state_dict file fit the
project, and how (the per-tensor report); with ``-o`` a netbuilder checkpoint of the
project holding them, which ``export --weights`` and the window read. Also the
``train --weights FILE`` start: a new run from the tensors that fit.

Exit 0 something loaded, 1 the project cannot be built (invalid graph), 2 an unreadable
project or weights file, or a file of which nothing fits.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def start_from_file(plan: Any, path: str, out: TextIO) -> str | None:
    """Build ``plan``'s model and put the file's matching tensors in it; the error, if any."""
    from netbuilder.codegen.errors import WeightsError
    from netbuilder.codegen.state_match import load_matched, match_file

    model = plan.model if plan.model is not None else plan.build_model()
    try:
        matched = match_file(model, path)
    except WeightsError as e:
        return str(e)
    load_matched(model, matched)
    print(f"weights from {path}: {matched.report.summary()}", file=out)
    return None


def load_weights_command(args: argparse.Namespace) -> int:
    from netbuilder.codegen.build import build_module
    from netbuilder.codegen.errors import CompileError, WeightsError
    from netbuilder.codegen.state_match import load_matched, match_file
    from netbuilder.graph.errors import ProjectFileError
    from netbuilder.graph.project import fingerprint, load_project

    try:
        project = load_project(args.project)
    except ProjectFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        model = build_module(project.graph)
    except CompileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID
    try:
        matched = match_file(model, args.weights)
    except WeightsError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    report = matched.report
    lines = report.lines() if args.all else [
        line for line, row in zip(report.lines(), report.rows, strict=False) if not row.loaded
    ] + [line for line in report.lines()[len(report.rows):]]
    for line in lines:
        print(line)
    print(report.summary())
    if args.output:
        from netbuilder.runtime.checkpoint import save_checkpoint
        from netbuilder.runtime.errors import CheckpointError

        load_matched(model, matched)
        try:
            save_checkpoint(args.output, model, None, 0, fingerprint(project.graph))
        except CheckpointError as e:
            print(f"error: {e}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"wrote {args.output}: a checkpoint of '{project.name}' with these weights "
              "(for export --weights, or File > Load weights... in the window)")
    return EXIT_OK
