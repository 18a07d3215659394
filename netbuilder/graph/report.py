"""Plain-text and JSON reports of an analysis: the ``netbuilder check`` output and the Summary tab."""

from __future__ import annotations

from typing import Any

from .analysis import Analysis
from .model import Graph
from .tensor import fmt_shape
from .transfer import parameter_split


def summary_rows(graph: Graph, analysis: Analysis) -> list[tuple[str, str, str, int, int]]:
    """(id, type, output shape, params, MACs) in topological order, looped nodes last."""
    ordered = set(analysis.order)       # a set: membership in the list made this quadratic
    order = analysis.order + [n for n in graph.nodes if n not in ordered]
    rows = []
    for nid in order:
        info = analysis.nodes[nid]
        shape = fmt_shape(info.output.shape) if info.output is not None else "?"
        rows.append((nid, graph.nodes[nid].type, shape, info.params, info.macs))
    return rows


def text_report(graph: Graph, analysis: Analysis, *, formulas: bool = False) -> str:
    rows = summary_rows(graph, analysis)
    head = ("Layer", "Type", "Output shape", "Params", "MACs")
    cells = [(r[0], r[1], r[2], f"{r[3]:,}", f"{r[4]:,}") for r in rows]
    widths = [max(len(head[i]), *(len(c[i]) for c in cells)) if cells else len(head[i])
              for i in range(5)]
    def line(c):
        return "  ".join(c[i].ljust(widths[i]) if i < 3 else c[i].rjust(widths[i]) for i in range(5))
    out = [graph.name, line(head), "-" * (sum(widths) + 8)]
    for c, r in zip(cells, rows, strict=True):
        out.append(line(c))
        if formulas:
            out.extend("      " + f for f in analysis.nodes[r[0]].formula)
    out.append("-" * (sum(widths) + 8))
    out.append(f"Total params: {analysis.total_params:,}")
    trainable, frozen = _split(graph, analysis)
    if frozen:   # torchinfo's two lines, when transfer learning froze layers
        out.append(f"Trainable params: {trainable:,}")
        out.append(f"Non-trainable params: {frozen:,}")
    out.append(f"Total MACs:   {analysis.total_macs:,} per sample")
    mb = analysis.activation_count() * 4 / 2**20
    out.append(f"Activations:  {mb:.2f} MB per sample (float32, forward)")
    out.append("")
    if analysis.errors:
        out.append(f"{len(analysis.errors)} error(s):")
        out += [f"  {_where(graph, d.node)}{d.message}" for d in analysis.errors]
    if analysis.warnings:
        out.append(f"{len(analysis.warnings)} warning(s):")
        out += [f"  {_where(graph, d.node)}{d.message}" for d in analysis.warnings]
    if analysis.valid:
        outs = ", ".join(f"{o} -> {fmt_shape(analysis.nodes[o].output.shape)}"
                         for o in analysis.outputs if analysis.nodes[o].output is not None)
        out.append(f"Valid. Output: {outs}" if outs else "Valid.")
    return "\n".join(out)


def _where(graph: Graph, nid: str | None) -> str:
    if nid is None:
        return ""
    return f"{nid} ({graph.nodes[nid].type}): " if nid in graph.nodes else f"{nid}: "


def json_report(graph: Graph, analysis: Analysis) -> dict[str, Any]:
    nodes = {}
    for nid, node in graph.nodes.items():
        info = analysis.nodes[nid]
        nodes[nid] = {
            "type": node.type,
            "output_shape": list(info.output.shape) if info.output is not None else None,
            "params": info.params,
            "macs": info.macs,
            "formula": "\n".join(info.formula) if info.formula else None,
            "status": info.status,
        }
    def diag(d):
        return {"node": d.node, "message": d.message}
    return {
        "valid": analysis.valid,
        "total_params": analysis.total_params,
        "trainable_params": _split(graph, analysis)[0],
        "frozen_params": _split(graph, analysis)[1],
        "total_macs": analysis.total_macs,
        "nodes": nodes,
        "outputs": analysis.outputs,
        "errors": [diag(d) for d in analysis.errors],
        "warnings": [diag(d) for d in analysis.warnings],
    }


def fixes_report(graph: Graph, analysis: Analysis) -> str:
    """Each problem with the fixes netbuilder can make (``netbuilder check --fixes``)."""
    from .fixes import all_fixes

    out = []
    for d, fixes in all_fixes(graph, analysis):
        if not fixes:
            continue
        out.append(f"{d.severity.capitalize()} in {_where(graph, d.node)}{d.message}")
        out += [f"  fix {i}: {f.description}  [{f.preview}]" for i, f in enumerate(fixes, 1)]
    if not out:
        return "No fixes to offer." if analysis.diagnostics else "Nothing to fix."
    return "\n".join(out)


def json_fixes(graph: Graph, analysis: Analysis) -> list[dict[str, Any]]:
    from .fixes import all_fixes

    return [{"node": d.node, "message": d.message, "severity": d.severity,
             "fixes": [{"description": f.description, "preview": f.preview} for f in fixes]}
            for d, fixes in all_fixes(graph, analysis)]


def _split(graph: Graph, analysis: Analysis) -> tuple[int, int]:
    return parameter_split(graph, {nid: info.params for nid, info in analysis.nodes.items()})
