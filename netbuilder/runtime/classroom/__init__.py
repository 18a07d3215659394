"""Classroom services on the runtime side: measuring training goals and grading a class.

``measure`` trains a submission with an assignment's budget under a time and memory cap and
returns what it measured; ``grade`` scores one submission file (refusing a bad one with the
reason); ``batch`` grades many over worker processes; ``tables`` writes the CSV and the HTML
class overview; ``command`` is ``netbuilder grade``. The assignment format, goals and locks
are pure and live in graph/ (assignment.py, goals.py, locks.py); the window's classroom
panels are in ui/classroom/.
"""
