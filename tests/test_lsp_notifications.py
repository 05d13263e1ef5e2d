"""The server keeps nothing of a notification once it is handled.

pygls 2 files the future of a notification whose handler is a generator or a coroutine (``didOpen``,
``didChange``, ``didClose``) under a fresh id and never removes it: two futures per keystroke stayed for
the whole session and pinned the allocator's arenas (:mod:`dig_lsp.lsp.protocol`). Driven in process,
because what is held is inside the server; the analysis is not started (nothing here needs it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dig_lsp.lsp import server


class _Discard:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def test_handled_notifications_leave_no_futures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "_import_in_background", lambda *args, **kwargs: None)
    monkeypatch.setattr(server.DiagnosticsScheduler, "schedule", lambda self, uri, delay=None: None)
    language_server = server.create_server()
    language_server.protocol.set_writer(_Discard())

    def send(message: dict[str, Any]) -> None:
        language_server.protocol.receive(json.dumps({"jsonrpc": "2.0", **message}).encode())

    send({"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
    send({"method": "initialized", "params": {}})
    uri = "file:///nowhere/wf.dig"
    send({"method": "textDocument/didOpen",
          "params": {"textDocument": {"uri": uri, "languageId": "dig", "version": 1, "text": "+a:\n  echo>: hi\n"}}})
    for version in range(2, 40):
        send({"method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": version},
                         "contentChanges": [{"text": f"+a:\n  echo>: hi {version}\n"}]}})
    send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})

    assert language_server.protocol._request_futures == {}
    assert language_server.workspace.text_documents == {}
