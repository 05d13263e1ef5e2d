"""``textDocument/codeLens`` (:mod:`dig_lsp.ide.code_lens`) and the ``dig-lsp.dryRun`` command.

The dry-run lens carries the document's URI; ``workspace/executeCommand`` runs the dry-run
simulator on the project as the editor sees it (unsaved buffers included) and answers with the
text report. It runs in a child process (:mod:`dig_lsp.lsp.dry_run`): off the event loop,
cancellable and bounded in total.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp.ide.code_lens import DRY_RUN_COMMAND, Lens, code_lenses
from dig_lsp.lsp.documents import document_path, open_documents
from dig_lsp.lsp.dry_run import DryRunner, DryRunResult
from dig_lsp.lsp.features import DocumentRequest, document_request, guarded_request
from dig_lsp.lsp.protocol import DigProtocol

logger = logging.getLogger(__name__)

__all__ = ["DRY_RUN_COMMAND", "on_code_lens", "on_dry_run"]


def _empty() -> list[types.CodeLens]:
    return []


def to_lsp_lens(lens: Lens, request: DocumentRequest) -> types.CodeLens:
    """A resolved lens; one without a command still needs a (no-op) command to show its title."""
    arguments: list[Any] | None = [request.uri_for(lens.path)] if lens.path is not None else None
    command = types.Command(title=lens.title, command=lens.command or "", arguments=arguments)
    return types.CodeLens(range=request.range(lens.span), command=command)


@guarded_request(_empty)
def on_code_lens(server: LanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    """Next run time and a dry-run lens over a workflow's first line."""
    request = document_request(server, params.text_document.uri)
    if request is None:
        return []
    return [to_lsp_lens(lens, request) for lens in code_lenses(request.view.model, request.path)]


def _uri_argument(args: tuple[Any, ...]) -> str | None:
    """The URI a dry-run command names: ``"file:///..."`` or ``{"uri": "file:///..."}``."""
    first = args[0] if args else None
    if isinstance(first, dict):
        first = first.get("uri")
    return first if isinstance(first, str) else None


def dry_runner_of(server: LanguageServer) -> DryRunner:
    """The server's :class:`DryRunner` (a bare pygls server, as in some tests, gets a fresh one)."""
    runner = getattr(server, "dry_runs", None)
    if not isinstance(runner, DryRunner):
        runner = DryRunner()
        setattr(server, "dry_runs", runner)  # noqa: B010 - pygls servers accept attributes
    return runner


async def on_dry_run(ls: LanguageServer, *args: Any) -> str | None:
    """``dig-lsp.dryRun URI``: the text report of a dry run of that workflow (None when it is none).

    Never raises: an unexpected failure is logged and the client gets a message saying so. A
    cancelled request (``$/cancelRequest``, ``shutdown``) stops the dry run.
    """
    uri = _uri_argument(args)
    path = None if uri is None else document_path(uri)
    if path is None:
        return None
    task = asyncio.current_task()
    if isinstance(ls.protocol, DigProtocol) and task is not None:
        ls.protocol.when_cancelled(task.cancel)
    try:
        result = await dry_runner_of(ls).run_all(path, open_documents(ls.workspace))
    except asyncio.CancelledError:
        raise
    except Exception as error:
        logger.exception("dry run of %s failed", uri)
        return f"dry run failed: {error}"
    if result is None:
        return None
    await _show(ls, path, result)
    return result.text


async def _show(ls: LanguageServer, path: str, result: DryRunResult) -> None:
    """Make the dry run visible whatever the client does with the command's answer (Neovim ignores it):
    the HTML timeline opened in the browser (``window/showDocument``, when the client can), and a message
    saying how the session ended and where the timeline is."""
    summary = result.summary or (result.text.splitlines() or ["dry run"])[0]
    if result.html is None:
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=summary))
        return
    timeline = dry_runner_of(ls).save_timeline(path, result.html)
    shown = False
    if _can_show_documents(ls):
        try:
            answer = await ls.window_show_document_async(types.ShowDocumentParams(uri=timeline.as_uri(),
                                                                                   external=True))
            shown = bool(answer and answer.success)
        except Exception:  # a client that fails the request still gets the message below
            logger.debug("window/showDocument failed", exc_info=True)
    where = "timeline opened in the browser" if shown else f"timeline: {timeline}"
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=f"{summary}; {where}"))


def _can_show_documents(ls: LanguageServer) -> bool:
    try:
        window = ls.client_capabilities.window
    except Exception:  # no initialize yet
        return False
    return bool(window is not None and window.show_document is not None and window.show_document.support)
