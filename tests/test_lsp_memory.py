"""What the language server keeps between messages, driven in process (what is held is inside the server).

pygls 2 files the future of a notification whose handler is a generator or a coroutine (``didOpen``,
``didChange``, ``didClose``) under a fresh id and never removes it: two futures per keystroke stayed for
the whole session and pinned the allocator's arenas (:mod:`dig_lsp.lsp.protocol`). Analyses run with the
cyclic collector paused and freeze what they leave (:mod:`dig_lsp.lsp.memory`); cycles frozen on the way
must still be collected.
"""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from dig_lsp.lsp import server
from tests.lsp_in_process import InProcessServer


def test_handled_notifications_leave_no_futures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.DiagnosticsScheduler, "schedule", lambda self, uri, delay=None: None)
    in_process = InProcessServer(monkeypatch)
    language_server, send = in_process.server, in_process.send

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


class _Cycle:
    """An object in a reference cycle with itself (what libraries' parse trees are)."""

    def __init__(self) -> None:
        self.me = self


def test_analyses_freeze_what_they_leave_and_cycles_are_collected_later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server analyses without the cyclic collector and freezes what is left (:mod:`dig_lsp.lsp.memory`):
    cyclic garbage made meanwhile waits, frozen, for the full collection made once the interpreter has grown
    past the mark, and no longer."""
    from dig_lsp.lsp import memory

    monkeypatch.setattr(memory, "_blocks_after_collection", None)
    try:
        with memory.collector_paused():
            assert not gc.isenabled()
            first = _Cycle()
        assert gc.isenabled()
        watched = weakref.ref(first)
        del first
        gc.collect()
        assert watched() is not None  # frozen: the collector does not see it
        # the interpreter grows past the mark: the next analysis ends with a full collection
        monkeypatch.setattr(memory, "_GROWTH_BLOCKS", 0)
        monkeypatch.setattr(memory, "_blocks_after_collection", sys.getallocatedblocks() // 2)
        with memory.collector_paused():
            pass
        assert watched() is None
        assert memory._blocks_after_collection is not None
    finally:
        gc.unfreeze()
        gc.enable()
