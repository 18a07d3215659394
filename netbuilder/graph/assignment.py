"""Assignment files: an exercise handed out with its starting network, locks and goals.

An assignment file is JSON (docs/file-format.md, "Assignment files")::

    {"format": "netbuilder-assignment", "version": 1,
     "title": "...", "instructions": "Markdown text",
     "project": {...a whole project file's object...},
     "locks": {...}, "goals": [...],
     "hidden": {"seed": 7, "goals": [...]},       optional, for the grader only
     "fingerprint": "0123abcd..."}                written for readers; recomputed on reading

Reading is strict: every key and type is checked, and a bad file raises
``AssignmentFileError`` naming the place (``goals[2].limit: expected a whole number ...``).
Nothing in a file is evaluated. Writing goes through graph/atomic.py.

The *fingerprint* identifies what a submission is graded against: the starting network
(its weights-deciding part, graph/project.py ``fingerprint``), the locks and the public
goals. Title, instructions and the hidden part do not count, so an instructor may fix a typo
or change the hidden seed without orphaning the submissions already made.

A *submission* is a project file with an ``assignment`` key:
``{"fingerprint": <the assignment's>, "student": <the student's name>}``.

API (stable; the window builds on it):

* ``Assignment(title, instructions, project, locks, goals, hidden)``;
  ``.fingerprint``, ``.all_goals(hidden=True)`` (public goals, then the hidden ones),
  ``.for_students()`` (a copy without the hidden part), ``.graded_seed`` (hidden seed
  or None). ``Hidden(seed=None, goals=[])``.
* ``load_assignment(path)``, ``loads_assignment(text)``, ``assignment_from_dict(data)``;
  ``assignment_to_dict(a, *, hidden=True)``, ``dumps_assignment(a, *, hidden=True)``,
  ``save_assignment(a, path, *, hidden=True)``.
* ``starting_project(a) -> Project`` (a fresh copy for a student to start from).
* ``Submission(fingerprint, student)``; ``submission_of(project) -> Submission | None``;
  ``make_submission(project, a, student) -> Project`` (a copy carrying the link).
* ``AssignmentFileError`` (graph/errors.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import atomic, jsonfile
from .errors import AssignmentFileError, ProjectFileError
from .goals import Goal, goal_to_dict, goals_from_list
from .locks import Locks, locks_from_dict, locks_to_dict
from .project import Project, dumps_project, fingerprint, project_from_dict, project_to_dict

FORMAT = "netbuilder-assignment"
VERSION = 1
MAX_BYTES = jsonfile.MAX_BYTES
_kind, _show = jsonfile.kind, jsonfile.show
MAX_TITLE = 200
MAX_INSTRUCTIONS = 1_000_000
MAX_NAME = 200

_TOP = {"format", "version", "title", "instructions", "project", "locks", "goals", "hidden",
        "fingerprint"}
_HIDDEN = {"seed", "goals"}


@dataclass(frozen=True)
class Hidden:
    """What only the grader uses: another seed for training goals, goals the student is not
    shown."""

    seed: int | None = None
    goals: list[Goal] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.seed is None and not self.goals


@dataclass
class Assignment:
    title: str
    instructions: str
    project: Project
    locks: Locks = field(default_factory=Locks)
    goals: list[Goal] = field(default_factory=list)
    hidden: Hidden = field(default_factory=Hidden)

    @property
    def fingerprint(self) -> str:
        canon = {"network": fingerprint(self.project.graph),
                 "locks": locks_to_dict(self.locks),
                 "goals": [goal_to_dict(g) for g in self.goals]}
        text = json.dumps(canon, sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def graded_seed(self) -> int | None:
        return self.hidden.seed

    def all_goals(self, hidden: bool = True) -> list[Goal]:
        return list(self.goals) + (list(self.hidden.goals) if hidden else [])

    def for_students(self) -> Assignment:
        return dataclasses.replace(self, hidden=Hidden())


@dataclass(frozen=True)
class Submission:
    fingerprint: str
    student: str


# -- reading ---------------------------------------------------------------------------

def load_assignment(path: str | Path) -> Assignment:
    """Read an assignment file; AssignmentFileError names the file and the place."""
    text = jsonfile.read_file(path, "assignment file", AssignmentFileError)
    try:
        return loads_assignment(text)
    except AssignmentFileError as e:
        raise AssignmentFileError(f"{Path(path)}: {e}") from None


def loads_assignment(text: str) -> Assignment:
    return assignment_from_dict(jsonfile.parse(text, "assignment file", AssignmentFileError))


def assignment_from_dict(data: Any) -> Assignment:
    if not isinstance(data, dict):
        raise AssignmentFileError(f"expected a JSON object at the top, received {_kind(data)}")
    fmt = data.get("format")
    if fmt != FORMAT:
        hint = (" (this is a project file; an assignment holds one under \"project\")"
                if fmt == "netbuilder" else " (is this a netbuilder assignment file?)")
        raise AssignmentFileError(f'"format": expected "{FORMAT}", received {_show(fmt)}{hint}')
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise AssignmentFileError(f'"version": expected a whole number, received {_show(version)}')
    if version > VERSION:
        raise AssignmentFileError(f"the file is assignment format version {version}, newer than "
                                  f"this netbuilder reads (version {VERSION}): update netbuilder")
    if version < 1:
        raise AssignmentFileError(f'"version": expected 1, received {version}')
    for k in data:
        if k not in _TOP:
            raise AssignmentFileError(f"unknown key {k!r} (known keys: {', '.join(sorted(_TOP))})")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise AssignmentFileError(f'"title": expected a non-empty string, received {_show(title)}')
    if len(title) > MAX_TITLE:
        raise AssignmentFileError(f'"title": at most {MAX_TITLE} characters, received {len(title)}')
    instructions = data.get("instructions", "")
    if not isinstance(instructions, str):
        raise AssignmentFileError(f'"instructions": expected Markdown text (a string), received '
                                  f"{_kind(instructions)}")
    if len(instructions) > MAX_INSTRUCTIONS:
        raise AssignmentFileError(f'"instructions": at most {MAX_INSTRUCTIONS:,} characters, '
                                  f"received {len(instructions):,}")
    if "project" not in data:
        raise AssignmentFileError('"project": missing; an assignment holds its starting network '
                                  "as a project file's object")
    try:
        project = project_from_dict(data["project"])
    except ProjectFileError as e:
        raise AssignmentFileError(f'"project": {e}') from None
    if project.assignment is not None:
        raise AssignmentFileError('"project": the starting network is a submission (it has an '
                                  '"assignment" key); remove that key')
    graph = project.graph
    locks = locks_from_dict(data.get("locks"), graph)
    goals = goals_from_list(data.get("goals", []), '"goals"', graph)
    hidden = _hidden_from(data.get("hidden"), graph)
    stored = data.get("fingerprint")
    if stored is not None and (not isinstance(stored, str) or len(stored) > 64):
        raise AssignmentFileError(f'"fingerprint": expected a string, received {_show(stored)}')
    return Assignment(title, instructions, project, locks, goals, hidden)


def _hidden_from(raw: Any, graph: Any) -> Hidden:
    if raw is None:
        return Hidden()
    if not isinstance(raw, dict):
        raise AssignmentFileError(f'"hidden": expected an object, received {_kind(raw)}')
    for k in raw:
        if k not in _HIDDEN:
            raise AssignmentFileError(f'"hidden": unknown key {k!r} (known keys: '
                                      f"{', '.join(sorted(_HIDDEN))})")
    seed = raw.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                             or not 0 <= seed < 2**32):
        raise AssignmentFileError(f'"hidden".seed: expected a whole number from 0 to '
                                  f"4,294,967,295, received {_show(seed)}")
    goals = goals_from_list(raw.get("goals", []), '"hidden".goals', graph)
    return Hidden(seed, goals)


# -- writing ---------------------------------------------------------------------------

def assignment_to_dict(a: Assignment, *, hidden: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "title": a.title,
                           "instructions": a.instructions,
                           "project": project_to_dict(a.project)}
    locks = locks_to_dict(a.locks)
    if locks:
        out["locks"] = locks
    out["goals"] = [goal_to_dict(g) for g in a.goals]
    if hidden and not a.hidden.is_empty:
        h: dict[str, Any] = {}
        if a.hidden.seed is not None:
            h["seed"] = a.hidden.seed
        if a.hidden.goals:
            h["goals"] = [goal_to_dict(g) for g in a.hidden.goals]
        out["hidden"] = h
    out["fingerprint"] = a.fingerprint
    return out


def dumps_assignment(a: Assignment, *, hidden: bool = True) -> str:
    """Deterministic JSON text; the starting project keeps one node or edge per line."""
    d = assignment_to_dict(a, hidden=hidden)
    project_text = dumps_project(a.project).rstrip("\n").replace("\n", "\n  ")
    lines = ["{"]
    items = list(d.items())
    for i, (k, v) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        body = project_text if k == "project" else \
            json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        lines.append(f"  {json.dumps(k)}: {body}{comma}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:    # a lone surrogate read from a file: escape everything
        text = json.dumps(d, indent=2, ensure_ascii=True) + "\n"
    return text


def save_assignment(a: Assignment, path: str | Path, *, hidden: bool = True) -> None:
    """Write atomically; ``hidden=False`` writes the copy to hand out to students."""
    atomic.write_text(path, dumps_assignment(a, hidden=hidden))


# -- for students ----------------------------------------------------------------------

def starting_project(a: Assignment) -> Project:
    """A fresh copy of the starting project (nothing shared with the assignment)."""
    return project_from_dict(json.loads(json.dumps(project_to_dict(a.project))))


def submission_of(project: Project) -> Submission | None:
    """The assignment link a project file carries, or None for an ordinary project."""
    link = project.assignment
    if link is None:
        return None
    return Submission(link["fingerprint"], link["student"])


def make_submission(project: Project, a: Assignment, student: str) -> Project:
    """A copy of ``project`` that records the assignment's fingerprint and the student."""
    name = " ".join(student.split())
    if not name:
        raise AssignmentFileError("a submission needs the student's name")
    if len(name) > MAX_NAME:
        raise AssignmentFileError(f"the student's name is {len(name)} characters; at most "
                                  f"{MAX_NAME}")
    return dataclasses.replace(project, assignment={"fingerprint": a.fingerprint,
                                                    "student": name})

