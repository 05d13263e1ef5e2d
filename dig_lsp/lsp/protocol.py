"""JSON-RPC and the LSP lifecycle as the specifications say, where pygls's defaults do not.

pygls leaves several messages unanswered or answered wrongly, and a client then waits forever
for a response or acts on a meaningless one:

* a body that is not JSON, or JSON that is no request (an array, a number, a ``method`` that is
  no string, an ``id`` that is an object), only reaches a log: JSON-RPC answers -32700 (parse
  error) or -32600 (invalid request), with ``"id": null`` when the id cannot be read;
* a request whose params do not fit its method fails while pygls decodes it, before it knows it
  is a request: it must still get an error carrying its id;
* requests before ``initialize`` run against an uninitialised server and answer empty results:
  LSP answers -32002 (ServerNotInitialized) and drops notifications;
* requests after ``shutdown`` get no answer at all: LSP answers -32600 (InvalidRequest);
* ``exit`` is handled by :attr:`DigProtocol.on_exit`, which the server points at an immediate
  exit (pygls unwinds its event loop and then waits for every worker thread, including a running
  analysis).

It also forgets what pygls keeps of a handled notification: pygls 2 files the future of every
notification whose handler is a generator or a coroutine (``didOpen``, ``didChange``, ``didClose``
among them) under a fresh id and never removes it, so a long editing session held two futures per
keystroke, and those small long-lived objects, strewn among each analysis's short-lived ones, pinned
the allocator's arenas (100 MiB of arenas for 35 MiB of live objects after 2,000 edits).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol

from dig_lsp.lsp.jsonrpc import MessageId, decode_body, request_problem, valid_id

__all__ = ["INVALID_REQUEST", "PARSE_ERROR", "SERVER_NOT_INITIALIZED", "DigProtocol", "MessageId", "decode_body",
           "request_problem", "valid_id"]

logger = logging.getLogger(__name__)

PARSE_ERROR = types.ErrorCodes.ParseError.value
INVALID_REQUEST = types.ErrorCodes.InvalidRequest.value
SERVER_NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized.value

def _is_request(message: Any) -> bool:
    return isinstance(getattr(message, "method", None), str) and valid_id(getattr(message, "id", None))


class DigProtocol(LanguageServerProtocol):
    """pygls's protocol with JSON-RPC's error answers and LSP's lifecycle (see the module)."""

    on_exit: Callable[[int], None] | None = None
    """Called with the exit code (0 after ``shutdown``, else 1) on ``exit``; None: pygls's own."""
    answered: MessageId | None = None
    """The id of an ``initialize`` the start-up front answered already (:mod:`dig_lsp.lsp.front`): its
    replay sets the server up but sends no second answer."""
    front_requests: frozenset[str] = frozenset()
    """The ids of the front's requests to the client: their responses are dropped (nothing waits for them)."""

    def receive(self, body: bytes) -> None:
        """Handle one frame body: decode it, answer it if it is malformed, dispatch it otherwise."""
        data, parse_problem = decode_body(body)
        if parse_problem is not None:
            logger.warning("answering a parse error: %s", parse_problem)
            self.send_error(None, PARSE_ERROR, f"Parse error: {parse_problem}")
            return
        problem = request_problem(data)
        if problem is not None:
            logger.warning("answering an invalid request: %s", problem[1])
            self.send_error(problem[0], INVALID_REQUEST, f"Invalid request: {problem[1]}")
            return
        try:
            message = self.structure_message(data)
        except Exception:  # structure_message answered a request already
            logger.warning("a message could not be decoded: %s", data.get("method"), exc_info=True)
            return
        try:
            self.handle_message(message)
        except Exception:
            logger.exception("handling %s failed", data.get("method"))

    def send_error(self, ident: MessageId | None, code: int, message: str) -> None:
        """An error response; written as a plain object because lsprotocol's converter drops a null id,
        which JSON-RPC requires when the request's id could not be read."""
        self._send_data({"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": message}})

    def _send_response(self, msg_id: MessageId, result: Any | None = None, error: Any | None = None) -> None:
        """pygls's, except for the ``initialize`` the front answered (see :attr:`answered`)."""
        if self.answered is not None and msg_id == self.answered:
            self.answered = None
            self._result_types.pop(msg_id, None)
            if error is not None:  # cannot happen: the front answers only params lsprotocol accepts
                logger.error("initialize, answered at start-up, failed when replayed: %s", error)
            return
        super()._send_response(msg_id, result, error)

    def send_json_notification(self, method: str, params: dict[str, Any]) -> None:
        """A notification whose params are JSON already (the start-up front's diagnostics)."""
        self._send_data({"jsonrpc": "2.0", "method": method, "params": params})

    def when_cancelled(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` when the request being handled is cancelled (``$/cancelRequest``, or
        ``shutdown``, which cancels every pending request).

        pygls cancels the request's own future only: a coroutine the request awaits through
        ``workspace/executeCommand`` runs on (pygls keys it by an id of its own), and so would a
        child process it waits for.
        """
        ident = self.msg_id
        future = self._request_futures.get(ident) if ident is not None else None
        if future is not None:
            future.add_done_callback(lambda done: callback() if done.cancelled() else None)

    def _execute_handler(self, msg_id: Any, handler: Any, callback: Any, args: tuple[Any, ...] | None = None,
                         kwargs: dict[str, Any] | None = None) -> None:
        """pygls's, except that a notification's future is forgotten once it is done (see the module).

        pygls passes :meth:`_check_handler_result` as the callback of notifications only; a request's
        future is removed by pygls itself when its response is sent."""
        if callback == self._check_handler_result:
            checked = callback

            def callback(future: Any) -> None:
                self._request_futures.pop(msg_id, None)
                checked(future)

        super()._execute_handler(msg_id, handler, callback, args, kwargs)

    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls's decoding, but a request whose params do not fit its method still gets a response:
        pygls raises before it knows the message is a request, and the client waited forever."""
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            ident = data.get("id") if isinstance(data, dict) else None
            if valid_id(ident) and "method" in data:
                self._send_response(ident, error=error.to_response_error())
            raise

    def handle_message(self, message: Any) -> None:
        """Dispatch ``message`` unless the lifecycle forbids it (then answer requests as LSP says)."""
        method = getattr(message, "method", None)
        if method is None and getattr(message, "id", None) in self.front_requests:
            self.front_requests = self.front_requests - {message.id}
            return
        if method == types.EXIT and self.on_exit is not None:
            self.on_exit(0 if self._shutdown else 1)
            return
        refusal = self._refusal(method)
        if refusal is None:
            super().handle_message(message)
        elif _is_request(message):
            self.send_error(message.id, *refusal)
        else:
            logger.debug("dropping %s: %s", method, refusal[1])

    def _refusal(self, method: object) -> tuple[int, str] | None:
        """The error a message with ``method`` gets in the current state (None: it is handled).

        Responses (no method) and ``exit`` are always handled.
        """
        if not isinstance(method, str) or method == types.EXIT:
            return None
        if self._shutdown:
            return INVALID_REQUEST, "the server is shut down"
        initialised = self._workspace is not None
        if method == types.INITIALIZE and initialised:
            return INVALID_REQUEST, "the server is already initialized"
        if method != types.INITIALIZE and not initialised:
            return SERVER_NOT_INITIALIZED, "the server is not initialized"
        return None
