"""Resource limits for reading untrusted YAML.

A linter runs on whatever is in a repository, so every way YAML can make a reader blow up
is bounded here: alias expansion ("billion laughs"), nesting depth (the C composer recurses
and crashes the process past ~25,000 levels), file size, and the size of a YAML file to parse.
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
# A py> module is parsed with `ast` to find its functions and stores; the tree takes about 200 times the
# source in memory, so larger modules are not analysed (their stores and signatures count as unknown).
MAX_PYTHON_BYTES = 256 * 1024
MAX_NESTING = 1000
# Templates (`${...}`) whose JavaScript is parsed and resolved per analysis: each costs about a
# millisecond, and a real project has a few hundred (the largest digdag example has 60).
MAX_TEMPLATES = 10_000
MAX_EXPANDED_NODES = 500_000

# libyaml breaks lines at all five of these: indentation after a NEL or LS is indentation, although
# `^` (which knows only \n) would not see it.
_BREAKS = "\n\r\x85\u2028\u2029"
# Block indicators at the head of a line: `- `, `? ` and `: `. libyaml allows several on one line
# (`- - - x`, `? - ? x`), each opening at most one collection. Every `-`, `?` and `:` in the run of
# these characters and blanks is counted (an overestimate: `--- ` counts three), and runs are of one
# class, not a repeated group: sre keeps a backtracking entry per repetition of a group (200 MB for a
# line of a million `- `).
# Lines whose head may nest deeper than the bound every other line keeps (see _block_bound): indented
# by _QUICK_INDENT columns or more, or with _QUICK_INDICATORS indicators or more. Groups: the
# indentation, the run of indicators and blanks.
_QUICK_INDENT = 64
_QUICK_INDICATORS = 16
_DEEP_HEAD = (rf"(?=[ \t]{{{_QUICK_INDENT}}}|[ \t]*(?:[-?:][ \t]*){{{_QUICK_INDICATORS}}})"
              r"([ \t]*)((?:[-?:][-?: \t]*)?)")  # the run starts at an indicator: blanks go to one group
# Two patterns, not one with `(?:\A|[breaks])`: a pattern that starts with a character class is
# scanned for in C, several times faster. A leading BOM is no indentation.
_FIRST_DEEP_HEAD = re.compile(rf"\A\ufeff?{_DEEP_HEAD}")
_LATER_DEEP_HEADS = re.compile(rf"[{_BREAKS}]{_DEEP_HEAD}")
# A `[` or `{` that may open a flow collection. Right after a word character or `$` it never does: in
# block context it is part of a plain scalar (`${x}`, `a[0]`), in flow context a collection cannot
# follow a scalar, anchor or alias without a separator (the parser stops there with an error).
_OPENER = re.compile(r"(?<![\w$])[\[{]")


def nesting_offset(text: str, limit: int = MAX_NESTING) -> int | None:
    """Where nesting may exceed ``limit`` levels, or None when it certainly does not.

    An upper bound, counted from every construct that opens a level: indentation, block indicators
    on one line (`- - - x`, `? ? x`, `: - x`) and flow brackets. It has to be sound (ruamel's C
    composer recurses once per level and kills the process past ~25,000 levels), so it overestimates
    (brackets in quotes count): a caller that gets an offset counts exactly before refusing the file
    (``dig_lsp.syntax.loader``). Linear, and a few scans in C for ordinary files.
    """
    block, line = _block_bound(text)
    if block > limit:
        return line
    budget = limit - block  # flow levels that may still open
    if text.count("[") + text.count("{") - text.count("${") <= budget:
        return None
    for count, match in enumerate(_OPENER.finditer(text), 1):
        if count > budget:
            return match.start()
    return None


def _block_bound(text: str) -> tuple[int, int]:
    """An upper bound of block nesting anywhere in ``text``, and where the line that gives it starts.

    libyaml's indentation stack holds strictly increasing columns, each with at most one
    sequence at the same column (`key:` then `- item`), so a line indented by ``c`` columns
    sits in at most ``2 * (c + 1)`` block collections. Each indicator at its head opens one
    more, and a `key:` after them one more. (Flow collections are bounded by _OPENER.)
    """
    deepest, where = _line_bound(_QUICK_INDENT - 1, _QUICK_INDICATORS - 1), 0
    for match in _deep_line_heads(text):
        bound = _line_bound(len(match.group(1)), sum(map(match.group(2).count, "-?:")))
        if bound > deepest:
            deepest, where = bound, match.start(1)
    return deepest, where


def _deep_line_heads(text: str) -> Iterator[re.Match[str]]:
    first = _FIRST_DEEP_HEAD.match(text)
    if first is not None:
        yield first
    yield from _LATER_DEEP_HEADS.finditer(text)


def _line_bound(indent: int, indicators: int) -> int:
    """Block collections around the content of a line with this indentation and head."""
    return 2 * (indent + 1) + indicators + 1


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
