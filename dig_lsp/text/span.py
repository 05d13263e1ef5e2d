"""Spans: where a piece of text is, in one file.

Offsets are code-point offsets into the decoded text. Lines and columns are kept 0-based
here and converted only at the edges (1-based for the CLI, UTF-16 for LSP), because every
consumer wants a different convention and converting twice is where off-by-one bugs live.
"""

from __future__ import annotations

from typing import NamedTuple

# Position and Span are NamedTuples rather than frozen dataclasses: the loader makes two
# spans per YAML node, and tuple construction is several times faster on large files.


class Position(NamedTuple):
    """A 0-based line and code-point column."""

    line: int
    column: int


class Span(NamedTuple):
    """A half-open range ``[start, end)`` of one file, with offsets and line/columns."""

    path: str
    start_offset: int
    end_offset: int
    start: Position
    end: Position
