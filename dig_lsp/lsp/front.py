"""The start-up front: the first messages, answered before pygls and lsprotocol are imported.

Why: importing lsprotocol's types and pygls takes a third of a second, the analysis core a fifth, and
the first diagnostics of a document waited for both, one after the other. An editor sends ``initialize``,
waits for its answer, then sends ``initialized`` and ``didOpen`` (VS Code also its settings) and waits
for diagnostics. This module, plain Python over :mod:`dig_lsp.lsp.framing`, reads those messages from
standard input, imports the analysis core, answers ``initialize`` with the answer pygls would give,
analyses the first document opened and publishes its diagnostics as JSON (:mod:`dig_lsp.lsp.plain`);
then it hands over: the pygls server (:func:`dig_lsp.lsp.server.run`) takes the parser with the bytes
it holds and replays the messages read, in order, as if it had read them itself (``initialize`` is not
answered twice, the opened document is not analysed twice).

It handles only what it can answer exactly as the server would; at the first message that is anything
else (a request, another notification, a malformed frame, params pygls might refuse) it stops and hands
over at once, and the server handles that message and the ones after it as it always did:

* ``initialize`` is answered only if it is the first message and its params fit the shapes lsprotocol
  accepts (:mod:`dig_lsp.lsp.initialize_shape`): pygls decodes the same params again during the
  hand-over and must never refuse what was accepted. The answer (:func:`initialize_result`) is what
  pygls builds from the registered features; only the position encoding, the rename options and the
  will-save flags depend on the client (``tests/test_lsp_front.py`` compares the two for many clients);
* ``initialized`` is handled as the server does (file watchers asked for, when the client can register
  them; the client's answer is dropped, as the server drops it), and ``workspace/didChangeConfiguration``
  applied to the analyser (the server would apply it before analysing the document opened after it);
  neither is replayed;
* the first ``textDocument/didOpen`` is analysed on the thread the server analyses on; its diagnostics
  are published if the analysis ends within :data:`FIRST_ANALYSIS_GRACE`, else the server takes the
  running analysis over (and reads messages meanwhile: a huge first document must not hold up
  requests or ``exit``); then the front hands over.

Messages are not read while the front imports the core or analyses: a request sent meanwhile waits, as it
waited for pygls's import before.
"""

from __future__ import annotations

import collections
import concurrent.futures
import copy
import gc
import json
import logging
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from dig_lsp import __version__
from dig_lsp.lsp.columns import UTF8, UTF16, UTF32
from dig_lsp.lsp.framing import Event, Frame, FrameParser
from dig_lsp.lsp.initialize_shape import CLASSES, ROOT
from dig_lsp.lsp.jsonrpc import MessageId, decode_body, request_problem, valid_id

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024  # as dig_lsp.lsp.transport reads
NAME = "dig-lsp"  # dig_lsp.lsp.server.NAME
_INT_MAX = 2**31 - 1  # lsprotocol validates integers as LSP's (u)integer: 32 bits
_ENCODINGS = (UTF8, UTF16, UTF32)
# the server's (dig_lsp.lsp.server._tune_garbage_collector). The first threshold counts tracked objects made
# minus those freed: a keystroke in a 30,000-line workflow builds the new model (some 80,000 objects, all
# kept) before the old one is freed, so at 50,000 two young collections per keystroke walked the new model
# and found nothing to free (about 100 ms of a keystroke in process, on a busy machine); at 200,000 none ran
# in 20 keystrokes. Analyses no longer make reference cycles (tests/test_reference_cycles.py), so waiting
# longer for a collection keeps little garbage.
GC_THRESHOLDS = (200_000, 20, 20)
FIRST_ANALYSIS_GRACE = 0.5
"""Seconds the first analysis may take before the server is started beside it (messages are not read
while the front waits: a request or ``exit`` waits this long at most, plus the server's import)."""
WATCHED_FILES = "**/*.{dig,sql,yml,yaml,json,py,rb,sh,toml,digdagignore}"  # the server asks to be told of these
WATCHERS_ID = "dig-lsp-watched-files"

