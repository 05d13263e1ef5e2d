"""What a completion is: the items the LSP layer converts (``lsp/features/completion.py``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ItemKind(enum.Enum):
    """What an item is (the LSP layer maps these to its completion item kinds)."""

    KEY = "key"
    OPERATOR = "operator"
    DIRECTIVE = "directive"
    PARAMETER = "parameter"
    TASK = "task"
    VALUE = "value"
    TIMEZONE = "timezone"
    VARIABLE = "variable"
    MEMBER = "member"
    METHOD = "method"
    FUNCTION = "function"
    FILE = "file"
    FOLDER = "folder"
    WORKFLOW = "workflow"


@dataclass(frozen=True)
class Item:
    """One completion: ``snippet`` (if set) or ``text`` replaces ``[start, end)`` of the file.

    Offsets are code points. ``snippet`` uses the LSP snippet syntax and already carries the
    indentation of continuation lines; ``text`` is the plain form for clients without snippets.
    """

    label: str
    kind: ItemKind
    detail: str
    documentation: str
    text: str
    start: int
    end: int
    snippet: str | None = None
    sort: str = ""
    filter: str | None = None


@dataclass(frozen=True)
class Completions:
    """Items for one request."""

    items: tuple[Item, ...] = ()
