"""The bf16 autocast path of the metrics, run with the CPU's autocast.

On CUDA the trainer wraps forward and loss in ``torch.autocast(bfloat16)``, so outputs
reach the metrics, the evaluation and the output-kind guess as bf16 tensors. CI has no GPU;
the CPU's autocast produces the same dtypes through the same code, so these tests check
that low-precision outputs give the same figures (within bf16 rounding) as float32 ones.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from runtime_models import mlp, small_cnn

from netbuilder.runtime.losses import compute_loss
from netbuilder.runtime.metrics import EpochMeter, evaluate
from netbuilder.runtime.output_kind import guess_output_kind
from netbuilder.runtime.placement import Placement

CPU = torch.device("cpu")
FP32 = Placement(CPU)
BF16 = Placement(CPU, mixed_precision=True)


def test_autocast_gives_bf16_outputs_and_float32_losses():
    model, x = mlp(4, 3), torch.randn(16, 4)
    with BF16.autocast():
        out = model(x)
        losses = {name: compute_loss(name, out, torch.randint(0, 3, (16,))) for name in ("cross_entropy",)}
        reg = compute_loss("mse", out[:, :1], torch.randn(16))
    assert out.dtype == torch.bfloat16
    assert losses["cross_entropy"].dtype == torch.float32 and reg.dtype == torch.float32


@pytest.mark.parametrize("classification", [True, False])
def test_evaluation_under_bf16_matches_float32(digits, classification):
    torch.manual_seed(0)
    model = small_cnn() if classification else small_cnn(classes=1)
    x, y = digits.x[:300], digits.y[:300]
    loss_name = "cross_entropy" if classification else "mse"
    if not classification:
        y = y.float() / 9.0
    model.eval()
    full = evaluate(model, x, y, loss_name, classification, 64, FP32)
    low = evaluate(model, x, y, loss_name, classification, 64, BF16)
    assert low.loss == pytest.approx(full.loss, rel=2e-2)
    if classification:
        # a near-tie between two logits may flip in bf16; a handful of samples at most
        assert abs(low.accuracy - full.accuracy) <= 5 / 300
    else:
        assert low.mse == pytest.approx(full.mse, rel=2e-2)
        assert low.mse == pytest.approx(low.loss, rel=1e-5)   # MSE metric is the MSE loss


def test_epoch_meter_reads_bf16_batches_like_evaluate(digits):
    model = small_cnn().eval()
    meter = EpochMeter("cross_entropy", classification=True)
    x, y = digits.x[:256], digits.y[:256]
    with torch.no_grad():
        for start in range(0, 256, 64):
            with BF16.autocast():
                out = model(x[start:start + 64])
                loss = compute_loss("cross_entropy", out, y[start:start + 64])
            meter.record(loss, out, y[start:start + 64])
    reading = meter.flush()
    reference = evaluate(model, x, y, "cross_entropy", True, 64, BF16)
    assert reading.samples == 256 and reading.bad_batch is None
    assert reading.loss == pytest.approx(reference.loss, rel=1e-5)
    assert reading.accuracy == pytest.approx(reference.accuracy)


@settings(max_examples=40, deadline=None)
@given(classes=st.integers(2, 200), rows=st.integers(1, 8), seed=st.integers(0, 2**16),
       scale=st.floats(0.1, 20.0))
def test_softmax_outputs_are_recognised_in_bf16(classes, rows, seed, scale):
    """A Softmax or LogSoftmax last layer is still told from logits when autocast rounds it
    to bf16 (the compatibility check warns about Softmax before cross-entropy)."""
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(rows, classes, generator=gen) * scale
    for dtype in (torch.float32, torch.bfloat16):
        assert guess_output_kind(torch.softmax(logits, 1).to(dtype), "cross_entropy") == "probabilities"
        assert guess_output_kind(torch.log_softmax(logits, 1).to(dtype), "cross_entropy") == "log_probabilities"
    # logits that are all negative but far from normalised stay logits: their exponentials
    # add up to e^-5, not 1 (shifting by the max alone can land near a normalised row when
    # there are many classes close together)
    shifted = torch.log_softmax(logits, 1) - 5.0
    assert guess_output_kind(shifted.to(torch.bfloat16), "cross_entropy") == "logits"


def test_log_softmax_model_under_cpu_autocast_is_log_probabilities():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 10), torch.nn.LogSoftmax(1))
    with BF16.autocast():
        out = model(torch.randn(2, 8) * 3)
    assert out.dtype == torch.bfloat16
    assert guess_output_kind(out, "cross_entropy") == "log_probabilities"