# What pygls announces for the features dig_lsp.lsp.server registers (ServerCapabilitiesBuilder), less
# the two entries that depend on the client (see initialize_result); tests/test_lsp_front.py compares.
CAPABILITIES: dict[str, Any] = {
    "positionEncoding": UTF16,
    "textDocumentSync": {"openClose": True, "change": 2, "save": True},
    "completionProvider": {"triggerCharacters": ["$", "{", ".", ":", "/", " "], "resolveProvider": False},
    "hoverProvider": True,
    "definitionProvider": True,
    "referencesProvider": True,
    "documentSymbolProvider": True,
    "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll.dig-lint"]},
    "codeLensProvider": {"resolveProvider": False},
    "workspaceSymbolProvider": {"resolveProvider": False},
    "renameProvider": True,
    "executeCommandProvider": {"commands": ["dig-lsp.server.dryRun"]},
    "semanticTokensProvider": {
        "legend": {"tokenTypes": ["function", "keyword", "decorator", "variable", "property", "method", "string",
                                  "number", "comment"],
                   "tokenModifiers": ["declaration", "defaultLibrary"]},
        "full": True},
    "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
}


@dataclass
class Handover:
    """What the server takes over from the front."""

    parser: FrameParser
    """The parser, with the bytes it holds that complete no message yet."""
    pending: list[Event] = field(default_factory=list)
    """What the server handles first, in the order read (``workspace/didChangeConfiguration`` left out:
    applied already)."""
    answered: MessageId | None = None
    """The id of the ``initialize`` the front answered (the server must not answer it again)."""
    analyser: Any = None
    """The :class:`~dig_lsp.lsp.documents.DocumentAnalyser` that analysed the first document (None: the
    front analysed nothing)."""
    client_settings: object = None
    """The editor's settings the analyser took (``initializationOptions``, then didChangeConfiguration)."""
    published: dict[str, Any] = field(default_factory=dict)
    """URI -> unit key of each document whose diagnostics were published."""
    requests: set[str] = field(default_factory=set)
    """The ids of the front's requests to the client, whose responses the server drops."""
    initialized: bool = False
    """Whether the front handled ``initialized`` (and asked for file watchers if the client can)."""
    executor: ThreadPoolExecutor | None = None
    """The analysis thread the first analysis ran on, for the server's analyses after it (one at a time)."""
    running: dict[str, Future[Any]] = field(default_factory=dict)
    """URI -> the first analysis, still running (longer than :data:`FIRST_ANALYSIS_GRACE`): the server
    publishes its result, unless the document changed meanwhile."""


def fits(value: Any, shape: tuple[Any, ...]) -> bool:
    """Whether lsprotocol surely accepts ``value`` for ``shape`` (stricter than lsprotocol: JSON's own
    types only, integers in 32 bits, enumerations' listed values)."""
    kind = shape[0]
    if kind == "any":
        return True
    if kind == "null":
        return value is None
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _INT_MAX
    if kind == "str":
        return isinstance(value, str)
    if kind == "enum":
        return any(type(value) is type(option) and value == option for option in shape[1])
    if kind == "list":
        return isinstance(value, list) and all(fits(item, shape[1]) for item in value)
    if kind == "union":
        return any(fits(value, option) for option in shape[1])
    if kind == "class":
        fields = CLASSES[shape[1]]
        return (isinstance(value, dict) and all(key in value for key, (_, required) in fields.items() if required)
                and all(fits(value[key], inner) for key, (inner, _) in fields.items() if key in value))
    return False


def acceptable_initialize(params: Any) -> bool:
    """Whether ``params`` are ``initialize`` params lsprotocol decodes without complaint."""
    return fits(params, ("class", ROOT))


def _capability(params: dict[str, Any], *path: str) -> Any:
    value: Any = params.get("capabilities")
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def position_encoding(params: dict[str, Any]) -> str:
    """The encoding pygls chooses: the client's first that pygls supports, else UTF-16."""
    offered = _capability(params, "general", "positionEncodings")
    return next((encoding for encoding in offered or () if encoding in _ENCODINGS), UTF16)


def related_support(params: dict[str, Any]) -> bool:
    """Whether the client shows related information (as the server decides, from its capabilities)."""
    return bool(_capability(params, "textDocument", "publishDiagnostics", "relatedInformation"))


