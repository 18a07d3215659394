"""Plain-language compatibility problems between a model, a dataset and a loss."""

from __future__ import annotations

from netbuilder.runtime.compat import check_compat, has_errors
from netbuilder.runtime.datasets import list_datasets

INFO = {info.name: info for info in list_datasets()}


def messages(*args, **kwargs):
    return [str(p) for p in check_compat(*args, **kwargs)]


def test_a_fitting_model_has_no_problems():
    assert check_compat((1, 8, 8), (10,), INFO["digits"], "cross_entropy") == []
    assert check_compat(None, (1,), INFO["breast_cancer"], "bce_with_logits") == []
    assert check_compat((10,), (1,), INFO["diabetes"], "mse") == []


def test_input_shape_mismatch_suggests_the_upscaled_digits():
    (text,) = messages((1, 28, 28), (10,), INFO["digits"], "cross_entropy")
    assert text == (
        "The model expects 1x28x28 but 'digits' gives 1x8x8: change the Input node's shape to "
        "1x8x8 or pick 'digits28' (digits upscaled to 28x28)"
    )
    (text,) = messages((64,), (10,), INFO["digits"], "cross_entropy")
    assert "a Flatten or Reshape may be all that is missing" in text


def test_wrong_number_of_outputs_names_the_fix():
    (text,) = messages((4,), (5,), INFO["iris"], "cross_entropy")
    assert text == (
        "The last layer gives 5 values but 'iris' has 3 classes: set the last Linear's "
        "out_features to 3"
    )
    (text,) = messages((1, 8, 8), (10, 2, 2), INFO["digits"], "cross_entropy")
    assert "add a Flatten and a Linear with out_features=10" in text


def test_bce_needs_one_output_and_two_classes():
    (text,) = messages(None, (3,), INFO["iris"], "bce_with_logits")
    assert "'bce_with_logits' needs 1 output and 2 classes, but 'iris' has 3 classes" in text
    (text,) = messages(None, (2,), INFO["breast_cancer"], "bce_with_logits")
    assert "set the last Linear's out_features to 1, or use 'cross_entropy' with 2 outputs" in text


def test_regression_losses_and_datasets_must_match():
    (text,) = messages(None, (3,), INFO["iris"], "mse")
    assert "compares numbers (regression), but 'iris' has 3 classes: pick 'cross_entropy'" in text
    (text,) = messages(None, (1,), INFO["sine"], "cross_entropy")
    assert "'sine' is a regression dataset" in text and "pick 'mse' or 'l1'" in text
    (text,) = messages(None, (4,), INFO["diabetes"], "l1")
    assert "gives 4 values but 'diabetes' has 1 target per sample" in text


def test_output_kind_warnings_are_warnings_not_errors():
    problems = check_compat(None, (3,), INFO["iris"], "nll")
    assert [p.level for p in problems] == ["warning"] and not has_errors(problems)
    assert "LogSoftmax" in str(problems[0])
    assert check_compat(None, (3,), INFO["iris"], "nll", output_kind="log_probabilities") == []
    (warning,) = check_compat(None, (3,), INFO["iris"], "cross_entropy", output_kind="probabilities")
    assert warning.level == "warning" and "remove the final Softmax" in warning.message


def test_unknown_loss():
    assert has_errors(check_compat(None, (3,), INFO["iris"], "hinge"))
