"""Hyper-parameter search: vary training settings and layer parameters, train a trial for
each choice, keep the best. No Qt; Optuna is imported only when a search runs.

    space.py    the search space file format (parameters, budget, method) and its checks
    apply.py    a trial's values as graph edits plus training settings (a copy, or undo)
    trial.py    one trial: the project with its values, trained and scored per epoch
    search.py   the search: Optuna's ask-and-tell, pruning, the events a caller follows
    workers.py  worker processes for --jobs N
    command.py  ``netbuilder tune``
"""
