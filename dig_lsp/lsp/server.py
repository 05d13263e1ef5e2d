"""``dig-lsp``: the language server.

Handlers only record what happened and ask the :class:`DiagnosticsScheduler` for a run;
the scheduler coalesces edits per document, analyses on one worker thread (so the event
loop keeps reading messages, and the analysis core never runs twice at once), and drops
results for texts that are no longer current. Editor features (``features/``) answer from
the project the last analysis loaded when the text has not changed since.

Start-up: over standard input/output, the start-up front (:mod:`dig_lsp.lsp.front`) answers
``initialize`` and publishes the first opened document's diagnostics before this module is imported,
then hands its state over (:meth:`DigLanguageServer.adopt`) and the messages it read are handled here
first, in order. Otherwise this module imports pygls and nothing of the analysis core or the editor
features, so ``initialize`` is answered as soon as pygls is loaded (the capabilities come from
:mod:`dig_lsp.lsp.capabilities`); the core is then imported on a background thread (the first analysis
waits for it). The features are imported once the first diagnostics are out (a feature asked for
earlier imports its module then).
"""

from __future__ import annotations

import sys

if __name__ == "__main__":  # python -m dig_lsp.lsp.server: the start-up front runs before pygls is imported
    from dig_lsp.lsp.main import main

    sys.exit(main())

import asyncio
import contextlib
import functools
import gc
import importlib
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from dig_lsp import __version__
from dig_lsp.lsp import capabilities
from dig_lsp.lsp.columns import UTF16
from dig_lsp.lsp.front import GC_THRESHOLDS, WATCHED_FILES, WATCHERS_ID
from dig_lsp.lsp.main import DRY_RUN_SECONDS
from dig_lsp.lsp.memory import collector_paused, give_back_memory
from dig_lsp.lsp.positions import use_clamping_positions
from dig_lsp.lsp.protocol import DigProtocol
from dig_lsp.lsp.transport import serve_stdio, serve_tcp

if TYPE_CHECKING:
    from dig_lsp.lsp.documents import DocumentAnalyser, DocumentAnalysis, UnitKey
    from dig_lsp.lsp.dry_run import DryRunner
    from dig_lsp.lsp.front import Handover

logger = logging.getLogger(__name__)

NAME = "dig-lsp"
# No waiting after an edit: an analysis starts as soon as the worker is free, and edits that arrive
# meanwhile are coalesced into the next run (a queued run is replaced, a running one's result is
# dropped as stale). A fixed pause only added to what the user waits for.
DEBOUNCE_SECONDS = 0.0

Params = TypeVar("Params")


DOCUMENTS = "dig_lsp.lsp.documents"  # the analysis of open documents, and with it the analysis core
FEATURES_PACKAGE = "dig_lsp.lsp.features"
FEATURE_MODULES = tuple(f"{FEATURES_PACKAGE}.{name}" for name in (
    "hover", "completion", "definition", "symbols", "code_actions", "semantic_tokens", "code_lens", "rename"))


_imported: dict[str, Any] = {}  # modules whose import has finished (sys.modules has them while it runs)


def _documents() -> Any:
    """:mod:`dig_lsp.lsp.documents`, imported on first use (see the module docstring)."""
    module = _imported.get(DOCUMENTS)
    if module is None:
        module = _imported[DOCUMENTS] = importlib.import_module(DOCUMENTS)
    return module


def _import_in_background(modules: tuple[str, ...], then: Callable[[], object] | None = None,
                          freeze: bool = False) -> None:
    """Import ``modules`` on a daemon thread (an import another thread needs meanwhile waits for it:
    Python locks each module while it is imported), then call ``then``. With ``freeze``, what exists then
    is frozen, as at start-up (the collector never walks it again): only for the analysis core, imported
    before any analysis runs (a frozen analysis would never be collected)."""

    def work() -> None:
        gc.disable()  # as at start-up (dig_lsp.lsp.main): imports make objects that live on, not garbage
        try:
            for module in modules:
                importlib.import_module(module)
            if then is not None:
                then()
        except Exception:  # the thread that needs the module imports it again and reports the failure
            logger.exception("importing %s in the background failed", ", ".join(modules))
        finally:
            if freeze:
                gc.freeze()
            gc.enable()

    threading.Thread(target=work, name="dig-lsp-import", daemon=True).start()


