"""The over-/under-fitting verdict (runtime/runs/verdict.py) on crafted curves."""

from netbuilder.runtime.runs.verdict import fit_verdict


def curves(train, val, acc=None):
    return [{"epoch": i + 1, "train_loss": t, "val_loss": v,
             "train_acc": acc[i] if acc else None} for i, (t, v) in enumerate(zip(train, val, strict=True))]


def test_validation_rising_while_training_falls_is_over_fitting_from_the_best_epoch():
    train = [1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08]
    val = [1.0, 0.75, 0.6, 0.55, 0.58, 0.63, 0.70, 0.78]
    v = fit_verdict(curves(train, val, [0.6, 0.7, 0.8, 0.9, 0.93, 0.96, 0.98, 0.99]))
    assert v.kind == "overfits" and v.best_epoch == 4 and v.best_val_loss == 0.55
    assert v.text.startswith("validation loss rose after epoch 4 while training loss kept "
                             "falling: the network over-fits; try dropout")
    assert abs(v.gap - 0.70) < 1e-9


def test_both_curves_still_falling_is_under_fitting_for_now():
    v = fit_verdict(curves([2.0, 1.6, 1.3, 1.1, 0.95], [2.0, 1.7, 1.4, 1.2, 1.05]))
    assert v.kind == "underfits" and v.best_epoch == 5
    assert "still falling at epoch 5" in v.text and "more epochs" in v.text


def test_a_flat_high_training_loss_with_low_accuracy_is_under_fitting():
    v = fit_verdict(curves([1.5, 1.45, 1.44, 1.44], [1.52, 1.47, 1.46, 1.46],
                           [0.40, 0.42, 0.43, 0.43]))
    assert v.kind == "underfits" and "training accuracy 43%" in v.text
    assert "bigger network" in v.text


def test_curves_that_settle_together_fit_well():
    v = fit_verdict(curves([1.0, 0.4, 0.2, 0.15, 0.14, 0.14], [1.0, 0.45, 0.25, 0.2, 0.2, 0.21],
                           [0.7, 0.9, 0.95, 0.97, 0.97, 0.97]))
    assert v.kind == "fits" and v.best_epoch == 4 and "fits well" in v.text


def test_a_small_rise_or_a_rise_in_the_last_epoch_only_is_not_over_fitting():
    v = fit_verdict(curves([1.0, 0.5, 0.3, 0.2, 0.15], [1.0, 0.5, 0.31, 0.3, 0.4],
                           [0.7, 0.9, 0.95, 0.97, 0.98]))
    assert v.kind != "overfits"


def test_without_validation_or_with_too_few_epochs_it_says_why_not():
    no_val = fit_verdict([{"epoch": 1, "train_loss": 1.0, "val_loss": None}])
    assert no_val.kind == "unknown" and "validation split" in no_val.text
    short = fit_verdict(curves([1.0, 0.5], [1.0, 0.6]))
    assert short.kind == "unknown" and "too few" in short.text and short.best_epoch == 2


def test_a_validation_loss_far_above_training_is_over_fitting_even_while_both_fall():
    v = fit_verdict(curves([1.0, 0.3, 0.1, 0.06, 0.05], [1.0, 0.4, 0.3, 0.26, 0.22],
                           [0.7, 0.9, 0.97, 0.98, 0.99]))
    assert v.kind == "overfits" and "4 times the training loss" in v.text
