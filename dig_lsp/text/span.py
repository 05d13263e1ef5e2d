"""Spans: where a piece of text is, in one file.

A span holds lines and code-point columns, not offsets: typing within a line leaves every later
line's positions as they were, so the language server keeps the nodes, tasks and findings after a
keystroke as they are instead of copying them all with moved offsets (on a 30,000-line workflow that
copying was most of a keystroke's cost). A reader that needs offsets asks the file's
:class:`~dig_lsp.text.source.SourceFile` (``offsets``, ``slice``). Lines and columns are kept 0-based
here and converted only at the edges (1-based for the CLI, UTF-16 for LSP), because every consumer
wants a different convention and converting twice is where off-by-one bugs live.
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
    """A half-open range ``[start, end)`` of one file, as lines and columns."""

    path: str
    start: Position
    end: Position