def _lazy(name: str, function: str) -> Callable[..., Any]:
    """A request handler that imports its feature module (``features/<name>.py``) on the first request.
    Its first parameter is named ``ls`` because pygls passes the server to handlers whose first
    parameter is so named."""

    def handler(ls: DigLanguageServer, params: Any) -> Any:
        return getattr(importlib.import_module(f"{FEATURES_PACKAGE}.{name}"), function)(ls, params)

    handler.__name__ = handler.__qualname__ = f"{name}.{function}"
    return handler


def _lazy_command(name: str, function: str) -> Callable[..., Awaitable[Any]]:
    """An asynchronous command handler that imports its feature module on the first call."""

    async def handler(ls: DigLanguageServer, *args: Any) -> Any:
        return await getattr(importlib.import_module(f"{FEATURES_PACKAGE}.{name}"), function)(ls, *args)

    handler.__name__ = handler.__qualname__ = f"{name}.{function}"
    return handler


class DiagnosticsScheduler:
    """Per-document analysis runs whose results are published only if the text is still the same.

    "The same" is decided by a revision the server counts itself for every open/change of a
    document, not by the client's version number: a client may reuse or reorder version numbers,
    and diagnostics computed for one text must never be published for another text that happens
    to carry the same number.
    """

    def __init__(self, server: DigLanguageServer, delay: float = DEBOUNCE_SECONDS) -> None:
        self.server = server
        self.delay = delay
        self._published_once = False
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._keys: dict[str, UnitKey | None] = {}
        self._revisions: dict[str, int] = {}
        self._published_at_start: dict[str, UnitKey | None] = {}  # by the start-up front, see published_before
        self._running_at_start: dict[str, Future[DocumentAnalysis]] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dig-lsp-analysis")
        self._turn: asyncio.Lock | None = None  # made on the event loop (see _analyse_and_publish)

    def changed(self, uri: str) -> None:
        """The text of ``uri`` changed (opened, edited): results computed before are stale."""
        key = _workspace_key(uri)
        self._revisions[key] = self._revisions.get(key, 0) + 1

    def adopt(self, handover: Handover) -> None:
        """Take over the start-up front's analysis thread, what it published and what it is analysing."""
        if handover.executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = handover.executor
        self._published_at_start.update(handover.published)
        self._running_at_start.update(handover.running)

    def published_before(self, uri: str) -> bool:
        """Whether the start-up front published, or is analysing, ``uri``'s diagnostics for the text just
        opened (once: the replay of its ``didOpen``); the server takes the result over instead of analysing
        again (a running analysis is published when it ends, if the text is still the same)."""
        running = self._running_at_start.pop(uri, None)
        if running is not None:
            task = asyncio.get_running_loop().create_task(self._finish(running))
            self._pending[uri] = task
            task.add_done_callback(functools.partial(self._forget, uri))
            return True
        if uri not in self._published_at_start:
            return False
        self._keys[uri] = self._published_at_start.pop(uri)
        self._first_published()
        return True

    async def _finish(self, running: Future[DocumentAnalysis]) -> None:
        """Publish the start-up front's analysis, as :meth:`_analyse_and_publish` publishes its own."""
        revisions = dict(self._revisions)
        try:
            result = await asyncio.wrap_future(running)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("analysing the first document failed")
            return
        self._publish_current(result, revisions)
        self._first_published()

    def _first_published(self) -> None:
        if not self._published_once:
            self._published_once = True
            _import_in_background(FEATURE_MODULES)  # what requests need, once the first diagnostics are out

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """(Re)start the countdown to analysing ``uri``; an earlier pending run is cancelled."""
        previous = self._pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self._run(uri, self.delay if delay is None else delay))
        self._pending[uri] = task
        task.add_done_callback(functools.partial(self._forget, uri))

    def close(self, uri: str) -> None:
        """Stop analysing a closed document, clear its diagnostics, refresh its unit mates.

        Its unit mates now read the file from disk instead of the closed buffer, so their
        diagnostics may change.
        """
        previous = self._pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self._revisions.pop(_workspace_key(uri), None)
        key = self._keys.pop(uri, None)
        self._publish(uri, None, [])
        if key is not None:
            mate = next((other for other, k in self._keys.items() if k == key), None)
            if mate is not None:
                self.schedule(mate, 0)
            else:
                self.server.analyser.release(key)
                give_back_memory()

    def shutdown(self) -> None:
        """Cancel pending runs and let the worker thread finish."""
        for task in self._pending.values():
            task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _forget(self, uri: str, task: asyncio.Task[None]) -> None:
        if self._pending.get(uri) is task:
            del self._pending[uri]

    async def _run(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)  # also lets edits already received be applied first
            await self._analyse_and_publish(uri)
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad run must not take the server down
            logger.exception("analysing %s failed", uri)

    async def _analyse_and_publish(self, uri: str) -> None:
        """Snapshot the open documents, analyse on the worker, publish what is still current.

        One run at a time takes its snapshot, when the worker is free for it: a run queued behind others
        waits without one. Each snapshot holds every open document (and a copy of the revisions), so with
        a thousand documents opened at once, a thousand queued runs held a thousand snapshots of up to a
        thousand documents each before the first analysis ended, and the allocator kept that peak: the
        server's RSS with 1,000 small projects open (bench/bench_lsp.py) was 343 MB, 98 MB with one snapshot
        at a time (73 MB before opening them; the analyses themselves keep some 21 MB, tracemalloc in
        process). The snapshot is also fresher: taken when the analysis starts, not when it was asked for.
        """
        loop = asyncio.get_running_loop()
        if self._turn is None:
            self._turn = asyncio.Lock()
        async with self._turn:
            documents_module: Any = _imported.get(DOCUMENTS)
            if documents_module is None:  # imported off the event loop
                documents_module = await loop.run_in_executor(self._executor, _documents)
            path = documents_module.document_path(uri)
            documents = documents_module.open_documents(self.server.workspace)
            if path is None or path not in documents:
                return
            revisions = dict(self._revisions)  # taken with the snapshot, on the event loop
            encoding = str(self.server.workspace.position_encoding or UTF16)
            run = functools.partial(self._analyse, path, documents, encoding, _related_support(self.server))
            del documents  # the worker's reference is the only one: freed with the run
            started = time.perf_counter()
            result = await loop.run_in_executor(self._executor, run)
            del run
        logger.debug("analysed %s in %.1f ms", uri, (time.perf_counter() - started) * 1000)
        self._publish_current(result, revisions)
        self._first_published()

    def _analyse(self, path: str, documents: Any, encoding: str, related: bool) -> DocumentAnalysis:
        with collector_paused():
            return self.server.analyser.analyse_document(path, documents, encoding, related)

    def _publish_current(self, result: DocumentAnalysis, revisions: dict[str, int]) -> None:
        for publication in result.publications:
            key = _workspace_key(publication.uri)
            document = self.server.workspace.text_documents.get(key)
            if document is None or self._revisions.get(key) != revisions.get(key):
                logger.debug("dropping stale diagnostics for %s v%s", publication.uri, publication.version)
                continue
            self._keys[publication.uri] = result.key
            self._publish(publication.uri, document.version, publication.diagnostics)

    def _publish(self, uri: str, version: int | None, diagnostics: list[Any]) -> None:
        if diagnostics and isinstance(diagnostics[0], dict):  # JSON: the start-up front's analysis
            plain: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
            if version is not None:
                plain["version"] = version
            self.server.protocol.send_json_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, plain)
            return
        params = types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        self.server.text_document_publish_diagnostics(params)


