"""``textDocument/codeAction``: the checks' fixes and "disable for this line", as quick fixes, and
``source.fixAll.dig-lint``: every safe fix of the document at once (for "fix all on save").

The fixes are not in the published LSP diagnostics, so the handler takes the engine's diagnostics
for the document's unit (open buffers overlaid; the analysis that published them when the buffers
have not changed since, else a new one) and keeps those of this document that overlap the range
(the whole document for fix-all). Display-only fixes never become edits; only safe ones are
preferred, and only safe ones are in fix-all.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.diagnostics import Diagnostic, TextEdit
from dig_lsp.ide.actions import FIX_ALL, QUICKFIX, Action, code_actions, fix_all_action
from dig_lsp.lsp import capabilities
from dig_lsp.lsp.convert import to_lsp
from dig_lsp.lsp.documents import DocumentAnalyser
from dig_lsp.lsp.features import (
    DocumentRequest,
    analyser_of,
    client_text_capabilities,
    document_request,
    guarded_request,
)

PROVIDED_KINDS = capabilities.CODE_ACTION_KINDS


def _empty() -> list[types.CodeAction]:
    return []


def _wanted(context: types.CodeActionContext, kind: str) -> bool:
    """Whether the client asked for ``kind``: any kind when it names none, else a kind that is ``kind``
    or a parent of it (``source`` and ``source.fixAll`` ask for ``source.fixAll.dig-lint``)."""
    if not context.only:
        return True
    # str() of a CodeActionKind member is its name ('CodeActionKind.QuickFix'), not the kind: use .value
    asked = [k.value if isinstance(k, types.CodeActionKind) else str(k) for k in context.only]
    return any(kind == name or kind.startswith(f"{name}.") for name in asked)


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
    diagnostics = [to_lsp(d, request.line_text, request.uri_for, request.encoding, related) for d in action.diagnostics]
    kind = types.CodeActionKind.QuickFix if action.kind == QUICKFIX else action.kind
    return types.CodeAction(title=action.title, kind=kind, diagnostics=diagnostics,
                            is_preferred=action.preferred or None,
                            edit=types.WorkspaceEdit(changes=_edits(action.edits, request)))


def document_diagnostics(analyser: DocumentAnalyser, request: DocumentRequest) -> list[Diagnostic]:
    """The engine's diagnostics (with their fixes) for the request's document."""
    view = analyser.analysed_view(request.view.unit, request.documents)
    assert view.diagnostics is not None
    return [d for d in view.diagnostics if d.path == request.path]


@guarded_request(_empty)
def on_code_action(server: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes for the diagnostics in the requested range, and the document's fix-all action."""
    quick, fix_all = _wanted(params.context, QUICKFIX), _wanted(params.context, FIX_ALL)
    if not quick and not fix_all:
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
    found = code_actions(diagnostics, source, parsed.root if parsed else None, start, end) if quick else []
    everything = fix_all_action(diagnostics, request.path) if fix_all else None
    if everything is not None:
        found.append(everything)
    related = _related_support(server)
    return [to_code_action(action, request, related) for action in found]
