"""Re-parsing an edited file by re-reading only the top-level entry the edit falls in.

Why: in an editor most edits are keystrokes inside one task, and a large workflow file took most
of its re-analysis time just to be parsed again. A top-level key of a block mapping starts at
column 0, and nothing before it can reach past it, so when an edit lies inside one top-level
entry (not touching the first character of its key, nor the line break before the next key),
that entry's new text can be parsed alone and put in the place of the old entry; the entries
after it keep their trees, moved by the lines the edit added or removed. Spans are lines and columns
(:mod:`dig_lsp.text.span`), so an edit within a line (typing) leaves those trees as they are: the very
same objects, which the layers above recognise and take over without working anything out again.

It is used only where this is exactly what a full parse gives (``ParsedFile.spliceable``: no
problems, anchors, aliases, merge keys or exotic line breaks; plain top-level keys at column 0), and only
when the re-read entry is itself clean; in every other case :func:`reparse` answers None and the
caller parses the whole file. ``tests/test_splice.py`` compares it with full parses over random
edits of real workflows.
"""

from __future__ import annotations

import bisect
import enum
import re
import weakref
from dataclasses import dataclass

from ruamel.yaml.error import YAMLError

from dig_lsp.syntax import loader
from dig_lsp.syntax.nodes import Entry, Mapping, Node, Scalar, Sequence
from dig_lsp.syntax.problems import SyntaxProblem
from dig_lsp.text.limits import MAX_YAML_CHARS, nesting_offset, recursion_headroom
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Position, Span

_DOCUMENT_MARKERS = re.compile(r"^(---|\.\.\.|%)", re.MULTILINE)


class Region(enum.Enum):
    """Where a span of the edited file lies relative to the re-read entry."""

    BEFORE = "before"  # ends before the entry starts: unchanged
    INSIDE = "inside"  # within the entry (or its trailing blank lines and comments)
    AFTER = "after"  # starts after the entry: moved by the edit
    ACROSS = "across"  # reaches into the entry from outside: cannot be carried over


@dataclass(frozen=True)
class EntryEdit:
    """How a spliced parse relates to the parse it was made from: top-level entry ``index`` was
    re-read; it spans ``[start, old_end)`` of the old text and ``[start, new_end)`` of the new one, and
    everything after it moved by ``line_delta`` lines (columns unchanged: the next entry starts a line;
    after the last entry there is only the end of the text)."""

    previous: weakref.ref[loader.ParsedFile]
    index: int
    start: Position
    old_end: Position
    new_end: Position

    @property
    def line_delta(self) -> int:
        """How many lines the edit added (negative: removed)."""
        return self.new_end.line - self.old_end.line

    def region(self, span: Span, old: bool = True) -> Region:
        """Where ``span`` (of the edited file; of its old text unless ``old`` is False) lies."""
        end = self.old_end if old else self.new_end
        if span.end <= self.start and span.start < self.start:
            return Region.BEFORE
        if span.start >= end and span.start > self.start:
            return Region.AFTER
        if span.start >= self.start and span.end <= end:
            return Region.INSIDE
        return Region.ACROSS

    def moved(self, span: Span) -> Span:
        """``span`` of the old text as it lies in the new one (unchanged before the entry, and after it when
        the edit added or removed no line)."""
        if span.start < self.old_end or self.new_end == self.old_end:
            return span
        return Span(span.path, self._moved(span.start), self._moved(span.end))

    def _moved(self, position: Position) -> Position:
        old, new = self.old_end, self.new_end
        column = position.column + new.column - old.column if position.line == old.line else position.column
        return _new_tuple(Position, (position.line + new.line - old.line, column))


