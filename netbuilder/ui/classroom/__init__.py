"""The classroom in the window: a student's assignment panel (instructions, the live goal
checklist, "Check my work", "Save submission"), the instructor's "New Assignment" dialog, and
the glue that opens assignment files. The file format, the goals and the locks are graph/'s
(assignment.py, goals.py, locks.py); the document enforces the locks (graph/edit_locks.py).
"""
