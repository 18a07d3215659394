"""Hyper-parameter search (runtime/tune): real trials of the shipped examples, tiny budgets."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.cli import main
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.runtime.tune.apply import applied, check_space, current_values
from netbuilder.runtime.tune.search import SearchEnded, TrialEnded, search
from netbuilder.runtime.tune.space import SpaceError, space_from_dict
from netbuilder.runtime.tune.trial import trial_run

MOONS = str(example_path("mlp_moons"))


def _moons():
    return load_project(MOONS)


def _run(gen):
    """Drive a trial generator to its end (never pruning)."""
    try:
        next(gen)
        while True:
            gen.send(False)
    except StopIteration as stop:
        return stop.value


def _search(project, space, **kw):
    events = list(search(project, space, **kw))
    assert isinstance(events[-1], SearchEnded)
    return events[-1]


LR_SPACE = {"parameters": {"lr": {"low": 0.001, "high": 0.3, "log": True}},
            "budget": {"trials": 4, "epochs": 2}}


def test_tuning_the_learning_rate_finds_one_at_least_as_good_as_the_default():
    project = _moons()
    space = space_from_dict(LR_SPACE)
    default = _run(trial_run(project, -1, {}, epochs=2, objective="val_loss"))
    assert default.state == "complete" and current_values(space, project) == {"lr": 0.01}
    ended = _search(project, space)
    assert ended.reason == "done" and len(ended.results) == 4
    assert ended.best is not None and ended.best.values["lr"] != 0.01
    assert ended.best.value <= default.value
    # the trial's score is its best epoch's validation loss, as trained by `netbuilder train`
    again = _run(trial_run(project, -1, ended.best.values, epochs=2, objective="val_loss"))
    assert again.value == pytest.approx(ended.best.value, rel=1e-5)


def test_the_same_seed_gives_the_same_trials_and_another_seed_others():
    project = _moons()
    space = space_from_dict({**LR_SPACE, "budget": {"trials": 3, "epochs": 1}})
    first = _search(project, space, seed=7)
    second = _search(project, space, seed=7)
    other = _search(project, space, seed=8)
    values = [r.values for r in first.results]
    assert values == [r.values for r in second.results]
    assert [r.value for r in first.results] == [r.value for r in second.results]
    assert values != [r.values for r in other.results]


def test_a_trial_that_cannot_train_fails_with_its_reason_and_the_search_goes_on():
    project = _moons()
    space = check_space(space_from_dict({
        "method": "grid", "budget": {"epochs": 1},
        "parameters": {"out.out_features": {"choices": [1, 3]}}}), project)
    ended = _search(project, space)
    by_width = {r.values["out.out_features"]: r for r in ended.results}
    assert by_width[3].state == "failed" and "3" in by_width[3].message
    assert by_width[1].state == "complete" and ended.best is by_width[1]


def test_grid_tries_every_point_once_and_layer_widths_reach_the_graph():
    project = _moons()
    space = check_space(space_from_dict({
        "method": "grid", "budget": {"trials": 50, "epochs": 1},
        "parameters": {"hidden1.out_features": {"low": 4, "high": 64, "grid_points": 3},
                       "optimizer": {"choices": ["adam", "sgd"]}}}), project)
    ended = _search(project, space)
    points = {(r.values["hidden1.out_features"], r.values["optimizer"]) for r in ended.results}
    assert points == {(w, o) for w in (4, 34, 64) for o in ("adam", "sgd")}
    copy = applied(project, {"hidden1.out_features": 34, "optimizer": "sgd", "lr": 0.05})
    assert copy.graph.nodes["hidden1"].params["out_features"] == 34
    assert copy.training["optimizer"] == "sgd" and copy.training["lr"] == 0.05
    assert project.graph.nodes["hidden1"].params["out_features"] == 16   # the original stays
    assert project.training["optimizer"] == "adam"


def test_a_dropout_p_range_written_in_whole_numbers_is_still_real_numbers():
    from netbuilder.graph.model import Node

    project = _moons()
    project.graph.add_node(Node("drop1", "Dropout", {}))
    space = check_space(space_from_dict({"parameters": {"drop1.p": {"low": 0, "high": 1}}}),
                        project)
    assert space.parameters[0].kind == "float"


def test_stop_and_time_limit_end_the_search_with_the_reason():
    from netbuilder.runtime.control import TrainingControl

    project = _moons()
    space = space_from_dict(LR_SPACE)
    control = TrainingControl()
    control.stop()
    assert _search(project, space, control=control).reason == "stopped"
    ended = _search(project, space, time_limit_s=1e-6)
    assert ended.reason == "time limit" and ended.best is None


def test_two_jobs_train_in_worker_processes_and_start_as_one_job_does():
    project = _moons()
    space = space_from_dict({**LR_SPACE, "budget": {"trials": 2, "epochs": 1}})
    events = list(search(project, space, jobs=2, seed=3))
    results = [e.result for e in events if isinstance(e, TrialEnded)]
    assert [r.state for r in results] == ["complete", "complete"]
    alone = _search(project, space, jobs=1, seed=3)
    # nothing is told before the first round, so its trials are the one-job search's
    assert [r.values for r in results] == [r.values for r in alone.results]
    assert [r.value for r in results] == pytest.approx([r.value for r in alone.results],
                                                       rel=1e-4)


# -- the command ----------------------------------------------------------------------------

def _write(tmp_path, data, name="space.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("data, words", [
    ("{not json", ["not valid JSON", "line 1"]),
    ({"parameters": {"lr": {"low": 0.1, "high": 0.01}}}, ["low (0.1) must be below high"]),
    ({"parameters": {"learning_rate": {"low": 0.1, "high": 1}}},
     ["learning_rate", "did you mean 'lr'"]),
    ({"parameters": {"optimizer": {"choices": ["adam", "sgdd"]}}}, ["'sgd'"]),
    ({"parameters": {"lr": {"low": 0, "high": 1, "log": True}}}, ["log scale needs low above 0"]),
    ({"parameters": {}}, ["empty"]),
    ({"parameters": {"lr": {"low": 0.1, "high": 1}}, "budget": {"trails": 3}},
     ["budget.trails", "did you mean 'trials'"]),
    ({"parameters": {"fc9.out_features": {"low": 2, "high": 8}}}, ["no node 'fc9'"]),
    ({"parameters": {"hidden1.kernel_size": {"low": 2, "high": 8}}},
     ["Linear 'hidden1' has no parameter 'kernel_size'", "out_features"]),
    ({"parameters": {"hidden1.out_features": {"low": 0, "high": 8}}}, ["outside"]),
])
def test_a_malformed_space_file_is_one_clear_message_and_exit_2(tmp_path, capsys, data, words):
    code = main(["tune", MOONS, "--space", _write(tmp_path, data), "--trials", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err
    for w in words:
        assert w in err


def test_every_problem_of_a_space_is_listed_at_once():
    with pytest.raises(SpaceError) as e:
        space_from_dict({"method": "bayes", "parameters": {"lr": {"low": -1, "high": "x"},
                                                           "batch_size": {"low": 8.5,
                                                                          "high": 64}}})
    text = str(e.value)
    assert "method" in text and "lr" in text and "batch_size" in text


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["parameters", "lr", "low", "high", "log",
                                                       "choices", "budget", "trials", "step",
                                                       "method", "x"]), inner, max_size=4),
                    max_leaves=12))
def test_any_json_is_a_space_or_a_space_error(data):
    try:
        space = space_from_dict(data)
    except SpaceError as e:
        assert str(e)
    else:
        for p in space.parameters:
            assert p.grid()


def test_apply_writes_the_best_settings_and_leaves_the_rest(tmp_path, capsys):
    space = _write(tmp_path, {"method": "grid", "budget": {"epochs": 1},
                              "parameters": {"lr": {"choices": [0.003, 0.1]},
                                             "hidden1.out_features": {"choices": [4, 32]}}})
    out = tmp_path / "tuned.json"
    before = open(MOONS, encoding="utf-8").read()
    code = main(["tune", MOONS, "--space", space, "--trials", "10", "--apply", "-o", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    best = next(line for line in text.splitlines() if line.startswith("best: trial"))
    values = dict(kv.split("=") for kv in best.split(": ", 2)[2].split(" (")[0].split(", "))
    tuned = load_project(out)
    assert tuned.training["lr"] == float(values["lr"])
    assert tuned.graph.nodes["hidden1"].params["out_features"] == int(values["hidden1.out_features"])
    original = load_project(MOONS)
    assert tuned.training["epochs"] == original.training["epochs"]   # not the trials' 1 epoch
    assert tuned.graph.nodes["hidden2"].params == original.graph.nodes["hidden2"].params
    assert open(MOONS, encoding="utf-8").read() == before
    assert text.count(" complete ") == 4


def test_apply_without_output_is_refused_before_any_training(tmp_path, capsys):
    code = main(["tune", MOONS, "--space", _write(tmp_path, LR_SPACE), "--apply"])
    assert code == 2 and "--apply needs -o" in capsys.readouterr().err


def test_each_trial_is_recorded_as_a_run_in_the_projects_history(tmp_path, capsys):
    from netbuilder.runtime.runs.store import RunStore

    project = tmp_path / "moons.json"
    project.write_text(open(MOONS, encoding="utf-8").read(), encoding="utf-8")
    space = _write(tmp_path, {"method": "grid", "budget": {"epochs": 2},
                              "parameters": {"hidden1.out_features": {"choices": [4, 32]}}})
    assert main(["tune", str(project), "--space", space]) == 0
    assert "2 trial(s) recorded as runs in" in capsys.readouterr().out
    runs = sorted(RunStore(project).runs(), key=lambda r: r.id)
    assert [r.name for r in runs] == ["trial 0: hidden1.out_features=4",
                                      "trial 1: hidden1.out_features=32"]
    assert all(r.status == "finished" and r.epochs_recorded == 2 for r in runs)
    # the run keeps the trial's graph, not the project's
    widths = [next(n for n in r.graph["nodes"] if n["id"] == "hidden1")["params"]["out_features"]
              for r in runs]
    assert widths == [4, 32] and runs[0].settings["epochs"] == 2
    assert main(["tune", str(project), "--space", space, "--no-history"]) == 0
    assert len(RunStore(project).runs()) == 2


@pytest.mark.parametrize("space_file, example", [("lenet5_lr.json", "lenet5"),
                                                 ("mlp_moons_mixed.json", "mlp_moons")])
def test_the_documented_space_files_fit_their_examples(space_file, example):
    from pathlib import Path

    from netbuilder.runtime.tune.space import load_space

    path = Path(__file__).resolve().parents[2] / "docs" / "spaces" / space_file
    space = check_space(load_space(path), load_project(example_path(example)))
    assert space.parameters and space.budget.trials >= 10


def test_a_choice_node_parameter_needs_choices_and_a_whole_one_whole_numbers():
    from netbuilder.graph.model import Node

    project = _moons()
    project.graph.add_node(Node("act", "LeakyReLU", {}))
    with pytest.raises(SpaceError) as e:
        check_space(space_from_dict({"parameters": {
            "hidden1.out_features": {"low": 2.5, "high": 8.5},
            "act.negative_slope": {"low": 0.01, "high": 0.3}}}), project)
    text = str(e.value)
    assert "out_features of 'hidden1' is a whole number" in text
    assert "negative_slope" not in text                     # a real number: fine


def test_optuna_is_not_imported_by_the_command_line_or_the_window():
    import subprocess
    import sys

    code = ("import sys, netbuilder.cli, netbuilder.runtime.tune.command, "
            "netbuilder.ui.main_window; netbuilder.cli.build_parser(); "
            "print('optuna' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
                          timeout=120)
    assert done.stdout.strip() == "False", done.stderr
