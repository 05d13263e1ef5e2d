"""The top-level entries of a file that does not parse as a whole, each read alone.

Why: a YAML error in one task must not hide what the rest of the file says. A top-level key of a
block mapping starts at column 0 and nothing before it reaches past it, so each top-level entry
can be composed alone; those that parse are what the file says for sure (used to follow the
``call>`` edges of a broken workflow, so that the workflows it calls are still analysed as called,
in a context that cannot be known, rather than as if they ran alone).
"""

from __future__ import annotations

import re

from ruamel.yaml.error import YAMLError

from dig_lsp.syntax import loader
from dig_lsp.syntax.nodes import Entry, Mapping
from dig_lsp.syntax.problems import SyntaxProblem
from dig_lsp.text.limits import MAX_YAML_CHARS, nesting_offset, recursion_headroom
from dig_lsp.text.source import SourceFile

_ENTRY_START = re.compile(r"^[^\s#\-.%]", re.MULTILINE)  # a top-level key at column 0
_MAX_BLOCKS = 2_000  # blocks tried per file
_MAX_DEPTH = 6


def recovered_entries(source: SourceFile) -> tuple[Entry, ...]:
    """The entries of ``source`` that parse on their own, positioned in the file: every top-level entry
    that parses, and inside one that does not, the nested entries that do (a task that holds the
    mistake is skipped, its sibling tasks are kept)."""
    text = source.text
    if len(text) > MAX_YAML_CHARS or nesting_offset(text) is not None:
        return ()
    starts = [match.start() for match in _ENTRY_START.finditer(text)]
    if not starts:
        return ()
    found: list[Entry] = []
    budget = [_MAX_BLOCKS]
    _blocks(source, list(zip(starts, [*starts[1:], len(text)], strict=True)), 0, found, budget)
    return tuple(found)


def _blocks(source: SourceFile, blocks: list[tuple[int, int]], depth: int, found: list[Entry],
            budget: list[int]) -> None:
    for start, end in blocks:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        block = _entry_mapping(source, start, end)
        if block is not None:
            found.extend(block.entries)
        elif depth < _MAX_DEPTH:
            _blocks(source, _child_blocks(source.text, start, end), depth + 1, found, budget)


def _child_blocks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The nested key blocks of the block ``text[start:end]`` (the lines under its first line that are
    indented least and start a key), each from its line start to the next one."""
    first_break = text.find("\n", start, end)
    if first_break < 0:
        return []
    lines: list[tuple[int, int]] = []  # (offset of the line, its indentation) of key lines
    offset = first_break + 1
    while offset < end:
        line_end = text.find("\n", offset, end)
        line_end = end if line_end < 0 else line_end
        content = text[offset:line_end]
        stripped = content.lstrip(" ")
        if stripped and stripped[0] not in "#-\t\r":
            lines.append((offset, len(content) - len(stripped)))
        offset = line_end + 1
    if not lines:
        return []
    indent = min(width for _, width in lines)
    starts = [line for line, width in lines if width == indent]
    return list(zip(starts, [*starts[1:], end], strict=True))


def _entry_mapping(source: SourceFile, start: int, end: int) -> Mapping | None:
    piece = source.text[start:end]
    try:
        documents = list(loader._new_yaml().compose_all(piece))
    except (YAMLError, RecursionError, ValueError):
        return None
    if len(documents) != 1 or documents[0] is None:
        return None
    problems: list[SyntaxProblem] = []
    line = source.text.count("\n", 0, start)
    builder = loader._TreeBuilder(source, problems, (start, line, len(piece)))
    try:
        with recursion_headroom():
            block = builder.build(documents[0])
    except RecursionError:
        return None
    return block if isinstance(block, Mapping) else None
