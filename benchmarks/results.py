"""Writing one benchmark's section of benchmarks/RESULTS.md, leaving the others alone.

Each script owns the section under its own ``## Heading``; running it with its write option
replaces that section (or appends it) and keeps every other section byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(heading: str, text: str, path: Path = RESULTS) -> None:
    """Replace the section starting with ``heading`` (a ``## ...`` line) by ``text``."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    body = text.rstrip("\n") + "\n\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _m: body, old)
    else:
        new = old.rstrip("\n") + "\n\n" + body
    path.write_text(new.rstrip("\n") + "\n", encoding="utf-8")
