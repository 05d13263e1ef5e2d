"""``textDocument/prepareRename`` and ``textDocument/rename`` over :mod:`dig_lsp.ide.rename`.

A rename that cannot be done safely is answered with a ``RequestFailed`` error carrying the reason, which
editors show (VS Code in a notification, Neovim in its message area); a position with nothing to rename
gets ``null`` (the editor says so in its own words).
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.rename import RenameRefused, prepare_rename, rename
from dig_lsp.lsp.features import positioned_request

logger = logging.getLogger(__name__)

REQUEST_FAILED = types.LSPErrorCodes.RequestFailed.value


class Refused(JsonRpcException):
    """The LSP error for a rename that is refused (RequestFailed, with the reason as its message)."""

    CODE = REQUEST_FAILED


def on_prepare_rename(server: LanguageServer, params: types.PrepareRenameParams) -> types.PrepareRenameResult | None:
    """The name under the cursor and its range, or why it cannot be renamed."""
    found = positioned_request(server, params)
    if found is None:
        return None
    request, offset = found
    try:
        target = prepare_rename(request.view.model, request.path, offset, request.view.settings.runtime_params)
    except RenameRefused as refusal:
        raise Refused(str(refusal)) from None
    except Exception:
        logger.exception("prepareRename failed")
        return None
    if target is None:
        return None
    return types.PrepareRenamePlaceholder(range=request.range(target.span), placeholder=target.name)


def on_rename(server: LanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    """Every edit of the rename, in one workspace edit (all of it or, with the reason, nothing)."""
    found = positioned_request(server, params)
    if found is None:
        return None
    request, offset = found
    try:
        edits = rename(request.view.model, request.path, offset, params.new_name,
                       request.view.settings.runtime_params)
    except RenameRefused as refusal:
        raise Refused(str(refusal)) from None
    except Exception:
        logger.exception("rename failed")
        return None
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in sorted(edits, key=lambda e: (e.span.path, e.span.start)):
        changes.setdefault(request.uri_for(edit.span.path), []).append(
            types.TextEdit(range=request.range(edit.span), new_text=edit.new_text))
    return types.WorkspaceEdit(changes=changes)