def _workspace_key(uri: str) -> str:
    return unquote(uri)  # pygls keys its documents by the unquoted URI


def _related_support(server: LanguageServer) -> bool:
    try:
        capabilities = server.client_capabilities.text_document
    except Exception:  # no initialize yet: be generous, related info is optional for clients
        return True
    publish = capabilities.publish_diagnostics if capabilities is not None else None
    return bool(publish and publish.related_information)


class DigLanguageServer(LanguageServer):
    """The pygls server plus the state the features share."""

    protocol: DigProtocol

    def __init__(self, dry_run_seconds: float = DRY_RUN_SECONDS) -> None:
        super().__init__(NAME, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=DigProtocol)
        self._analyser: DocumentAnalyser | None = None
        self._dry_runs: DryRunner | None = None
        self._dry_run_seconds = dry_run_seconds
        self._client_settings: object = None
        self._made = threading.Lock()
        self.shut_down = False  # the client asked `shutdown` (the exit code says whether it did)
        self.started_by_front = False  # the start-up front analysed with the editor's settings (see adopt)
        self.diagnostics = DiagnosticsScheduler(self)
        self.protocol.on_exit = self.terminate

    @property
    def analyser(self) -> DocumentAnalyser:
        """The analysis of open documents (made, and the analysis core imported, when first needed)."""
        if self._analyser is None:
            documents = _documents()
            with self._made:
                if self._analyser is None:
                    analyser = documents.DocumentAnalyser()
                    analyser.set_client_settings(self._client_settings)
                    self._analyser = analyser
        return self._analyser

    def adopt(self, handover: Handover) -> None:
        """Take over from the start-up front (:mod:`dig_lsp.lsp.front`) before its messages are replayed:
        its ``initialize`` answer, its analyser (which took the editor's settings) and what it published."""
        self.protocol.answered = handover.answered
        self.protocol.front_requests = frozenset(handover.requests)
        if handover.analyser is not None:
            self._analyser = handover.analyser
            self._client_settings = handover.client_settings
            self.started_by_front = True
        self.diagnostics.adopt(handover)

    def take_client_settings(self, data: object) -> None:
        """The editor's settings (``initialize``, ``workspace/didChangeConfiguration``), for the analyser
        now or when it is made."""
        with self._made:
            self._client_settings = data
            analyser = self._analyser
        if analyser is not None:
            analyser.set_client_settings(data)

    @property
    def dry_runs(self) -> DryRunner:
        """The dry runs started from code lenses (made when the first one is)."""
        if self._dry_runs is None:
            from dig_lsp.lsp.dry_run import DryRunner

            with self._made:
                if self._dry_runs is None:
                    self._dry_runs = DryRunner(self._dry_run_seconds)
        return self._dry_runs

    def terminate(self, code: int) -> NoReturn:
        """End the process now, with ``code``.

        Not through pygls (``sys.exit`` unwinds the event loop, then the interpreter waits for
        every worker thread): a running analysis took up to 13 s more, and one that hangs kept
        the process forever after its editor had gone. Nothing is lost by not waiting: results
        are only ever sent from the event loop, which is here, and the log is flushed.
        """
        if self._dry_runs is not None:
            self._dry_runs.kill_all()
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


