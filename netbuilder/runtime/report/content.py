"""What the report says about trained weights: sections of text, tables and figures, and
the numbers for ``--json``.

``build_report`` takes the graph, the dataset and settings of the run, the weights and
(when known) the run's normalisation and history; it judges the network on the validation
samples exactly as the trainer did (same split, same normalisation, same prediction rule,
same batch size), so its accuracy is the run's ``val_accuracy``. A section that does not
apply to this network or dataset is kept with one sentence saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Progress = Callable[[str], None]
MISCLASSIFIED_SHOWN = 16
EMBEDDING_SAMPLES = 1000


@dataclass(frozen=True)
class Figure:
    png: bytes
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    numeric: tuple[bool, ...] = ()       # right-align these columns
    total: bool = False                  # the last row sums the others: shown in bold


@dataclass
class Section:
    """A titled part of the page: paragraphs, figures and tables in the order added."""

    title: str
    items: list[str | Figure | Table] = field(default_factory=list)

    def add(self, *items: str | Figure | Table) -> Section:
        self.items.extend(items)
        return self

    @property
    def figures(self) -> list[Figure]:
        return [i for i in self.items if isinstance(i, Figure)]

    @property
    def text(self) -> list[str]:
        return [i for i in self.items if isinstance(i, str)]


@dataclass
class Report:
    title: str
    facts: list[tuple[str, str]]         # (what, value) lines under the title
    sections: list[Section]
    numbers: dict[str, Any]              # what ``--json`` writes


def _percent(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1%}"


def build_report(graph: Any, dataset: Any, config: Any, state_dict: Mapping[str, Any], *,
                 normalization: Mapping[str, Any] | None = None,
                 history: Sequence[Mapping[str, Any]] = (), epoch: int | None = None,
                 weights_name: str = "", progress: Progress | None = None) -> Report:
    """The report for ``state_dict`` (which must fit ``graph``; RuntimeError otherwise)."""
    from netbuilder.graph.analysis import analyze
    from netbuilder.runtime.insight.data import eval_set
    from netbuilder.runtime.insight.evaluation import evaluate
    from netbuilder.runtime.insight.probe import Prober
    from netbuilder.runtime.trainer import EVAL_BATCH_MULTIPLIER

    say = progress or (lambda _text: None)
    analysis = analyze(graph)
    say("Building the network with the trained weights…")
    prober = Prober(graph, state_dict, analysis)
    data = eval_set(dataset, config.val_fraction, config.seed, normalize=config.normalize,
                    normalization=normalization)
    say(f"Judging it on {len(data)} validation samples…")
    ev = evaluate(prober, data, config.loss, batch_size=config.batch_size * EVAL_BATCH_MULTIPLIER)
    info = dataset.info
    facts = [("dataset", f"{info.title} ({info.name})"),
             ("judged on", f"{len(data)} validation samples (the run's own split, seed {config.seed})"),
             ("weights", weights_name + (f", after {epoch} epoch(s)" if epoch is not None else ""))]
    if ev.classification:
        facts.append(("validation accuracy", _percent(ev.accuracy)))
    else:
        facts.append(("validation MSE / MAE", f"{ev.mse:.4g} / {ev.mae:.4g}"))
    sections = [_network(graph, analysis, say), _curves(history, config.loss, say)]
    sections += _evaluation(ev, data, say)
    sections.append(_inside(prober, data, analysis, graph, say))
    sections.append(_boundary(prober, data, ev, config, say))
    sections.append(_embedding(prober, data, ev, analysis, graph, say))
    numbers = ev.to_json()
    return Report(graph.name or "network", facts, sections, numbers)


def _network(graph, analysis, say: Progress) -> Section:
    from netbuilder.graph.report import summary_rows
    from netbuilder.runtime.report.diagram import network_picture

    say("Drawing the network…")
    s = Section("The network")
    s.add(Figure(network_picture(graph, analysis),
                            "the network's layers as placed on the canvas, with their output shapes"))
    rows = [(nid, typ, shape, f"{p:,}", f"{m:,}") for nid, typ, shape, p, m in summary_rows(graph, analysis)]
    rows.append(("total", "", "", f"{analysis.total_params:,}", f"{analysis.total_macs:,}"))
    s.add(Table(("layer", "type", "output shape", "parameters", "MACs per sample"), rows,
                          (False, False, False, True, True), total=True))
    return s


def _curves(history: Sequence[Mapping[str, Any]], loss: str, say: Progress) -> Section:
    from netbuilder.runtime.report import figures

    s = Section("Training curves")
    if not history:
        s.add("These weights carry no training history (a checkpoint written without "
                      "the trainer's record), so there are no curves to show.")
        return s
    say("Drawing the training curves…")
    s.add(f"{len(history)} epoch(s). A validation curve that rises while the training "
                  "curve keeps falling is over-fitting.")
    s.add(Figure(figures.curves(history, loss), "loss and accuracy per epoch, training and validation"))
    return s


def _is_image(shape: Sequence[int]) -> bool:
    return len(shape) == 3 and shape[0] in (1, 3) and shape[1] > 1 and shape[2] > 1


def _evaluation(ev, data, say: Progress) -> list[Section]:
    from netbuilder.runtime.report import figures

    say("Drawing the confusion matrix…" if ev.classification else "Drawing the predictions…")
    if not ev.classification:
        s = Section("Predictions")
        s.add(f"On {ev.samples} validation samples: mean squared error {ev.mse:.4g}, "
                      f"mean absolute error {ev.mae:.4g}. Points on the dashed line are exact "
                      "predictions; the residuals should scatter evenly around zero.")
        s.add(Figure(figures.regression(ev.predictions, ev.targets),
                                "predicted against true values, and the residuals"))
        return [s]
    s = Section("Confusion matrix and per-class scores")
    correct = int(np.trace(ev.confusion))
    s.add(f"{correct} of {ev.samples} validation samples right: accuracy "
                  f"{_percent(ev.accuracy)}. Rows are the true class, columns the predicted one; "
                  "off the diagonal are the confusions.")
    s.add(Figure(figures.confusion(ev.confusion, ev.classes), "confusion matrix"))
    s.add(Table(("class", "precision", "recall", "F1", "samples"),
                          [(c.name, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}",
                            str(c.support)) for c in ev.per_class],
                          (False, True, True, True, True)))
    say("Drawing the misclassified samples…")
    m = Section("Misclassified samples")
    wrong = ev.misclassified(MISCLASSIFIED_SHOWN)
    total_wrong = ev.samples - correct
    if not wrong:
        m.add("Every validation sample is classified correctly.")
        return [s, m]
    shown = (f"All {total_wrong}" if len(wrong) == total_wrong
             else f"The {len(wrong)} most confidently wrong of {total_wrong}")
    m.add(f"{shown} misclassified, most confidently wrong first: true class -> predicted "
          "class (confidence).")
    names = ev.classes
    if _is_image(data.info.sample_shape):
        titles = [f"{names[ev.targets[i]]} -> {names[ev.predictions[i]]}\n({ev.confidence[i]:.0%})"
                  for i in wrong]
        m.add(Figure(figures.gallery([data.raw[i].numpy() for i in wrong], titles),
                                "misclassified validation samples"))
    else:
        m.add(Table(("sample", "true", "predicted", "confidence", "features"),
                              [(str(int(data.indices[i])), names[ev.targets[i]],
                                names[ev.predictions[i]], f"{ev.confidence[i]:.0%}",
                                _features(data.raw[i].numpy())) for i in wrong],
                              (True, False, False, True, False)))
    return [s, m]


def _features(x: np.ndarray, limit: int = 6) -> str:
    flat = x.reshape(-1)
    shown = ", ".join(f"{v:.3g}" for v in flat[:limit])
    return shown + (", …" if flat.size > limit else "")


def _inside(prober, data, analysis, graph, say: Progress) -> Section:
    from netbuilder.runtime.insight.arithmetic import first_conv_filters
    from netbuilder.runtime.insight.probe import path_text
    from netbuilder.runtime.report import figures

    s = Section("First-layer filters and feature maps")
    found = first_conv_filters(prober)
    if found is None or not _is_image(data.info.sample_shape) or len(data) == 0:
        s.add("This network has no 2-D convolution on images, so there are no filters "
                      "or feature maps to show.")
        return s
    say("Drawing the first-layer filters…")
    path, weights = found
    s.add(f"The {weights.shape[0]} filters of {path_text(path)}, each scaled to its own "
                  "range (dark: negative weights, light: positive).")
    s.add(Figure(figures.filters(weights), f"filters of {path_text(path)}"))
    say("Drawing the feature maps…")
    maps = prober.probe(data.x[:1], [path])[path][0].float().cpu().numpy()
    true = data.classes[int(data.y[0])] if data.info.is_classification else f"{float(data.y[0]):.3g}"
    s.add(f"What {path_text(path)} makes of validation sample 0 (true class {true}): "
                  "one map per filter, all on the same colour scale.")
    s.add(Figure(figures.feature_maps(maps, data.raw[0].numpy()),
                            f"feature maps of {path_text(path)} for one sample"))
    return s


def _boundary(prober, data, ev, config, say: Progress) -> Section:
    from netbuilder.runtime.insight.boundary import decision_grid, extent_of, is_two_feature
    from netbuilder.runtime.report import figures

    s = Section("Decision boundary")
    if not (ev.classification and is_two_feature(tuple(data.info.sample_shape))) or len(data) == 0:
        s.add("A decision boundary is drawn for classification on two input features "
                      "(moons, circles, XOR, spirals, a 2-column CSV); here each sample has "
                      f"the shape {'x'.join(map(str, data.info.sample_shape))}.")
        return s
    say("Drawing the decision boundary…")
    raw = data.raw.float()
    grid = decision_grid(prober, extent_of(raw), 150, config.loss, feed=data.feed)
    s.add("The plane coloured by the predicted class, paler where the network is less "
                  "sure; the validation samples on top, coloured by their true class.")
    s.add(Figure(figures.boundary(grid, raw.numpy(), data.y.numpy(), ev.classes),
                            "decision boundary with the validation samples"))
    return s


def _embedding_node(analysis, graph):
    """The last node before the output whose output has more than one value per sample."""
    from netbuilder.runtime.insight.probe import probe_targets

    out_ids = set(analysis.outputs)
    best = None
    for t in probe_targets(graph, analysis):
        if t.depth or t.path[0] in out_ids or t.type == "Input" or t.tensor is None:
            continue
        if t.tensor.numel > 1:
            best = t
    return best


def _embedding(prober, data, ev, analysis, graph, say: Progress) -> Section:
    from netbuilder.runtime.insight.embedding import node_outputs, project
    from netbuilder.runtime.report import figures

    s = Section("Embedding")
    target = _embedding_node(analysis, graph)
    n = min(len(data), EMBEDDING_SAMPLES)
    if target is None or n < 3:
        s.add("There is no hidden layer (or too few samples) to project.")
        return s
    say(f"Projecting {target.text} with PCA…")
    vectors = node_outputs(prober, data.x[:n], target.path)
    coords = project(vectors, "pca")
    say("Drawing the embedding…")
    labels = ev.targets[:n] if ev.classification else data.y[:n].numpy()
    s.add(f"The output of {target.text} ({vectors.shape[1]} values per sample) for {n} "
          "validation samples, projected to two dimensions with PCA. "
          + ("Classes that form separate clusters are easy for the layers after it."
             if ev.classification else "Points are coloured by their target value."))
    s.add(Figure(figures.embedding(coords, labels, ev.classes if ev.classification else None,
                                              f"PCA of {target.text}"),
                            f"PCA embedding of {target.text}"))
    return s
