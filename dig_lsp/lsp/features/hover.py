"""``textDocument/hover``: :func:`dig_lsp.ide.hover.hover` as Markdown (plain text for clients showing only that)."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.hover import HoverResult, hover
from dig_lsp.lsp.features import DocumentRequest, client_text_capabilities, guarded_request, positioned_request


def _none() -> types.Hover | None:
    return None


def markup_kind(server: LanguageServer) -> types.MarkupKind:
    """Markdown unless the client lists only other formats."""
    capabilities = client_text_capabilities(server)
    formats = capabilities.hover.content_format if capabilities is not None and capabilities.hover else None
    if formats and types.MarkupKind.Markdown not in formats:
        return types.MarkupKind.PlainText
    return types.MarkupKind.Markdown


def to_lsp_hover(result: HoverResult, request: DocumentRequest, kind: types.MarkupKind) -> types.Hover:
    """The LSP form of a hover result."""
    return types.Hover(contents=types.MarkupContent(kind=kind, value=result.markdown),
                       range=request.range(result.span))


@guarded_request(_none)
def on_hover(server: LanguageServer, params: types.HoverParams) -> types.Hover | None:
    """Hover over a key, a value or a ``${...}`` of a workflow."""
    found = positioned_request(server, params)
    if found is None:
        return None
    request, offset = found
    result = hover(request.view.model, request.path, offset, request.view.settings.runtime_params)
    return None if result is None else to_lsp_hover(result, request, markup_kind(server))