def initialize_result(params: dict[str, Any]) -> dict[str, Any]:
    """The ``initialize`` answer pygls gives this client (params that :func:`acceptable_initialize`)."""
    capabilities = copy.deepcopy(CAPABILITIES)
    capabilities["positionEncoding"] = position_encoding(params)
    if _capability(params, "textDocument", "rename", "prepareSupport"):  # LSP: RenameOptions only then
        capabilities["renameProvider"] = {"prepareProvider": True}
    for will in ("willSave", "willSaveWaitUntil"):  # pygls: the client's flag (if any) and no handler
        if _capability(params, "textDocument", "synchronization", will) is not None:
            capabilities["textDocumentSync"][will] = False
    return {"capabilities": capabilities, "serverInfo": {"name": NAME, "version": __version__}}


def watchers_wanted(params: dict[str, Any]) -> bool:
    """Whether the server asks this client for file watchers after ``initialized`` (it registers them
    dynamically)."""
    return bool(_capability(params, "workspace", "didChangeWatchedFiles", "dynamicRegistration"))


def watchers_registration() -> dict[str, Any]:
    """The params of the ``client/registerCapability`` request the server sends after ``initialized``."""
    watchers = [{"globPattern": WATCHED_FILES}]
    return {"registrations": [{"id": WATCHERS_ID, "method": "workspace/didChangeWatchedFiles",
                               "registerOptions": {"watchers": watchers}}]}


def _opened_document(params: Any) -> dict[str, Any] | None:
    """The ``textDocument`` of ``didOpen`` params lsprotocol decodes without complaint (None: others)."""
    document = params.get("textDocument") if isinstance(params, dict) else None
    if not isinstance(document, dict):
        return None
    version = document.get("version")
    if not (isinstance(version, int) and not isinstance(version, bool) and -_INT_MAX - 1 <= version <= _INT_MAX):
        return None
    if not all(isinstance(document.get(key), str) for key in ("uri", "languageId", "text")):
        return None
    return document