def _guarded(handler: Callable[[DigLanguageServer, Params], None]) -> Callable[[DigLanguageServer, Params], None]:
    """Log a handler's exception instead of letting it reach the client as an error popup."""

    @functools.wraps(handler)
    def wrapper(server: DigLanguageServer, params: Params) -> None:
        try:
            handler(server, params)
        except Exception:
            logger.exception("%s failed", handler.__name__)

    return wrapper


@_guarded
def initialize(server: DigLanguageServer, params: types.InitializeParams) -> None:
    """The editor's settings arrive with `initialize` (initializationOptions); pygls answers the
    request itself and calls this as well. The analysis core is imported from now on, in the background:
    the answer does not wait for it, and the first analysis (after `didOpen`) does not wait for it all.
    When the start-up front answered, its analyser took the settings and the core is imported."""
    use_clamping_positions(server.workspace)
    if server.started_by_front:
        return
    server.take_client_settings(params.initialization_options)
    _import_in_background((DOCUMENTS,), lambda: server.analyser, freeze=True)


@_guarded
def did_change_configuration(server: DigLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    """New editor settings: take them and re-analyse every open document."""
    server.take_client_settings(params.settings)
    for uri in list(server.workspace.text_documents):
        server.diagnostics.schedule(uri, 0)


@_guarded
def did_open(server: DigLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    """A newly opened document is analysed at once (unless the start-up front did)."""
    server.diagnostics.changed(params.text_document.uri)
    if not server.diagnostics.published_before(params.text_document.uri):
        server.diagnostics.schedule(params.text_document.uri, 0)


@_guarded
def did_change(server: DigLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    """Typing: analyse as soon as the worker is free (edits meanwhile are coalesced)."""
    server.diagnostics.changed(params.text_document.uri)
    server.diagnostics.schedule(params.text_document.uri)


@_guarded
def did_save(server: DigLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    """The disk changed, and with it what other files see of this one."""
    server.analyser.forget_disk_state()
    server.diagnostics.schedule(params.text_document.uri, 0)


@_guarded
def did_change_watched_files(server: DigLanguageServer, _params: types.DidChangeWatchedFilesParams) -> None:
    """Files changed on disk (a checkout, another tool): plans, settings and includes may differ now,
    so every open document is analysed again."""
    server.analyser.forget_disk_state()
    for uri in list(server.workspace.text_documents):
        server.diagnostics.schedule(uri, 0)


@_guarded
def did_change_workspace_folders(server: DigLanguageServer,
                                 _params: types.DidChangeWorkspaceFoldersParams) -> None:
    """A folder was added or removed: configuration files and projects may be different ones now."""
    server.analyser.forget_disk_state()
    for uri in list(server.workspace.text_documents):
        server.diagnostics.schedule(uri, 0)


@_guarded
def initialized(server: DigLanguageServer, _params: types.InitializedParams) -> None:
    """Ask the client to report file changes on disk, when it can register watchers dynamically."""
    try:
        workspace = server.client_capabilities.workspace
    except Exception:  # no initialize: nothing to ask
        return
    watched = workspace.did_change_watched_files if workspace is not None else None
    if not (watched and watched.dynamic_registration):
        return
    watcher = types.FileSystemWatcher(glob_pattern=WATCHED_FILES)
    options = types.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher])
    registration = types.Registration(id=WATCHERS_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                      register_options=options)
    server.client_register_capability(types.RegistrationParams(registrations=[registration]))


@_guarded
def did_close(server: DigLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    """A closed document keeps no diagnostics."""
    server.diagnostics.close(params.text_document.uri)


@_guarded
def shutdown(server: DigLanguageServer, _params: None) -> None:
    """Stop pending analysis before the client says exit."""
    server.shut_down = True
    server.diagnostics.shutdown()


FEATURES: tuple[tuple[str, Callable[[DigLanguageServer, Any], None]], ...] = (
    (types.INITIALIZE, initialize),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, did_change_configuration),
    (types.TEXT_DOCUMENT_DID_OPEN, did_open),
    (types.TEXT_DOCUMENT_DID_CHANGE, did_change),
    (types.TEXT_DOCUMENT_DID_SAVE, did_save),
    (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, did_change_watched_files),
    (types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, did_change_workspace_folders),
    (types.INITIALIZED, initialized),
    (types.TEXT_DOCUMENT_DID_CLOSE, did_close),
    (types.SHUTDOWN, shutdown),
)

# Navigation requests (guarded in their modules: an exception is logged and an empty answer sent), each
# importing its module when first asked (the options are announced in the `initialize` answer)
NAVIGATION: tuple[tuple[str, Callable[..., Any], Any], ...] = (
    (types.TEXT_DOCUMENT_HOVER, _lazy("hover", "on_hover"), None),
    (types.TEXT_DOCUMENT_DEFINITION, _lazy("definition", "on_definition"), None),
    (types.TEXT_DOCUMENT_REFERENCES, _lazy("definition", "on_references"), None),
    (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, _lazy("symbols", "on_document_symbol"), None),
    (types.WORKSPACE_SYMBOL, _lazy("symbols", "on_workspace_symbol"), None),
    (types.TEXT_DOCUMENT_PREPARE_RENAME, _lazy("rename", "on_prepare_rename"), None),
    (types.TEXT_DOCUMENT_RENAME, _lazy("rename", "on_rename"), None),
    (types.TEXT_DOCUMENT_CODE_ACTION, _lazy("code_actions", "on_code_action"), capabilities.CODE_ACTIONS),
    (types.TEXT_DOCUMENT_COMPLETION, _lazy("completion", "on_completion"), capabilities.COMPLETION),
    (types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, _lazy("semantic_tokens", "on_semantic_tokens_full"),
     capabilities.SEMANTIC_TOKENS),
    (types.TEXT_DOCUMENT_CODE_LENS, _lazy("code_lens", "on_code_lens"), capabilities.CODE_LENS),
)


def run(tcp: tuple[str, int] | None, dry_run_seconds: float, handover: Handover | None = None) -> NoReturn:
    """Serve until the client exits (stdio, or a TCP socket for debugging), first taking over from the
    start-up front (``handover``); ends the process."""
    server = create_server(dry_run_seconds)
    if handover is not None:
        server.adopt(handover)
    _tune_garbage_collector(freeze=not server.started_by_front)
    logger.info("dig-lsp %s starting (%s)", __version__, f"tcp {tcp[0]}:{tcp[1]}" if tcp else "stdio")
    try:
        if tcp:
            serve_tcp(server.protocol, *tcp)
        elif handover is not None:
            serve_stdio(server.protocol, sys.stdin.buffer, sys.stdout.buffer, handover.parser, handover.pending)
        else:
            serve_stdio(server.protocol, sys.stdin.buffer, sys.stdout.buffer)
    except KeyboardInterrupt:
        pass
    except Exception:
        logger.exception("the server stopped")
    # The LSP spec: exit code 0 after `shutdown`, 1 when the client exited (or vanished) without it.
    server.terminate(0 if server.shut_down else 1)  # does not return: see terminate


def _tune_garbage_collector(freeze: bool = True) -> None:
    """Keep the cyclic collector off the edit path.

    Everything imported at start-up (schemas, sqlglot's dialect tables, the catalog) lives as long as
    the server; freezing it means collections never walk it again, and a higher first threshold
    stops an analysis, which allocates hundreds of thousands of short-lived objects, from triggering
    dozens of collections. Cycles are still collected, just less often. Without ``freeze``: the
    start-up front froze the analysis core, and what lives now also holds the first analysis, which
    a freeze would keep for ever (frozen cycles are never collected); pygls's objects stay collectable,
    and were imported with the collector on (a full collection now finds a few hundred objects in
    25 ms: not worth delaying the first request for). Each later analysis runs with the collector paused
    and freezes what it leaves (:func:`~dig_lsp.lsp.memory.collector_paused`), with a full collection,
    frozen objects included, once the interpreter has grown by half.
    """
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()  # off while the modules were imported (dig_lsp.lsp.main)


def create_server(dry_run_seconds: float = DRY_RUN_SECONDS) -> DigLanguageServer:
    """A server with every feature registered (a fresh one per call, for tests and embedding)."""
    server = DigLanguageServer(dry_run_seconds)
    for method, handler in FEATURES:
        server.feature(method)(handler)
    for method, request_handler, options in NAVIGATION:
        server.feature(method, options)(request_handler)
    server.command(capabilities.DRY_RUN_COMMAND)(_lazy_command("code_lens", "on_dry_run"))
    return server
