"""Reading JSON the way netbuilder's files need it: a key twice in one object is an error.

Python's ``json`` keeps the last of duplicated keys silently, so a project file edited by
hand could say ``"kernel_size": 3`` and ``"kernel_size": 5`` and mean either. ``loads``
refuses that with the key and the line. Parsing takes the fast C path; only when a
duplicate is found is the text parsed again, with the pure-Python scanner, to say where.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from typing import Any


class DuplicateKeyError(ValueError):
    def __init__(self, key: str, line: int | None = None, object_line: int | None = None) -> None:
        where = f" at line {line}" if line is not None else ""
        opened = (f" (in the object that opens at line {object_line})"
                  if object_line is not None and object_line != line else "")
        super().__init__(f"the key {key!r} appears twice in one object{where}{opened}; "
                         "keep one of them")
        self.key, self.line = key, line


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def loads(text: str) -> Any:
    """``json.loads`` that raises DuplicateKeyError (a ValueError) for a repeated key."""
    try:
        return json.loads(text, object_pairs_hook=_pairs)
    except _Duplicate as d:
        raise _locate(text, d.key) from None


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _locate(text: str, key: str) -> DuplicateKeyError:
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None):
        s, start = s_and_end
        pairs, end = json.decoder.JSONObject(s_and_end, strict, scan_once, None, list, memo)
        keys = [k for k, _ in pairs]
        dup = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
        if dup is not None:
            quoted = json.dumps(dup)
            first = s.find(quoted, start, end)
            second = s.find(quoted, first + 1, end) if first >= 0 else -1
            raise DuplicateKeyError(dup, _line(s, second) if second >= 0 else None,
                                    _line(s, start))
        return dict(pairs), end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        decoder.decode(text)
    except DuplicateKeyError as e:
        return e
    except (ValueError, RecursionError):
        pass
    return DuplicateKeyError(key)