class _Front:
    """One pass over the first messages (see the module)."""

    def __init__(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        self._read = getattr(stdin, "read1", stdin.read)
        self._stdout = stdout
        self._events: collections.deque[Event] = collections.deque()
        self._ended = False
        self.handover = Handover(FrameParser())
        self._params: dict[str, Any] = {}  # initialize's
        self._requests_sent = 0

    def run(self) -> Handover:
        message = self._next_message()
        if message is None or not self._is_initialize(message):
            return self.handover
        params = self._params = message["params"]
        try:  # before the answer: the editor sends the document once answered, and its analysis needs the core
            documents = self._import_core()
        except Exception:  # the server imports it again, and reports what goes wrong where it is needed
            logger.exception("importing the analysis core failed")
            return self.handover
        if not self._send({"id": message["id"], "jsonrpc": "2.0", "result": initialize_result(params)}):
            return self.handover
        self.handover.answered = message["id"]
        analyser = self.handover.analyser = documents.DocumentAnalyser()
        self._take_settings(params.get("initializationOptions"))
        while (message := self._next_message()) is not None:
            method, params = message.get("method"), message.get("params")
            if "method" not in message and message["id"] in self.handover.requests:
                self.handover.pending.pop()  # the answer to the front's request: dropped, as the server would
                self.handover.requests.discard(message["id"])
                continue
            if "id" in message:
                return self.handover  # a request (or another response): the server handles it
            if method == "initialized" and isinstance(params, dict) and not self.handover.initialized:
                self.handover.pending.pop()  # handled here, instead of replayed
                self.handover.initialized = True
                if watchers_wanted(self._params) and not self._request("client/registerCapability",
                                                                       watchers_registration()):
                    return self.handover
                continue
            if method == "workspace/didChangeConfiguration" and isinstance(params, dict) and "settings" in params:
                self.handover.pending.pop()  # applied here, instead of replayed
                self._take_settings(params["settings"])
                continue
            document = _opened_document(params) if method == "textDocument/didOpen" else None
            if document is not None:
                self._analyse_first(documents, analyser, document)
            return self.handover
        return self.handover

    def _take_settings(self, data: object) -> None:
        self.handover.client_settings = data
        self.handover.analyser.set_client_settings(data)

    # ------------------------------------------------------------------ reading

    def _next_message(self) -> dict[str, Any] | None:
        """The next frame's JSON-RPC message, kept as pending; None at the end of the input or when the
        next event is no well-formed message (the server answers it as it would)."""
        while not self._events and not self._ended:
            try:
                chunk: bytes = self._read(CHUNK_BYTES)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                self._ended = True  # the server's reader sees the end again and stops
            else:
                self._events.extend(self.handover.parser.feed(chunk))
        if not self._events:
            return None
        event = self._events.popleft()
        self.handover.pending.append(event)
        if not isinstance(event, Frame):
            return None
        data, problem = decode_body(event.body)
        if problem is not None or request_problem(data) is not None:
            return None
        return data if isinstance(data, dict) else None  # a request, a notification or a response

    def _is_initialize(self, message: dict[str, Any]) -> bool:
        return (message.get("method") == "initialize" and valid_id(message.get("id"))
                and acceptable_initialize(message.get("params")))

    def finish(self) -> Handover:
        """Events read but not yet looked at go to the server too, after the pending ones."""
        self.handover.pending.extend(self._events)
        self._events.clear()
        return self.handover

    # ------------------------------------------------------------------ writing

    def _send(self, message: dict[str, Any]) -> bool:
        """Write one message as pygls frames it; False when the output is broken."""
        body = json.dumps(message)
        header = f"Content-Length: {len(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        try:
            self._stdout.write((header + body).encode("utf-8"))
            self._stdout.flush()
        except (OSError, ValueError):
            logger.warning("the client's input is closed")
            return False
        return True

    def _request(self, method: str, params: dict[str, Any]) -> bool:
        """Send a request to the client (ids of their own: pygls's are UUIDs, which take 15 ms to import)."""
        self._requests_sent += 1
        ident = f"dig-lsp-start-{self._requests_sent}"
        self.handover.requests.add(ident)
        return self._send({"id": ident, "params": params, "method": method, "jsonrpc": "2.0"})

    # ------------------------------------------------------------------ the first analysis

    @staticmethod
    def _import_core() -> Any:
        """The analysis of open documents and with it the analysis core; what it made lives as long as the
        server, so it is frozen (the cyclic collector never walks it again), as the server does."""
        from dig_lsp.lsp import documents

        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)  # the analysis runs with the collector on, as in the server
        gc.enable()
        return documents

    def _analyse_first(self, documents: Any, analyser: Any, document: dict[str, Any]) -> None:
        """Analyse the first document on the analysis thread the server will use, and publish its diagnostics
        if it is done within :data:`FIRST_ANALYSIS_GRACE`; otherwise the server takes the running analysis
        over (:attr:`Handover.running`), so that messages are read again meanwhile."""
        uri = document["uri"]
        path = documents.document_path(uri)
        if path is None:
            return  # not a file: the server publishes nothing for it either
        opened = {path: documents.OpenDocument(uri, path, document["version"], document["text"])}
        executor = self.handover.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dig-lsp-analysis")
        started = time.perf_counter()
        future = executor.submit(analyser.analyse_document, path, opened, position_encoding(self._params),
                                 related_support(self._params), True)
        try:
            result = future.result(timeout=FIRST_ANALYSIS_GRACE)
        except concurrent.futures.TimeoutError:
            self.handover.running[uri] = future
            return
        except Exception:  # the server analyses it again, and logs what goes wrong
            logger.exception("analysing %s failed", uri)
            return
        logger.debug("analysed %s in %.1f ms", uri, (time.perf_counter() - started) * 1000)
        for publication in result.publications:
            params: dict[str, Any] = {"uri": publication.uri, "diagnostics": publication.diagnostics}
            if publication.version is not None:
                params["version"] = publication.version
            if not self._send({"method": "textDocument/publishDiagnostics", "params": params, "jsonrpc": "2.0"}):
                return
            self.handover.published[publication.uri] = result.key
        lsprotocol = "imported" if "lsprotocol.types" in sys.modules else "not imported"  # tests/test_lsp_front.py
        logger.debug("first diagnostics published; lsprotocol %s", lsprotocol)


def serve_first_document(stdin: BinaryIO, stdout: BinaryIO) -> Handover:
    """Answer the first messages on ``stdin`` (see the module) and say what the server takes over."""
    front = _Front(stdin, stdout)
    front.run()
    return front.finish()
