"""JSON-RPC's rules for a message, in plain Python: what is JSON, what is a message, what is an id.

Why a module of its own: :class:`dig_lsp.lsp.protocol.DigProtocol` (pygls) and the start-up front
(:mod:`dig_lsp.lsp.front`, which reads the first messages before pygls is imported) judge messages
by the same rules.
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

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
