"""The top-level entries of a file that does not parse as a whole, each read alone.

Why: a YAML error in one task must not hide what the rest of the file says. A top-level key of a
block mapping starts at column 0 and nothing before it reaches past it, so each top-level entry
can be composed alone; those that parse are what the file says for sure (used to follow the
``call>`` edges of a broken workflow, so that the workflows it calls are still analysed as called,
in a context that cannot be known, rather than as if they ran alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml.error import YAMLError

from dig_lsp.syntax import loader
from dig_lsp.syntax import problems as kinds
from dig_lsp.syntax.nodes import Entry, Mapping, Scalar
from dig_lsp.syntax.problems import SyntaxProblem
from dig_lsp.text.limits import MAX_YAML_CHARS, nesting_offset, recursion_headroom
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Span

# a top-level key at column 0 (YAML's white space is the space and the tab: a line that starts with a
# no-break space, U+00A0, starts at column 0 too)
_ENTRY_START = re.compile(r"^[^ \t\r\n#\-.%]", re.MULTILINE)
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


def _entry_mapping(source: SourceFile, start: int, end: int,
                   problems: list[SyntaxProblem] | None = None) -> Mapping | None:
    """The block ``source.text[start:end]`` composed alone, positioned in the file; what the tree builder
    finds in it (duplicate keys, alias limits...) is added to ``problems`` when the block is used."""
    piece = source.text[start:end]
    try:
        documents = loader.compose_documents(piece)
    except (YAMLError, RecursionError, ValueError):
        return None
    if len(documents) != 1 or documents[0] is None:
        return None
    found: list[SyntaxProblem] = []
    line = source.position(start).line  # a lone CR before it breaks a line too
    builder = loader._TreeBuilder(source, found, (start, line, len(piece)))
    try:
        with recursion_headroom():
            block = builder.build(documents[0])
    except RecursionError:
        return None
    if not isinstance(block, Mapping):
        return None
    if problems is not None:
        problems.extend(found)
    return block


# ------------------------------------------------------------------ a partial tree for a broken file

# Keys whose value is a task: a broken one is kept (its name is known, `_after` may list it), holding
# what of it parses; any other broken key is left out and its mapping marked as not fully known.
_TASK_KEYS = ("_error", "_check", "_do", "_else_do", "_export", "sla")


@dataclass(frozen=True)
class Recovery:
    """What a file that does not parse as a whole still says for sure.

    ``root``: the top-level mapping of the entries that parse, in file order; a task (or `_export`)
    whose block does not parse is kept with the entries of it that do, and every mapping that lost an
    entry is marked ``unresolved`` (what it holds is not fully known: nothing may be reported as missing
    from it). ``unparsed``: the blocks that were left out, where nothing but the YAML error is reported.
    """

    root: Mapping
    unparsed: tuple[Span, ...]
    problems: tuple[SyntaxProblem, ...]  # found in the blocks that were read (duplicate keys...)


def recovered_root(source: SourceFile) -> Recovery | None:
    """The partial tree of ``source`` (see :class:`Recovery`); None when nothing can be recovered."""
    text = source.text
    if len(text) > MAX_YAML_CHARS or nesting_offset(text) is not None:
        return None
    starts = [match.start() for match in _ENTRY_START.finditer(text)]
    if not starts:
        return None
    unparsed: list[Span] = []
    problems: list[SyntaxProblem] = []
    budget = [_MAX_BLOCKS]
    blocks = list(zip(starts, [*starts[1:], len(text)], strict=True))
    entries, complete = _recover(source, blocks, 0, _Found(unparsed, problems, budget))
    broken = _broken_blocks(blocks, [source.at(span.start) for span in unparsed])
    if not entries or broken > max(2, len(blocks) // 4):
        return None  # not a slip in one place: the file's structure is not what its lines suggest
    reason = None if complete else _REASON
    root = Mapping(tuple(entries), source.span(0, len(text)), None, reason)
    return Recovery(root, tuple(unparsed), tuple(problems))


def _broken_blocks(blocks: list[tuple[int, int]], unparsed: list[int]) -> int:
    """How many top-level blocks hold a part that was left out (``unparsed``: where each part starts)."""
    return sum(1 for start, end in blocks if any(start <= offset < end for offset in unparsed))


@dataclass(frozen=True)
class _Found:
    """What a recovery collects besides the entries: the blocks left out, the problems of those read,
    and how many more blocks may be tried."""

    unparsed: list[Span]
    problems: list[SyntaxProblem]
    budget: list[int]


_REASON = "a part of it is not valid YAML"


def _recover(source: SourceFile, blocks: list[tuple[int, int]], depth: int,
             found: _Found) -> tuple[list[Entry], bool]:
    """The entries of ``blocks`` that can be read, and whether all of them could."""
    entries: list[Entry] = []
    complete = True
    for start, end in blocks:
        found.budget[0] -= 1
        block = _entry_mapping(source, start, end, found.problems) if found.budget[0] >= 0 else None
        if block is not None:
            entries.extend(block.entries)
            continue
        kept, whole = _partial_entry(source, start, end, depth, found)
        complete = complete and whole
        if kept is not None:
            entries.append(kept)
    return entries, complete


def _partial_entry(source: SourceFile, start: int, end: int, depth: int,
                   found: _Found) -> tuple[Entry | None, bool]:
    """A block that does not parse: its key with what of its value parses, when it is a task whose
    value is a block mapping; an operator key (``sh>:``, ``_type:``) with its value unknown, so that the
    task is still known to run an operator; else nothing (the block is recorded as unparsed). The flag
    says whether the entry is whole (else the mapping holding it is not fully known)."""
    key = _block_key(source, start, end)
    content_end = _content_end(source.text, start, end)
    children = _child_blocks(source.text, start, end)
    is_task = key is not None and (key.key.startswith("+") or key.key in _TASK_KEYS)
    if key is None or not is_task or depth >= _MAX_DEPTH or _holds_items(source.text, start, end):
        found.unparsed.append(_unparsed(source, start, content_end))
        if key is not None and key.key.startswith("+"):  # the task exists; what it holds is unknown
            return Entry(key.key, key.key_span, Mapping((), source.span(start, content_end), None, _REASON)), True
        if key is not None and (key.key.endswith(">") or key.key == "_type"):
            # the task runs this operator; what it is given is unknown (and nothing is reported there)
            unknown = Scalar(None, "", "", source.span(source.at(key.key_span.end), content_end))
            return Entry(key.key, key.key_span, unknown), False
        return None, False
    line_end = source.text.find("\n", start, end)
    head_end = end if line_end < 0 else line_end
    if not children:
        found.unparsed.append(_unparsed(source, start, content_end))
    elif key.value_inline:  # `+a: {` then nested lines: the first line itself is broken
        found.unparsed.append(_unparsed(source, start, head_end))
    entries, _ = _recover(source, children, depth + 1, found)
    value_start = head_end + 1 if line_end >= 0 else head_end
    value = Mapping(tuple(entries), source.span(min(value_start, content_end), content_end), None, _REASON)
    return Entry(key.key, key.key_span, value), True


@dataclass(frozen=True)
class _Key:
    key: str
    key_span: Span
    value_inline: bool  # something follows the `:` on the key's line


def _block_key(source: SourceFile, start: int, end: int) -> _Key | None:
    """The key on the first line of a block, read alone (or up to its `:` when the line is broken)."""
    text = source.text
    line_end = text.find("\n", start, end)
    line_end = end if line_end < 0 else line_end
    line = text[start:line_end].rstrip("\r")
    head = _entry_mapping(source, start, line_end)
    inline = False
    if head is None:
        colon = line.find(": ")
        if colon <= 0:
            return None
        head = _entry_mapping_of(source, start, line[:colon + 1])
        inline = True
    elif head.entries and not (isinstance(value := head.entries[0].value, Scalar) and value.value is None):
        inline = True
    if head is None or len(head.entries) != 1:
        return None
    entry = head.entries[0]
    return _Key(entry.key, entry.key_span, inline)


def _entry_mapping_of(source: SourceFile, start: int, piece: str) -> Mapping | None:
    """``piece`` (text standing for the source from ``start``) composed alone, positioned in the file."""
    try:
        documents = loader.compose_documents(piece)
    except (YAMLError, RecursionError, ValueError):
        return None
    if len(documents) != 1 or documents[0] is None:
        return None
    builder = loader._TreeBuilder(source, [], (start, source.position(start).line, len(piece)))
    try:
        with recursion_headroom():
            block = builder.build(documents[0])
    except RecursionError:
        return None
    return block if isinstance(block, Mapping) else None


def _holds_items(text: str, start: int, end: int) -> bool:
    """Whether the block's nested lines include list items at their shallowest indentation (a list
    value: its entries cannot be read as keys)."""
    first_break = text.find("\n", start, end)
    if first_break < 0:
        return False
    indents: list[tuple[int, bool]] = []
    for line in text[first_break + 1:end].split("\n"):
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            indents.append((len(line) - len(stripped), stripped.startswith("-")))
    if not indents:
        return False
    least = min(width for width, _ in indents)
    return any(item for width, item in indents if width == least)


def _unparsed(source: SourceFile, start: int, end: int) -> Span:
    """A block left out, from its first written character (not its indentation) to its last."""
    text = source.text
    while start < end and text[start] in " \t":
        start += 1
    return source.span(start, max(start, end))


def _content_end(text: str, start: int, end: int) -> int:
    """The end of a block without the blank and comment lines that trail it."""
    stop = end
    while stop > start:
        line_start = text.rfind("\n", start, stop - 1) + 1
        line = text[line_start:stop].strip()
        if line and not line.startswith("#"):
            return line_start + len(text[line_start:stop].rstrip())
        stop = line_start
        if stop <= start:
            break
    return max(start, min(end, start + len(text[start:end].rstrip())))


def parse_tolerant(source: SourceFile) -> loader.ParsedFile:
    """:func:`loader.parse`, and for a file that is not valid YAML, the tree of what of it parses.

    Why: while a key is half typed, the file is not YAML; reporting only the YAML error blanked every
    other diagnostic and left completion nothing to work with. The YAML error stays the file's first
    problem; ``unparsed`` says where nothing else may be reported.
    """
    parsed = loader.parse(source)
    if parsed.root is not None or not any(p.kind == kinds.YAML_SYNTAX for p in parsed.problems):
        return parsed
    if loader.no_break_space(source.text, len(source.text)) is not None:
        return parsed  # no-break spaces for indentation: the blocks cannot be told apart (the error says so)
    recovery = recovered_root(source)
    if recovery is None:
        return parsed
    return loader.ParsedFile(source, recovery.root, (*parsed.problems, *recovery.problems),
                             unparsed=recovery.unparsed)
