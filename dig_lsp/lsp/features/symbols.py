"""``textDocument/documentSymbol``: the task tree, hierarchical when the client supports it."""

from __future__ import annotations

from collections.abc import Iterator

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path

from dig_lsp.ide.symbols import TaskSymbol, document_symbols, workspace_symbols
from dig_lsp.lsp.convert import UTF16, lsp_range
from dig_lsp.lsp.documents import document_path, open_documents
from dig_lsp.lsp.features import (
    DocumentRequest,
    analyser_of,
    client_text_capabilities,
    document_request,
    guarded_request,
)
from dig_lsp.syntax.parsed_files import ParsedFiles

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


_WORKSPACE_KINDS = {"workflow": types.SymbolKind.Module, "group": types.SymbolKind.Namespace,
                    "task": types.SymbolKind.Function}


def _folders(server: LanguageServer) -> list[str]:
    """The workspace folders as paths (the root when the client sent no folders)."""
    workspace = server.workspace
    uris = [folder.uri for folder in workspace.folders.values()] or ([workspace.root_uri] if workspace.root_uri else [])
    paths = [document_path(uri) for uri in uris]
    return [path for path in paths if path is not None]


def _no_symbols() -> list[types.SymbolInformation]:
    return []


@guarded_request(_no_symbols)
def on_workspace_symbol(server: LanguageServer, params: types.WorkspaceSymbolParams) -> list[types.SymbolInformation]:
    """Workflows and tasks of the projects of the open documents and of the workspace folders."""
    documents = open_documents(server.workspace)
    encoding = str(server.workspace.position_encoding or UTF16)
    found: list[types.SymbolInformation] = []
    for view in analyser_of(server).workspace_views(_folders(server), documents):
        files = view.model.files

        def line_text(path: str, line: int, files: ParsedFiles = files) -> str | None:
            source = files.source(path)
            return None if source is None else source.line_text(line)

        for symbol in workspace_symbols([view.model], params.query):
            document = documents.get(symbol.span.path)
            uri = document.uri if document is not None else (from_fs_path(symbol.span.path) or symbol.span.path)
            location = types.Location(uri=uri, range=lsp_range(symbol.span, line_text, encoding))
            found.append(types.SymbolInformation(name=symbol.name, kind=_WORKSPACE_KINDS[symbol.kind],
                                                 location=location, container_name=symbol.container))
    return found
