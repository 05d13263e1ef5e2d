"""``textDocument/codeAction``: the checks' fixes and "disable for this line", as quick fixes.

The fixes are not in the published LSP diagnostics, so the handler takes the engine's diagnostics
for the document's unit (open buffers overlaid; the analysis that published them when the buffers
have not changed since, else a new one) and keeps those of this document that overlap the range.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.diagnostics import Diagnostic, TextEdit
from dig_lsp.ide.actions import QUICKFIX, Action, code_actions
from dig_lsp.lsp.convert import to_lsp
from dig_lsp.lsp.documents import DocumentAnalyser
from dig_lsp.lsp.features import (
    DocumentRequest,
    analyser_of,
    client_text_capabilities,
    document_request,
    guarded_request,
)

PROVIDED_KINDS = [types.CodeActionKind.QuickFix]


def _empty() -> list[types.CodeAction]:
    return []


def _wanted(context: types.CodeActionContext) -> bool:
    """Whether the client asked for kinds that include quick fixes."""
    if not context.only:
        return True
    return any(kind == QUICKFIX or QUICKFIX.startswith(f"{kind}.") for kind in map(str, context.only))


def _edits(edits: tuple[TextEdit, ...], request: DocumentRequest) -> dict[str, list[types.TextEdit]]:
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        changes.setdefault(request.uri_for(edit.span.path), []).append(
            types.TextEdit(range=request.range(edit.span), new_text=edit.new_text))
    return changes


def _related_support(server: LanguageServer) -> bool:
    capabilities = client_text_capabilities(server)
    publish = capabilities.publish_diagnostics if capabilities is not None else None
    return bool(publish and publish.related_information)


def to_code_action(action: Action, request: DocumentRequest, related: bool) -> types.CodeAction:
    """One action as an LSP code action carrying its workspace edit."""
    diagnostic = to_lsp(action.diagnostic, request.line_text, request.uri_for, request.encoding, related)
    return types.CodeAction(title=action.title, kind=types.CodeActionKind(action.kind), diagnostics=[diagnostic],
                            is_preferred=action.preferred or None,
                            edit=types.WorkspaceEdit(changes=_edits(action.edits, request)))


def document_diagnostics(analyser: DocumentAnalyser, request: DocumentRequest) -> list[Diagnostic]:
    """The engine's diagnostics (with their fixes) for the request's document."""
    view = analyser.analysed_view(request.view.unit, request.documents)
    assert view.diagnostics is not None
    return [d for d in view.diagnostics if d.path == request.path]


@guarded_request(_empty)
def on_code_action(server: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes for the diagnostics in the requested range."""
    if not _wanted(params.context):
        return []
    request = document_request(server, params.text_document.uri)
    if request is None:
        return []
    start, end = request.offset(params.range.start), request.offset(params.range.end)
    source = request.view.model.files.source(request.path)
    parsed = request.view.model.files.parsed(request.path)
    if start is None or end is None or source is None:
        return []
    diagnostics = document_diagnostics(analyser_of(server), request)
    found = code_actions(diagnostics, source, parsed.root if parsed else None, start, end)
    related = _related_support(server)
    return [to_code_action(action, request, related) for action in found]
