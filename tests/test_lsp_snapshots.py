"""Runs queued behind the analysis worker hold no snapshot of the open documents.

Each run's snapshot holds every open document: when a thousand documents were opened at once, a
thousand queued runs each took one (up to a thousand documents each) before the first analysis ended,
and the allocator kept that peak (the server's RSS with 1,000 small projects open: 349 MB, 98 MB once a
run takes its snapshot only when the worker is free for it). Driven in process, with the analysis
replaced by one that reports how many snapshots were taken and not yet analysed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dig_lsp.lsp import documents, server
from tests.lsp_in_process import InProcessServer


def test_one_snapshot_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[int] = []
    outstanding: list[int] = []
    analysed: list[str] = []
    real_snapshot = documents.open_documents

    def counting_snapshot(workspace: Any) -> dict[str, documents.OpenDocument]:
        taken.append(1)
        return real_snapshot(workspace)

    def fake_analyse(self: server.DiagnosticsScheduler, path: str, snapshot: Any, encoding: str,
                     related: bool) -> documents.DocumentAnalysis:
        outstanding.append(len(taken) - len(analysed))
        analysed.append(path)
        return documents.DocumentAnalysis(None, [])

    monkeypatch.setattr(documents, "open_documents", counting_snapshot)
    monkeypatch.setattr(server.DiagnosticsScheduler, "_analyse", fake_analyse)
    in_process = InProcessServer(monkeypatch)
    language_server, send = in_process.server, in_process.send

    async def open_many() -> None:
        send({"id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}})
        for number in range(30):
            send({"method": "textDocument/didOpen",
                  "params": {"textDocument": {"uri": f"file:///nowhere/p{number}/wf.dig", "languageId": "dig",
                                              "version": 1, "text": f"+a:\n  echo>: hi {number}\n"}}})
        scheduler = language_server.diagnostics
        while scheduler._pending:
            await asyncio.gather(*scheduler._pending.values())
        scheduler.shutdown()

    asyncio.run(open_many())
    assert len(analysed) == 30
    assert outstanding == [1] * 30
