"""``textDocument/completion``: :func:`dig_lsp.ide.completion.complete` as an LSP completion list.

Every item carries a text edit (the range the typed word occupies), so clients never guess word
boundaries (``td>``, ``+task`` and ``queries/x.sql`` are not words to most editors). Snippets go to
clients that support them, the plain form to the others; multi-line snippets already hold their
indentation, so they are sent with ``insertTextMode: asIs``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.completion import Completions, Item, ItemKind, complete
from dig_lsp.lsp import capabilities
from dig_lsp.lsp.features import DocumentRequest, client_text_capabilities, guarded_request, positioned_request

TRIGGER_CHARACTERS = capabilities.COMPLETION_TRIGGERS
OPTIONS = capabilities.COMPLETION

_KINDS = {
    ItemKind.KEY: types.CompletionItemKind.Property,
    ItemKind.OPERATOR: types.CompletionItemKind.Function,
    ItemKind.DIRECTIVE: types.CompletionItemKind.Keyword,
    ItemKind.PARAMETER: types.CompletionItemKind.Field,
    ItemKind.TASK: types.CompletionItemKind.Module,
    ItemKind.VALUE: types.CompletionItemKind.EnumMember,
    ItemKind.TIMEZONE: types.CompletionItemKind.Constant,
    ItemKind.VARIABLE: types.CompletionItemKind.Variable,
    ItemKind.MEMBER: types.CompletionItemKind.Field,
    ItemKind.METHOD: types.CompletionItemKind.Method,
    ItemKind.FUNCTION: types.CompletionItemKind.Function,
    ItemKind.FILE: types.CompletionItemKind.File,
    ItemKind.FOLDER: types.CompletionItemKind.Folder,
    ItemKind.WORKFLOW: types.CompletionItemKind.Reference,
}


@dataclass(frozen=True)
class ClientSupport:
    """What the client's completion capabilities allow."""

    snippets: bool = False
    markdown: bool = True
    as_is: bool = True  # insertTextMode asIs may be sent


def client_support(server: LanguageServer) -> ClientSupport:
    """Read the client's completion capabilities (conservative when it sent none)."""
    capabilities = client_text_capabilities(server)
    completion = capabilities.completion if capabilities is not None else None
    item = completion.completion_item if completion is not None else None
    if item is None:
        return ClientSupport()
    formats = item.documentation_format
    markdown = not formats or types.MarkupKind.Markdown in formats
    modes = item.insert_text_mode_support
    as_is = modes is None or types.InsertTextMode.AsIs in modes.value_set
    return ClientSupport(bool(item.snippet_support), markdown, as_is)


def to_lsp_item(item: Item, request: DocumentRequest, support: ClientSupport) -> types.CompletionItem | None:
    """The LSP form of one item (None if its range cannot be converted)."""
    source = request.view.model.files.source(request.path)
    if source is None:
        return None
    span = source.span(item.start, max(item.start, item.end))
    snippet = item.snippet is not None and support.snippets
    new_text = item.snippet if snippet and item.snippet is not None else item.text
    documentation: types.MarkupContent | None = None
    if item.documentation:
        kind = types.MarkupKind.Markdown if support.markdown else types.MarkupKind.PlainText
        documentation = types.MarkupContent(kind=kind, value=item.documentation)
    multi_line = "\n" in new_text
    return types.CompletionItem(
        label=item.label,
        kind=_KINDS[item.kind],
        detail=item.detail or None,
        documentation=documentation,
        sort_text=f"{item.sort}{item.label}",
        filter_text=item.filter,
        text_edit=types.TextEdit(range=request.range(span), new_text=new_text),
        insert_text_format=types.InsertTextFormat.Snippet if snippet else types.InsertTextFormat.PlainText,
        insert_text_mode=types.InsertTextMode.AsIs if multi_line and support.as_is else None,
    )


def to_lsp_list(result: Completions, request: DocumentRequest, support: ClientSupport) -> types.CompletionList:
    """The LSP completion list of a result."""
    items = [converted for item in result.items if (converted := to_lsp_item(item, request, support)) is not None]
    return types.CompletionList(is_incomplete=False, items=items)


def _empty() -> types.CompletionList:
    return types.CompletionList(is_incomplete=False, items=[])


@guarded_request(_empty)
def on_completion(server: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
    """Keys, operators, parameters, values, variables and file names at the cursor."""
    found = positioned_request(server, params)
    if found is None:
        return _empty()
    request, offset = found
    result = complete(request.view.model, request.path, offset, request.view.settings.runtime_params)
    return to_lsp_list(result, request, client_support(server))
