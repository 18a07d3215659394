"""Reading JSON the way netbuilder's files need it: a key twice in one object is an error.

``read_file`` and ``parse`` turn every way a file can fail (missing, a folder, too big, not
UTF-8, not JSON, nested too deeply) into one sentence naming the file, for every kind of
netbuilder file (projects, assignments, search spaces); ``kind`` and ``show`` say what was
found where something else was expected.

Python's ``json`` keeps the last of duplicated keys silently, so a project file edited by
hand could say ``"kernel_size": 3`` and ``"kernel_size": 5`` and mean either. ``loads``
refuses that with the key and the line. Parsing takes the fast C path; only when a
duplicate is found is the text parsed again, with the pure-Python scanner, to say where.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
from pathlib import Path
from typing import Any

MAX_BYTES = 64 * 1024 * 1024      # no netbuilder file is larger; a bigger one is refused


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


def _a(what: str) -> str:
    return ("an " if what[:1] in "aeiou" else "a ") + what


def read_file(path: str | Path, what: str, error: type[Exception]) -> str:
    """The text of ``path`` (a ``what``: "project file"); ``error`` names what is wrong."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise error(f"{p}: the file is {size // 2**20} MB; {_a(what)} is at most "
                        f"{MAX_BYTES // 2**20} MB")
        data = p.read_bytes()
    except FileNotFoundError:
        raise error(f"{p}: no such file") from None
    except IsADirectoryError:
        raise error(f"{p}: is a folder, not {_a(what)}") from None
    except OSError as e:
        raise error(f"{p}: cannot be read ({e.strerror or e})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"{p}: not a text file (byte {e.start} is not UTF-8); {_a(what)} is "
                    "JSON text") from None


def parse(text: str, what: str, error: type[Exception]) -> Any:
    """``loads`` for a ``what``, every failure one sentence of ``error``."""
    try:
        return loads(text)
    except DuplicateKeyError as e:
        raise error(f"not a valid {what}: {e}") from None
    except json.JSONDecodeError as e:
        raise error(f"not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    except RecursionError:
        raise error(f"not {_a(what)}: the JSON is nested too deeply") from None
    except ValueError as e:  # a number beyond Python's int-string limit (4300 digits)
        raise error(f"not {_a(what)}: a number in it has too many digits ({e})") from None


def kind(v: Any) -> str:
    """What a JSON value is, in words: "a list", "true/false"."""
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            int: "a number", float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def show(v: Any) -> str:
    """A JSON value as it would read in the file, cut to 60 characters."""
    try:
        text = json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."
