"""``textDocument/definition`` and ``textDocument/references`` over :mod:`dig_lsp.ide.definition`."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.definition import definition, references
from dig_lsp.lsp.features import guarded_request, positioned_request


def _empty() -> list[types.Location]:
    return []


@guarded_request(_empty)
def on_definition(server: LanguageServer, params: types.DefinitionParams) -> list[types.Location]:
    """Jump from a ``${var}``, a file name, an ``_after`` entry or ``require>`` to its definition."""
    found = positioned_request(server, params)
    if found is None:
        return []
    request, offset = found
    spans = definition(request.view.model, request.path, offset, request.view.settings.runtime_params)
    return [request.location(span) for span in spans]


@guarded_request(_empty)
def on_references(server: LanguageServer, params: types.ReferenceParams) -> list[types.Location]:
    """Every ``${...}`` reading an ``_export`` variable, or every ``_after`` naming a task."""
    found = positioned_request(server, params)
    if found is None:
        return []
    request, offset = found
    spans = references(request.view.model, request.path, offset, params.context.include_declaration,
                       request.view.settings.runtime_params)
    return [request.location(span) for span in spans]
