"""Where the cursor is, read from the text around it.

While the user types, the document is often not valid YAML, so the context comes from indentation and
the text before the cursor on its line, never from the parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dig_lsp.text.source import SourceFile

# Anchored, and a plain key ends with a character that is no space: `\s*` before the colon then has one
# way to match (a lazy `[^#]*?` that could end in spaces made a long line without a key quadratic).
_KEY = re.compile(r"""\A(?P<key>"[^"]*"|'[^']*'|[^\s#'"\[\]{},](?:[^#]*?[^\s#])??)\s*:(?=\s|$)""")


_BLOCK_INDICATOR = re.compile(r"[|>][0-9+-]*\s*(#.*)?")


_WORD_CHAR = re.compile(r"[\w>+.\-]")


@dataclass(frozen=True)
class _Line:
    indent: int
    item: bool  # starts with "- "
    content: int  # column where the key (or item text) starts
    key: str | None
    key_end: int  # column after the ':' (when key is set)
    value: str  # text after the ':' (stripped), or the item text


def _strip_comment(text: str) -> str:
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and (index == 0 or text[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index]
    return text


def _parse_line(text: str) -> _Line:
    stripped = text.lstrip(" ")
    indent = len(text) - len(stripped)
    content, item = indent, False
    if stripped == "-" or stripped.startswith("- "):
        item = True
        rest = stripped[1:]
        content = indent + 1 + (len(rest) - len(rest.lstrip(" ")))
    body = _strip_comment(text[content:])
    match = _KEY.match(body)
    if match is None:
        return _Line(indent, item, content, None, 0, body.strip())
    key = match.group("key")
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
        key = key[1:-1]
    return _Line(indent, item, content, key, content + match.end(), body[match.end():].strip())


@dataclass(frozen=True)
class Context:
    """Where the cursor is, read from the text.

    ``path`` holds the keys of the enclosing mappings, outermost first. In a value,
    ``key`` is the key the value belongs to (``value_start`` its first column's offset).
    """

    path: tuple[str, ...]
    column: int  # the indentation of the mapping the cursor's key belongs to
    in_value: bool
    key: str | None
    prefix: str  # the line's text before the cursor
    word_start: int  # offset where the partial word at the cursor begins
    key_end: int  # offset where the current key ends (the line's ':' after the cursor, or the cursor)
    has_colon: bool  # the key under the cursor is already followed by ':'
    value_start: int
    block: bool  # the value is a block scalar (`|`/`>`) or a sequence item on its own line
    line_start: int = 0  # offset of the cursor line's first character
    siblings: frozenset[str] = field(default=frozenset())
    line_key: str | None = None  # the key being edited (key position), which is not "already present"

    @property
    def offset(self) -> int:
        """The cursor."""
        return self.line_start + len(self.prefix)

    @property
    def typed(self) -> str:
        """The value text between its start and the cursor (in a value)."""
        return self.prefix[max(0, self.value_start - self.line_start):]


def _is_blank(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def _parents(source: SourceFile, line: int, column: int) -> tuple[list[tuple[str, int]], tuple[str, int] | None]:
    """Keys of the enclosing mappings (innermost first, with their line), and the block-scalar owner."""
    found: list[tuple[str, int]] = []
    block: tuple[str, int] | None = None
    limit = column
    for number in range(line - 1, -1, -1):
        text = source.line_text(number)
        if _is_blank(text):
            continue
        parsed = _parse_line(text)
        if parsed.content >= limit and not (parsed.item and parsed.indent < limit):
            continue
        if parsed.key is None:
            limit = min(limit, parsed.indent)
        elif parsed.value and not _BLOCK_INDICATOR.fullmatch(parsed.value):
            limit = parsed.indent  # `key: value` cannot hold the cursor's mapping
            continue
        else:
            if _BLOCK_INDICATOR.fullmatch(parsed.value) and not found and block is None:
                block = (parsed.key, number)
            found.append((parsed.key, number))
            limit = parsed.indent
        if limit == 0:
            break
    return found, block


def _siblings(source: SourceFile, parent_line: int, column: int, skip: int) -> frozenset[str]:
    """Keys written at ``column`` in the block after ``parent_line`` (the cursor's line excluded)."""
    keys: set[str] = set()
    for number in range(parent_line + 1, source.line_count):
        text = source.line_text(number)
        if number == skip or _is_blank(text):
            continue
        parsed = _parse_line(text)
        if parsed.indent < column:
            break
        if parsed.content == column and not parsed.item and parsed.key is not None:
            keys.add(parsed.key)
    return frozenset(keys)


def _word_start(prefix: str) -> int:
    """Where the word that ends ``prefix`` starts, found backwards (``[\\w>+.\\-]*$`` searched forwards
    tried every start in a long run of word characters: quadratic)."""
    start = len(prefix)
    while start > 0 and _WORD_CHAR.match(prefix, start - 1):
        start -= 1
    return start


def read_context(source: SourceFile, offset: int) -> Context | None:
    """The cursor's context from the text, or None where nothing can be completed (a comment)."""
    position = source.position(offset)
    line_text = source.line_text(position.line)
    line_start = offset - position.column
    prefix = line_text[: position.column]
    if _strip_comment(prefix) != prefix:
        return None
    parsed = _parse_line(prefix)
    whole = _parse_line(line_text)
    word_start = line_start + _word_start(prefix)
    parents, block = _parents(source, position.line, parsed.content if (parsed.key or parsed.item or prefix.strip())
                              else position.column)
    path = tuple(key for key, _ in reversed(parents))
    if block is not None:  # inside a block scalar: the whole line is the value
        parents = [p for p in parents if p != block]
        path = tuple(key for key, _ in reversed(parents))
        return Context(path, 0, True, block[0], prefix, word_start, offset, True, line_start, True, line_start)
    if parsed.item:  # a sequence item: the value of the key above it
        if not parents:
            return None
        key = parents[0][0]
        path = path[:-1]
        return Context(path, 0, True, key, prefix, word_start, offset, True, line_start + parsed.content, True,
                       line_start)
    if parsed.key is not None:  # `key: value|`
        value_column = parsed.key_end + (len(prefix[parsed.key_end:]) - len(prefix[parsed.key_end:].lstrip(" ")))
        return Context(path, parsed.content, True, parsed.key, prefix, word_start, offset, True,
                       line_start + value_column, False, line_start)
    column = parsed.content if prefix.strip() else position.column
    parent_line = parents[0][1] if parents else -1
    siblings = _siblings(source, parent_line, column, position.line)
    has_colon = whole.key is not None and whole.key_end > position.column
    key_end = line_start + position.column
    if has_colon and whole.key is not None:
        key_end = line_start + whole.content + len(whole.key)
    return Context(path, column, False, None, prefix, word_start, max(key_end, offset), has_colon, offset, False,
                   line_start, siblings, whole.key if whole.content == column else None)
