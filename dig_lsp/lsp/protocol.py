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
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeGuard

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol

logger = logging.getLogger(__name__)

PARSE_ERROR = types.ErrorCodes.ParseError.value
INVALID_REQUEST = types.ErrorCodes.InvalidRequest.value
SERVER_NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized.value

MessageId = int | str


def valid_id(value: object) -> TypeGuard[MessageId]:
    """LSP ids are integers or strings (JSON-RPC's null and fractions are refused)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def decode_body(body: bytes) -> tuple[Any, str | None]:
    """The JSON value of a frame body, or why it is no JSON (a -32700)."""
    try:
        return json.loads(body.decode("utf-8")), None
    except UnicodeDecodeError as error:
        return None, f"the body is not UTF-8 ({error.reason} at byte {error.start})"
    except RecursionError:
        return None, "the body is nested too deeply"
    except ValueError as error:  # JSONDecodeError, and integers past Python's digit limit
        return None, f"the body is not JSON: {str(error)[:200]}"


def request_problem(data: Any) -> tuple[MessageId | None, str] | None:
    """Why ``data`` is no JSON-RPC message (a -32600) and the id to answer with; None when it is one.

    A response from the client (no ``method``) is a message too when it has an id and a result or
    an error; anything else without a method is an invalid request.
    """
    if isinstance(data, list):
        return None, "batches are not part of LSP"
    if not isinstance(data, dict):
        return None, "a message must be a JSON object"
    ident = data.get("id")
    answer_to = ident if "method" in data and valid_id(ident) else None
    if data.get("jsonrpc") != "2.0":
        return answer_to, 'the message lacks "jsonrpc": "2.0"'
    if "method" in data:
        if not isinstance(data["method"], str):
            return answer_to, "the method must be a string"
        if "id" in data and not valid_id(ident):
            return None, "the id must be an integer or a string"
        return None
    if not valid_id(ident) or ("result" in data) == ("error" in data):
        return None, "neither a request, a notification nor a response"
    return None


def _is_request(message: Any) -> bool:
    return isinstance(getattr(message, "method", None), str) and valid_id(getattr(message, "id", None))


class DigProtocol(LanguageServerProtocol):
    """pygls's protocol with JSON-RPC's error answers and LSP's lifecycle (see the module)."""

    on_exit: Callable[[int], None] | None = None
    """Called with the exit code (0 after ``shutdown``, else 1) on ``exit``; None: pygls's own."""

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