def _common_prefix(old: str, new: str) -> int:
    """Length of the common prefix (binary search over slices: the comparisons run in C)."""
    low, high = 0, min(len(old), len(new))
    while low < high:
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(old: str, new: str, limit: int) -> int:
    """Length of the common suffix, at most ``limit``."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if old[len(old) - middle:] == new[len(new) - middle:]:
            low = middle
        else:
            high = middle - 1
    return low


def reparse(previous: loader.ParsedFile, source: SourceFile) -> loader.ParsedFile | None:
    """The parse of ``source`` made from ``previous`` (the same file before an edit), or None when
    the edit is not confined to one top-level entry of a spliceable file."""
    root = previous.root
    if not previous.spliceable or not isinstance(root, Mapping) or not root.entries or source.problems:
        return None
    old, new = previous.source.text, source.text
    if len(new) > MAX_YAML_CHARS:
        return None
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, min(len(old), len(new)) - prefix)
    old_end = len(old) - suffix  # the edit replaced old[prefix:old_end]
    old_source = previous.source
    entries = root.entries
    # the last entry starting before the edit (positions sort as offsets do: no offset list of every entry)
    index = bisect.bisect_left(entries, old_source.position(prefix), key=_key_start) - 1
    if index < 0:
        return None
    last = index == len(entries) - 1
    block_start = old_source.at(entries[index].key_span.start)
    block_end = len(old) if last else old_source.at(entries[index + 1].key_span.start)
    inserted_lines = old_end == prefix == block_end and new[prefix:len(new) - suffix].endswith("\n")
    if old_end > (block_end if last else block_end - 1) and not inserted_lines:
        # reaches the line break before the next key (or beyond); whole lines inserted just before
        # the next key (what typing Enter at the end of an entry sends) belong to the entry above
        return None
    delta = len(new) - len(old)
    new_block_end = block_end + delta
    read = _parse_block(source, block_start, new_block_end, entries[index].key_span.start.line)
    if read is None:
        return None
    block, includes = read
    line_delta = new.count("\n", prefix, len(new) - suffix) - old.count("\n", prefix, old_end)
    after = entries[index + 1:]
    if line_delta:  # else the entries after the edit lie where they lay: kept as they are
        after = tuple([_shift_entry(entry, line_delta) for entry in after])
    combined = (*entries[:index], *block.entries, *after)
    if len({entry.key for entry in combined}) != len(combined):
        return None  # a duplicate top-level key: the full parse reports it
    if last:  # the top-level mapping ends where the re-read entry's mapping ends (same text to the end)
        span = Span(root.span.path, root.span.start, block.span.end)
    else:
        span = _shift_span(root.span, line_delta, start=False)
    edit = EntryEdit(weakref.ref(previous), index, old_source.position(block_start), old_source.position(block_end),
                     source.position(new_block_end))
    return loader.ParsedFile(source, Mapping(combined, span, root.tag), (), True, edit,
                             previous.includes or includes)


def _key_start(entry: Entry) -> Position:
    return entry.key_span.start


def _parse_block(source: SourceFile, start: int, end: int, line: int) -> tuple[Mapping, bool] | None:
    """The mapping ``source.text[start:end]`` holds, read alone, positioned in the file, and whether it
    holds an ``!include``; None unless clean."""
    text = source.text[start:end]  # the rest of the file is as clean as before the edit: only this is scanned
    if _DOCUMENT_MARKERS.search(text) or nesting_offset(text) is not None:
        return None  # `---`, `...` or a directive would split or end the document; too deep for a full parse
    try:
        documents = loader.compose_documents(text)
    except (YAMLError, RecursionError, ValueError):
        return None
    if len(documents) != 1 or documents[0] is None:
        return None
    problems: list[SyntaxProblem] = []
    builder = loader._TreeBuilder(source, problems, (start, line, len(text)))
    try:
        with recursion_headroom():
            block = builder.build(documents[0])
    except RecursionError:
        return None
    if problems or builder.aliases or builder.merges or not isinstance(block, Mapping) or not block.entries:
        return None
    if not builder.spliceable(block):
        return None
    return block, builder.includes > 0


# Moving the entries after the re-read one (when the edit added or removed lines) is most of a splice's
# work on a large file (every node after the edit is made again), so the copies are made with as little
# Python as it takes: the tuples of spans and positions are built directly (NamedTuple's own constructor
# is a Python function).
_new_tuple = tuple.__new__


def _shift_span(span: Span, lines: int, start: bool = True) -> Span:
    """A span moved by ``lines`` lines (columns stay: it lies on lines after the edit).

    ``start=False`` keeps the start where it is (a span that begins before the edit)."""
    path, first, last = span
    if start:
        first = _new_tuple(Position, (first[0] + lines, first[1]))
    return _new_tuple(Span, (path, first, _new_tuple(Position, (last[0] + lines, last[1]))))


def _shift_entry(entry: Entry, lines: int) -> Entry:
    return Entry(entry.key, _shift_span(entry.key_span, lines), _shift(entry.value, lines), entry.key_tag)


def _shift(node: Node, lines: int) -> Node:
    if isinstance(node, Scalar):
        return Scalar(node.value, node.raw, node.style, _shift_span(node.span, lines), node.tag)
    if isinstance(node, Mapping):
        return Mapping(tuple([_shift_entry(entry, lines) for entry in node.entries]), _shift_span(node.span, lines),
                       node.tag)
    return Sequence(tuple([_shift(item, lines) for item in node.items]), _shift_span(node.span, lines), node.tag)
