"""`netbuilder report`: a self-contained HTML page and the numbers, for trained weights.

The weights come from the real CLI path (`netbuilder train --save --metrics-out`); the
report's accuracy must be the one training reported for the same checkpoint.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from netbuilder.cli import main
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import Project, save_project
from netbuilder.runtime.datasets import load_dataset, split_indices

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
NASTY = '<script>alert("x")</script> & Co'


class _Page(HTMLParser):
    """What a browser would fetch or run: image sources, links, scripts; and the h2 titles."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.refs: list[str] = []
        self.scripts = 0
        self.titles: list[str] = []
        self._in_h2 = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "script":
            self.scripts += 1
        for key in ("href", "src", "srcset", "action", "data"):
            if key in a and tag != "img":
                self.refs.append(a[key])
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_h2:
            self.titles.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def decoded_pngs(page: _Page) -> list[Image.Image]:
    images = []
    for src in page.images:
        assert src.startswith("data:image/png;base64,"), src[:60]
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        image = Image.open(io.BytesIO(data))
        image.load()                          # raises for a truncated or corrupt PNG
        assert image.format == "PNG" and image.width > 50 and image.height > 50
        images.append(image)
    return images


def cli(*argv: str) -> tuple[int, str, str]:
    """``netbuilder ARGV`` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def train(project: Path, folder: Path, *extra: str) -> tuple[Path, dict]:
    ckpt, metrics = folder / "weights.pt", folder / "metrics.json"
    code, _, err = cli("train", str(project), "--save", str(ckpt),
                       "--metrics-out", str(metrics), *extra)
    assert code == 0, err
    return ckpt, json.loads(metrics.read_text())


@pytest.fixture(scope="module")
def lenet(tmp_path_factory):
    """LeNet-5 trained briefly on the shipped digits, then reported with --json."""
    folder = tmp_path_factory.mktemp("lenet")
    project = EXAMPLES / "lenet5.json"
    ckpt, metrics = train(project, folder, "--epochs", "2")
    html, numbers = folder / "report.html", folder / "numbers.json"
    code, out, err = cli("report", str(project), "--weights", str(ckpt), "-o", str(html),
                         "--json", str(numbers))
    assert code == 0, err
    assert "wrote" in out and "accuracy" in out
    return {"project": project, "ckpt": ckpt, "metrics": metrics, "html": html.read_text(),
            "numbers": json.loads(numbers.read_text()), "folder": folder, "path": html}


def test_report_accuracy_is_the_trainers_val_accuracy_for_the_same_checkpoint(lenet):
    n, metrics = lenet["numbers"], lenet["metrics"]
    assert n["accuracy"] == metrics["val_accuracy"]          # exactly, not approximately
    cm = np.array(n["confusion_matrix"])
    data = load_dataset("digits28")
    _, val = split_indices(data, 0.2, 0)
    assert cm.sum() == n["samples"] == len(val)
    assert np.trace(cm) / cm.sum() == pytest.approx(n["accuracy"])
    assert n["classes"] == [str(i) for i in range(10)] and cm.shape == (10, 10)
    assert set(n["per_class"]) == set(n["classes"])
    assert [n["per_class"][c]["support"] for c in n["classes"]] == cm.sum(axis=1).tolist()


def test_every_image_is_an_inline_png_and_nothing_is_fetched_or_run(lenet):
    page = parse(lenet["html"])
    images = decoded_pngs(page)
    # network, curves, confusion matrix, misclassified gallery, filters, feature maps, embedding
    assert len(images) == 7
    assert page.scripts == 0
    assert all(r.startswith("#") for r in page.refs), page.refs
    lowered = lenet["html"].lower()
    assert "http://" not in lowered and "https://" not in lowered and "url(" not in lowered
    titles = page.titles
    for title in ("The network", "Training curves", "Confusion matrix and per-class scores",
                  "Misclassified samples", "First-layer filters and feature maps",
                  "Decision boundary", "Embedding"):
        assert title in titles
    text = " ".join(page.text)
    assert "conv1" in text and "61,706" in text            # the summary table: LeNet's params
    assert "drawn for classification on two input features" in text   # left out, with why


def test_a_moons_mlp_report_has_its_decision_boundary_and_escapes_user_strings(tmp_path):
    b = GraphBuilder(NASTY)
    x = b.input((2,))
    x = b.layer("Linear", x, id="hidden", label="<b>hidden</b>", out_features=16)
    x = b.layer("ReLU", x, id="relu")
    b.layer("Linear", x, id="out", out_features=1)
    project = tmp_path / "moons.json"
    save_project(Project(b.graph, training={"dataset": "moons", "loss": "bce_with_logits",
                                            "optimizer": "adam", "lr": 0.01, "epochs": 3,
                                            "cpu_threads": 1}), project)
    ckpt, metrics = train(project, tmp_path)
    html_path, numbers = tmp_path / "r.html", tmp_path / "n.json"
    code, _, err = cli("report", str(project), "--weights", str(ckpt), "-o",
                       str(html_path), "--json", str(numbers))
    assert code == 0, err
    html = html_path.read_text()
    page = parse(html)
    assert "<script" not in html and "<b>hidden" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert NASTY in "".join(page.text)                       # the reader sees the real name
    assert page.scripts == 0
    images = decoded_pngs(page)
    assert len(images) == 5                  # network, curves, confusion matrix, boundary, PCA
    assert "The plane coloured by the predicted class" in " ".join(page.text)
    assert json.loads(numbers.read_text())["accuracy"] == metrics["val_accuracy"]
    assert "no 2-D convolution" in " ".join(page.text)


def test_a_regression_report_gives_mse_and_mae_and_a_prediction_plot(tmp_path):
    b = GraphBuilder("Sine fit")
    x = b.input((1,))
    x = b.layer("Linear", x, id="hidden", out_features=16)
    x = b.layer("Tanh", x, id="act")
    b.layer("Linear", x, id="out", out_features=1)
    project = tmp_path / "sine.json"
    save_project(Project(b.graph, training={"dataset": "sine", "loss": "mse", "lr": 0.01,
                                            "optimizer": "adam", "epochs": 2,
                                            "cpu_threads": 1}), project)
    ckpt, metrics = train(project, tmp_path)
    code, out, err = cli("report", str(project), "--weights", str(ckpt), "-o",
                         str(tmp_path / "r.html"), "--json", str(tmp_path / "n.json"))
    assert code == 0, err
    n = json.loads((tmp_path / "n.json").read_text())
    assert "accuracy" not in n and n["task"] == "regression"
    assert n["mse"] == pytest.approx(metrics["val_mse"], rel=1e-5) and 0 < n["mae"] < 2
    assert "MSE" in out
    page = parse((tmp_path / "r.html").read_text())
    assert "Predictions" in page.titles and "Confusion matrix and per-class scores" not in page.titles
    assert len(decoded_pngs(page)) == 4        # network, curves, predictions, embedding


@pytest.mark.parametrize("case, code, says", [
    ("missing checkpoint", 2, "checkpoint file not found"),
    ("checkpoint of another network", 2, "saved for a different graph"),
    ("not a checkpoint", 2, "expected a netbuilder checkpoint"),
    ("data that does not fit", 1, "'iris' gives 4"),
    ("unknown dataset", 2, "neither a shipped dataset"),
    ("bad project file", 2, "bad.json"),
    ("output folder missing", 2, "cannot be written: the folder"),
])
def test_bad_input_gives_a_message_not_a_traceback_and_keeps_an_earlier_report(
        lenet, tmp_path, case, code, says):
    project, ckpt = str(lenet["project"]), str(lenet["ckpt"])
    out = tmp_path / "report.html"
    out.write_text("an earlier report")
    extra: list[str] = []
    if case == "missing checkpoint":
        ckpt = str(tmp_path / "nowhere.pt")
    elif case == "checkpoint of another network":
        project = str(EXAMPLES / "mlp_digits.json")
    elif case == "not a checkpoint":
        ckpt = str(tmp_path / "fake.pt")
        Path(ckpt).write_bytes(b"PK\x03\x04 not really a zip")
    elif case == "data that does not fit":
        extra = ["--dataset", "iris"]
    elif case == "unknown dataset":
        extra = ["--dataset", "no_such_data"]
    elif case == "bad project file":
        project = str(tmp_path / "bad.json")
        Path(project).write_text("{ not json")
    elif case == "output folder missing":
        out = tmp_path / "missing" / "report.html"
    got, stdout, err = cli("report", project, "--weights", ckpt, "-o", str(out), *extra)
    assert got == code
    assert says in err and "Traceback" not in err + stdout
    if case != "output folder missing":
        assert out.read_text() == "an earlier report"
    assert not list(tmp_path.rglob("*.tmp"))                 # no half-written file left


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_any_user_string_reads_back_as_written_and_never_becomes_markup(name, cell):
    from netbuilder.runtime.report.content import Report, Section, Table
    from netbuilder.runtime.report.page import render_html

    report = Report(name, [("dataset", cell)], [Section(name).add(cell, Table((name,), [(cell,)]))],
                    {})
    page = parse(render_html(report))
    assert page.scripts == 0 and not page.images
    assert all(r.startswith("#") for r in page.refs)
    text = "".join(page.text)
    clean = name.replace("\r", "")
    assert clean in text.replace("\r", "")
    assert page.titles and "".join(page.titles).replace("\r", "") == clean


def test_the_report_opens_in_a_headless_browser(lenet, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    shot = tmp_path / "report.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1280,2400",
                    lenet["path"].resolve().as_uri()], capture_output=True, timeout=180)
    image = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert image.shape == (2400, 1280)
    # the page drew something in every band: text, the network picture, tables, figures
    bands = image.reshape(8, -1)
    assert all((band < 200).mean() > 0.005 for band in bands), [(b < 200).mean() for b in bands]


def test_weights_without_a_training_record_give_a_report_that_says_so(lenet, tmp_path):
    import torch

    payload = torch.load(lenet["ckpt"], map_location="cpu", weights_only=True)
    payload["trainer"] = {}               # what the window writes for weights of no full run
    bare = tmp_path / "bare.pt"
    torch.save(payload, bare)
    out, numbers = tmp_path / "r.html", tmp_path / "n.json"
    code, _, err = cli("report", str(lenet["project"]), "--weights", str(bare), "-o", str(out),
                       "--json", str(numbers))
    assert code == 0, err
    page = parse(out.read_text())
    assert "carry no training history" in " ".join(page.text)
    assert len(decoded_pngs(page)) == 6                       # all but the curves
    # the project's own settings judge them: the same split, so the same accuracy
    assert json.loads(numbers.read_text())["accuracy"] == lenet["numbers"]["accuracy"]
