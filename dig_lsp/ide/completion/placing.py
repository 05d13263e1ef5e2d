"""Where an item's text goes: a key replaces the word at the cursor (up to its ``:``), a value replaces the
value typed so far."""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.ide.completion.context import Context
from dig_lsp.ide.completion.items import Item, ItemKind
from dig_lsp.ide.completion.snippets import plain_text


@dataclass(frozen=True)
class KeyRequest:
    """What key items need: where they go and how they are indented."""

    context: Context
    indent: str


def key_item(request: KeyRequest, label: str, kind: ItemKind, detail: str, doc: str, snippet: str,
             sort: str) -> Item:
    """A key item; when the ``:`` is already written only the key is replaced (no snippet)."""
    context = request.context
    if context.has_colon:  # only the key: its ':' and value are already there
        return Item(label, kind, detail, doc, label, context.word_start, context.key_end, None, sort)
    return Item(label, kind, detail, doc, plain_text(snippet), context.word_start, context.key_end, snippet, sort)


@dataclass(frozen=True)
class ValueRequest:
    """What value items need: the context, the typed value so far, and its replaced range."""

    context: Context
    typed: str
    lead: str  # a space when the cursor sits right after ':'


def value_item(request: ValueRequest, label: str, kind: ItemKind, detail: str, doc: str = "",
               sort: str = "1", start: int | None = None) -> Item:
    """A value item replacing the typed value (or from ``start``) up to the cursor's key end."""
    begin = request.context.value_start if start is None else start
    return Item(label, kind, detail, doc, request.lead + label, begin, request.context.key_end, None, sort)
