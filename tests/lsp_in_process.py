"""The language server built in the test's own process, fed JSON-RPC bodies, its output discarded.

For tests of what the server holds between messages (futures, snapshots), which a client over stdio cannot
see. The analysis core is not imported in the background (a test that needs it imports it or replaces
what would use it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dig_lsp.lsp import server


class _Discard:
    """pygls's writer interface, writing nothing."""

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


class InProcessServer:
    """A fresh :func:`~dig_lsp.lsp.server.create_server` whose messages come from :meth:`send`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(server, "_import_in_background", lambda *args, **kwargs: None)
        self.server = server.create_server()
        self.server.protocol.set_writer(_Discard())

    def send(self, message: dict[str, Any]) -> None:
        """Handle one message (``jsonrpc`` added) as if it had been read from the client."""
        self.server.protocol.receive(json.dumps({"jsonrpc": "2.0", **message}).encode())
