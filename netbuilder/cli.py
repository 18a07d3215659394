"""The ``netbuilder`` command: thin argument parsing, heavy imports only inside commands.

Every command turns netbuilder's typed errors into a one-line message and an exit code
(0 done, 1 invalid graph, 2 unreadable input); a user never sees a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def _check(args: argparse.Namespace) -> int:
    from .graph.analysis import analyze
    from .graph.errors import ProjectFileError
    from .graph.project import load_project
    from .graph.report import json_report, text_report

    try:
        project = load_project(args.project)
    except ProjectFileError as e:
        if args.json:
            # the report's keys, so a script reading "errors" works for every exit code
            print(json.dumps({"valid": False, "total_params": 0, "total_macs": 0, "nodes": {},
                              "errors": [{"node": None, "message": str(e)}], "warnings": [],
                              "file_error": str(e)}))
        else:
            print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.apply_fixes:
        return _apply_fixes(project, args)
    analysis = analyze(project.graph)
    if args.json:
        report = json_report(project.graph, analysis)
        if args.fixes:
            from .graph.report import json_fixes

            report["fixes"] = json_fixes(project.graph, analysis)
        print(json.dumps(report))
    else:
        print(text_report(project.graph, analysis, formulas=args.formulas))
        if args.fixes:
            from .graph.report import fixes_report

            print("\n" + fixes_report(project.graph, analysis))
    return EXIT_OK if analysis.valid else EXIT_INVALID


def _apply_fixes(project, args: argparse.Namespace) -> int:
    """Apply the first fix of each problem in turn, print each step, write -o atomically."""
    from .graph.analysis import analyze
    from .graph.fixes import fix_all
    from .graph.project import save_project
    from .graph.report import text_report

    if not args.output:
        print("error: --apply-fixes needs -o FIXED.json (the fixed copy; the project file "
              "itself is left as it is)", file=sys.stderr)
        return EXIT_UNREADABLE
    steps = 0
    for steps, step in enumerate(fix_all(project.graph), 1):
        where = step.diagnostic.node
        print(f"step {steps}: {where}: {step.diagnostic.message}")
        print(f"        fix: {step.fix.description}  [{step.fix.preview}]")
    if not steps:
        print("no fix applies")
    analysis = analyze(project.graph)
    print(text_report(project.graph, analysis, formulas=args.formulas))
    try:
        save_project(project, args.output)
    except OSError as e:
        print(f"error: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(f"wrote {args.output} ({steps} fix{'es' if steps != 1 else ''} applied)")
    return EXIT_OK if analysis.valid else EXIT_INVALID


def _examples(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .graph import atomic
    from .graph.errors import ProjectFileError
    from .graph.examples import example_path, list_examples

    if not args.name:
        examples = list_examples()
        width = max((len(e.name) for e in examples), default=0) + 2
        for e in examples:
            print(f"{e.name:<{width}}{e.title}")
        return EXIT_OK
    try:
        src = example_path(args.name)
    except ProjectFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    if not args.copy:
        print(src.read_text(encoding="utf-8"), end="")
        return EXIT_OK
    dest = Path(args.copy)
    try:
        atomic.copy_file(src, dest / src.name)
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_UNREADABLE
    print(dest / src.name)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from .codegen.commands import export_command

    return export_command(args)


def _train(args: argparse.Namespace) -> int:
    from .runtime.commands import train_command

    return train_command(args)


def _report(args: argparse.Namespace) -> int:
    from .runtime.report.command import report_command

    return report_command(args)


def _grade(args: argparse.Namespace) -> int:
    from .runtime.classroom.command import grade_command

    return grade_command(args)


def _load_weights(args: argparse.Namespace) -> int:
    from .runtime.weights_command import load_weights_command

    return load_weights_command(args)


def _import(args: argparse.Namespace) -> int:
    from .importers.commands import import_command

    return import_command(args)


def _gui(args: argparse.Namespace) -> int:
    from .ui.app import gui_command

    return gui_command(args)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="netbuilder",
        description="Build neural networks by wiring layers; check, train and export them.",
    )
    parser.add_argument("--version", action="version", version=f"netbuilder {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="infer shapes, count parameters and report problems")
    p.add_argument("project", help="a netbuilder project file (.json)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--formulas", action="store_true", help="show the size arithmetic per layer")
    p.add_argument("--fixes", action="store_true", help="list the fixes for each problem")
    p.add_argument("--apply-fixes", action="store_true",
                   help="apply the first fix of each problem in turn (needs -o)")
    p.add_argument("-o", "--output", metavar="FIXED.json", help="where --apply-fixes writes")
    p.set_defaults(func=_check)

    p = sub.add_parser("export", help="write the network as PyTorch code or verified ONNX")
    p.add_argument("project", help="a netbuilder project file (.json)")
    p.add_argument("--python", metavar="OUT.py", help="write standalone PyTorch source")
    p.add_argument("--onnx", metavar="OUT.onnx", help="write ONNX, verified against PyTorch")
    p.add_argument("--weights", metavar="CKPT", help="trained weights from a checkpoint")
    p.add_argument("--opset", type=int, default=None, help="ONNX opset version")
    p.set_defaults(func=_export)

    p = sub.add_parser("train", help="train the network on a dataset, printing progress")
    p.add_argument("project", help="a netbuilder project file (.json)")
    p.add_argument("--dataset", help="a shipped dataset name (see --list-datasets) or a file/folder")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--optimizer")
    p.add_argument("--loss")
    p.add_argument("--device", help="auto, cpu, cuda or mps")
    p.add_argument("--seed", type=int)
    p.add_argument("--save", metavar="CKPT",
                   help="write CKPT after every epoch (the best one too, as NAME.best.pt)")
    p.add_argument("--resume", metavar="CKPT", help="continue from a checkpoint")
    p.add_argument("--weights", metavar="STATE_DICT",
                   help="start from a state_dict file's tensors that fit (matched by name, "
                        "else by order and shape); frozen layers keep them")
    p.add_argument("--metrics-out", metavar="FILE.json", help="write final metrics and history")
    p.add_argument("--list-datasets", action="store_true", help="list shipped datasets and exit")
    p.set_defaults(func=_train)

    p = sub.add_parser("report", help="write a self-contained HTML report on trained weights")
    p.add_argument("project", help="a netbuilder project file (.json)")
    p.add_argument("--weights", metavar="CKPT", required=True, help="a checkpoint from training")
    p.add_argument("--dataset", help="judge on this dataset instead of the run's own")
    p.add_argument("-o", "--output", metavar="REPORT.html", required=True, help="the HTML file")
    p.add_argument("--json", metavar="FILE.json", help="also write the numbers as JSON")
    p.set_defaults(func=_report)

    p = sub.add_parser("grade", help="grade students' submissions against an assignment: "
                       "locks, goals, retraining; CSV and HTML overview")
    p.add_argument("assignment", help="an assignment file (.json)")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                   help="submission files, or folders of them (*.json)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="grade N submissions at once in worker processes (default: the "
                        "number of cores, or 0 with --no-train; 0: in this process)")
    p.add_argument("--csv", metavar="OUT.csv", help="write one row per student")
    p.add_argument("--html", metavar="OUT.html",
                   help="write a class overview (students' reports go to OUT_reports/)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="training time per submission before it counts as not finished "
                        "(default 300)")
    p.add_argument("--memory-mb", type=float, default=2048.0, metavar="MB",
                   help="memory a submission's training may use (default 2048)")
    p.add_argument("--no-train", action="store_true",
                   help="judge the graph goals only; training goals stay pending")
    p.set_defaults(func=_grade)

    p = sub.add_parser("load-weights", help="report which tensors of a state_dict file fit "
                       "the project (by name, else by order and shape)")
    p.add_argument("project", help="a netbuilder project file (.json)")
    p.add_argument("weights", help="a state_dict file (torch.save; read with weights_only=True)")
    p.add_argument("-o", "--output", metavar="CKPT", help="write a checkpoint of the project "
                   "holding the tensors that fit")
    p.add_argument("--all", action="store_true", help="list every tensor, not only the "
                   "ones that did not load")
    p.set_defaults(func=_load_weights)

    p = sub.add_parser("import", help="turn an ONNX model into an editable project with its "
                       "weights, verified against onnxruntime")
    p.add_argument("model", help="an ONNX file (.onnx); nothing in it is executed")
    p.add_argument("-o", "--output", required=True, metavar="PROJECT.json",
                   help="the project file to write (weights go beside it as PROJECT.pt)")
    p.add_argument("--weights-out", metavar="FILE", help="where to write the weights instead")
    p.add_argument("--input-shape", metavar="C,H,W",
                   help="the input's sample shape (batch excluded) where the file leaves it open")
    p.set_defaults(func=_import)

    p = sub.add_parser("gui", help="open the window (the default command)")
    p.add_argument("project", nargs="?", help="a project file to open")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="render the window offscreen, save a screenshot and exit")
    p.set_defaults(func=_gui)

    p = sub.add_parser("examples", help="list the example projects, or copy one out")
    p.add_argument("name", nargs="?", help="an example's name")
    p.add_argument("--copy", metavar="DIR", help="write the example's file into DIR")
    p.set_defaults(func=_examples)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        args = parser.parse_args(["gui", *(argv or [])])
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
