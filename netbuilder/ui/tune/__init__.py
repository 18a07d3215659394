"""The window's hyper-parameter search: Train > Search Hyper-parameters... (``TuneGlue``),
its dialog (a form for the space, live scatter plots and a table of trials), the worker
thread the search runs on, and "Apply best" as one undo command."""
