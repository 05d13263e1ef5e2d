"""LSP's base protocol on a byte stream: ``Content-Length`` framed JSON, as editors speak it.

Shared by the scripts that drive the real server over its pipes (``bench_lsp.py``,
``edit_session.py``) and by ``tests/test_protocol_robustness.py``; a client library would refuse
to send the malformed requests those tests need.
"""

from __future__ import annotations

import json
from typing import IO, Any


def frame(message: dict[str, Any]) -> bytes:
    """One message as the bytes to write (``jsonrpc`` added unless given)."""
    body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: IO[bytes]) -> dict[str, Any] | None:
    """The next message of ``stream``, or None when the stream has ended."""
    length = 0
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    message: dict[str, Any] = json.loads(stream.read(length))
    return message
