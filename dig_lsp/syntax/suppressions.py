"""Inline suppression comments, lexed as YAML comments (never inside quoted or block text).

* ``value  # dig-lint: disable=DL202,DL203`` silences those codes on that line;
* ``# dig-lint: disable=DL202`` alone on a line silences them on the next line;
* ``# dig-lint: disable-file=DL202`` (or ``disable-file`` alone) silences the whole file.
``disable`` without codes silences every code at that place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dig_lsp.syntax.nodes import Mapping, Node, Scalar, Sequence
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Position, Span

_DIRECTIVE = re.compile(r"dig-lint\s*:\s*(?P<verb>disable-file|disable)\b\s*(?:=\s*(?P<codes>[^#]*))?")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One suppression comment: which codes (empty = all) and which line (None = the file).

    ``removal`` is what to delete to take the comment away (with the spaces before it, or its whole
    line when it stands alone; a comment after it stays), ``code_removals`` what to delete to take one
    code out of its list (with one comma): the edits of the unused-suppression fix.
    """

    codes: tuple[str, ...]
    line: int | None
    span: Span
    removal: Span | None = None
    code_removals: tuple[Span, ...] = ()


def _literal_ranges(source: SourceFile, root: Node | None) -> tuple[list[int], list[int]]:
    """Start/end offsets of quoted and block scalars, where '#' is text, not a comment."""
    starts: list[int] = []
    ends: list[int] = []
    stack = [root] if root is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Scalar):
            if node.style:
                start, end = source.offsets(node.span)
                starts.append(start)
                ends.append(end)
        elif isinstance(node, Sequence):
            stack.extend(node.items)
        elif isinstance(node, Mapping):
            stack.extend(entry.value for entry in node.entries)
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[i] for i in order], [ends[i] for i in order]


def _comments(source: SourceFile, root: Node | None) -> Iterator[tuple[int, int]]:
    """(offset of '#', line) for every comment in the file."""
    starts, ends = _literal_ranges(source, root)
    text = source.text
    index = text.find("#")
    while index >= 0:
        before = text[index - 1] if index > 0 else "\n"
        if before in " \t\n\r":
            slot = bisect.bisect_right(starts, index) - 1
            if slot < 0 or not (starts[slot] <= index < ends[slot]):
                yield index, source.position(index).line
                newline = text.find("\n", index)
                if newline < 0:
                    return
                index = text.find("#", newline)
                continue
        index = text.find("#", index + 1)


def parse_suppressions(source: SourceFile, root: Node | None) -> list[Suppression]:
    """Every suppression comment of a file (cheap when the file has none)."""
    if "dig-lint" not in source.text:
        return []
    found = []
    for offset, line in _comments(source, root):
        end = source.line_end(line)
        match = _DIRECTIVE.search(source.text, offset, end)
        if match is None or source.text[offset + 1 : match.start()].strip():
            continue
        codes = tuple(c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip())
        span = source.span(offset, end)
        line_start = source.offset(Position(line, 0))
        alone = not source.text[line_start:offset].strip()
        removal, code_removals = _removals(source, match, offset, line, alone)
        target = None if match.group("verb") == "disable-file" else (line + 1 if alone else line)
        found.append(Suppression(codes, target, span, removal, code_removals))
    return found


def _removals(source: SourceFile, match: re.Match[str], offset: int, line: int,
              alone: bool) -> tuple[Span, tuple[Span, ...]]:
    """The spans that delete the whole comment, and each of its codes (see :class:`Suppression`)."""
    text = source.text
    line_start, line_end = source.offset(Position(line, 0)), source.line_end(line)
    following = text.find("#", match.end(), line_end)
    if following >= 0:  # another comment follows on the line: it stays where it is
        removal = source.span(offset, following)
    elif alone:  # the whole line, with its line break
        next_line = source.offset(Position(line + 1, 0)) if line + 1 < source.line_count else len(text)
        removal = source.span(line_start, max(next_line, line_end))
    else:
        before = offset
        while before > line_start and text[before - 1] in " \t":
            before -= 1
        removal = source.span(before, line_end)
    parts: list[tuple[int, int]] = []
    if match.group("codes") is not None:
        base = match.start("codes")
        for part in re.finditer(r"[^,]+", match.group("codes")):
            stripped = part.group().strip()
            if stripped:
                start = base + part.start() + part.group().index(stripped)
                parts.append((start, start + len(stripped)))
    if len(parts) < 2:
        return removal, tuple(removal for _ in parts)
    spans = [source.span(start, parts[index + 1][0]) for index, (start, _) in enumerate(parts[:-1])]
    spans.append(source.span(parts[-2][1], parts[-1][1]))
    return removal, tuple(spans)

