"""``textDocument/documentSymbol``: the task tree, hierarchical when the client supports it."""

from __future__ import annotations

from collections.abc import Iterator

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.symbols import TaskSymbol, document_symbols
from dig_lsp.lsp.features import DocumentRequest, client_text_capabilities, document_request, guarded_request

Symbols = list[types.DocumentSymbol] | list[types.SymbolInformation]


def _empty() -> Symbols:
    return []


def _kind(symbol: TaskSymbol) -> types.SymbolKind:
    return types.SymbolKind.Namespace if symbol.is_group else types.SymbolKind.Function


def to_document_symbol(symbol: TaskSymbol, request: DocumentRequest) -> types.DocumentSymbol:
    """A task and its subtasks as a hierarchical symbol."""
    return types.DocumentSymbol(
        name=symbol.name, detail=symbol.detail, kind=_kind(symbol), range=request.range(symbol.span),
        selection_range=request.range(symbol.selection),
        children=[to_document_symbol(child, request) for child in symbol.children])


def flat_symbols(symbols: list[TaskSymbol], request: DocumentRequest,
                 container: str | None = None) -> Iterator[types.SymbolInformation]:
    """The old flat form, for clients without hierarchical support (the parent is the container)."""
    for symbol in symbols:
        yield types.SymbolInformation(name=symbol.name, kind=_kind(symbol), location=request.location(symbol.span),
                                      container_name=container)
        yield from flat_symbols(list(symbol.children), request, symbol.name)


def _hierarchical(server: LanguageServer) -> bool:
    capabilities = client_text_capabilities(server)
    symbols = capabilities.document_symbol if capabilities is not None else None
    return bool(symbols and symbols.hierarchical_document_symbol_support)


@guarded_request(_empty)
def on_document_symbol(server: LanguageServer, params: types.DocumentSymbolParams) -> Symbols:
    """The outline of a workflow (or of a file it includes)."""
    request = document_request(server, params.text_document.uri)
    if request is None:
        return []
    symbols = document_symbols(request.view.model, request.path)
    if _hierarchical(server):
        return [to_document_symbol(symbol, request) for symbol in symbols]
    return list(flat_symbols(symbols, request))
