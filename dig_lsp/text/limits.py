"""Resource limits for reading untrusted YAML.

A linter runs on whatever is in a repository, so every way YAML can make a reader blow up
is bounded here: alias expansion ("billion laughs"), nesting depth (the C composer recurses
and crashes the process past ~50,000 levels), file size, and the size of a YAML file to parse.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

MAX_FILE_BYTES = 64 * 1024 * 1024
# YAML files are parsed into a tree with positions, which costs about 50 times their size in memory
# and 4 seconds per megabyte on a 2-core CI machine. 2 MiB holds some 20,000 tasks, twenty times
# what digdag runs in one attempt (`executor.task_max_run`, 1,000 tasks); larger files are not parsed.
MAX_YAML_CHARS = 2 * 1024 * 1024
MAX_NESTING = 1000
# Templates (`${...}`) whose JavaScript is parsed and resolved per analysis: each costs about a
# millisecond, and a real project has a few hundred (the largest digdag example has 60).
MAX_TEMPLATES = 10_000
MAX_EXPANDED_NODES = 500_000

_LEADING_SPACES = re.compile(rf"^[ \t]{{{MAX_NESTING},}}", re.MULTILINE)
_BRACKETS = re.compile(r"[\[\]{}]")


def nesting_offset(text: str) -> int | None:
    """Offset where nesting plausibly exceeds MAX_NESTING, else None.

    Block nesting needs at least one column of indentation per level, so an indent past
    the limit marks the place. Flow nesting is counted by brackets; quoted brackets make
    this an overestimate, which only matters for files no human writes.
    """
    match = _LEADING_SPACES.search(text)
    if match:
        return match.start()
    if text.count("[") + text.count("{") < MAX_NESTING:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text):  # only the brackets: `${...}` makes many files pass the count
        if match.group() in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return match.start()
        else:
            depth = max(0, depth - 1)
    return None


# Building and walking a tree takes a few Python frames per nesting level; the default limit
# (1,000 frames) failed at ~450 levels, well under MAX_NESTING.
_FRAMES_NEEDED = 6 * MAX_NESTING + 1000


@contextmanager
def recursion_headroom() -> Iterator[None]:
    """Raise the interpreter's recursion limit so trees up to MAX_NESTING can be built and walked."""
    previous = sys.getrecursionlimit()
    if previous >= _FRAMES_NEEDED:
        yield
        return
    sys.setrecursionlimit(_FRAMES_NEEDED)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
