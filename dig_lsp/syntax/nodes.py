"""The syntax tree: immutable YAML nodes with spans.

The tree holds values already typed the way digdag types them (``scalars.py``), so later
layers never re-interpret YAML. Keys are always strings, as digdag turns every key into a
JSON field name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dig_lsp.text.span import Span

ScalarValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar value. ``style`` is '' for plain, or the quote/block indicator."""

    value: ScalarValue
    raw: str
    style: str
    span: Span
    tag: str | None = None  # an explicit application tag such as '!include'


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``key: value`` pair of a mapping; the key keeps its own span."""

    key: str
    key_span: Span
    value: Node
    key_tag: str | None = None


@dataclass(frozen=True, slots=True)
class Mapping:
    """A mapping. ``entries`` keep YAML order; lookups return the last entry of a key."""

    entries: tuple[Entry, ...]
    span: Span
    tag: str | None = None
    # why some keys of the mapping cannot be known: an ``!include`` merged into it could not be read
    # (its keys, and whatever they hold, are then unknown, not missing)
    unresolved: str | None = field(default=None, compare=False)
    # key -> last entry; checks look keys up millions of times on large files
    _index: dict[str, Entry] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {entry.key: entry for entry in self.entries})

    def get(self, key: str) -> Node | None:
        """The value stored under ``key`` (the last one, if the key is duplicated)."""
        entry = self._index.get(key)
        return None if entry is None else entry.value

    def entry(self, key: str) -> Entry | None:
        """The entry for ``key`` (the last one, if the key is duplicated)."""
        return self._index.get(key)

    def keys(self) -> list[str]:
        """Keys in order."""
        return [entry.key for entry in self.entries]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence of nodes."""

    items: tuple[Node, ...]
    span: Span
    tag: str | None = None


Node = Scalar | Mapping | Sequence


def to_python(node: Node) -> object:
    """The plain Python value of a node (what digdag's Jackson tree would hold)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Sequence):
        return [to_python(item) for item in node.items]
    return {entry.key: to_python(entry.value) for entry in node.entries}


def from_python(value: object, span: Span) -> Node:
    """A node holding a plain Python value (the inverse of :func:`to_python`), every part at ``span``:
    how a value computed at run time (an evaluated parameter) is read by the rules written for nodes."""
    if isinstance(value, dict):
        return Mapping(tuple(Entry(str(key), span, from_python(item, span)) for key, item in value.items()), span)
    if isinstance(value, list | tuple):
        return Sequence(tuple(from_python(item, span) for item in value), span)
    if value is None or isinstance(value, str | int | float | bool):
        return Scalar(value, "" if value is None else str(value), "", span)
    return Scalar(str(value), str(value), "", span)


def to_json_text(node: Node) -> str:
    """Compact JSON of a node, as digdag prints config in its messages."""
    import json

    return json.dumps(to_python(node), ensure_ascii=False, separators=(",", ":"), default=str)


def kind_name(node: Node) -> str:
    """A user-facing name for the node's JSON type, as digdag's messages name them."""
    if isinstance(node, Mapping):
        return "object"
    if isinstance(node, Sequence):
        return "array"
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"
