"""The language server's own input cannot break it (issue 19, class 8), over its real stdio.

Each test sends what a broken or hostile client could: here, documents with Unicode line
separators. A hang fails a test (the client's watchdog kills the server), it never hangs pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dig_lsp.lsp.positions import lsp_lines
from tests.test_protocol_robustness import RawClient


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[RawClient]:
    client = RawClient(tmp_path)
    client.initialize(tmp_path)
    yield client
    client.close()


# ------------------------------------------------------------------------------- line counting


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_move_edits(raw: RawClient, tmp_path: Path, separator: str) -> None:
    """LSP lines end at \\n, \\r\\n and \\r only: an edit on line 2 lands on `+b:`, not elsewhere."""
    uri = (tmp_path / "wf.dig").as_uri()
    text = f'+a:\n  echo>: "x{separator}y"\n+b:\n  echo>: z\n'
    raw.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dig", "version": 1,
                                                         "text": text}})
    edit = {"range": {"start": {"line": 2, "character": 1}, "end": {"line": 2, "character": 2}}, "text": "c"}
    raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [edit]})
    symbols = raw.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})["result"]
    assert [symbol["name"] for symbol in symbols] == ["+a", "+c"]


def test_lsp_lines_end_only_at_lsp_line_breaks() -> None:
    text = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\r\nj\rk\nl"
    assert lsp_lines(text) == ("a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\x1dh\x1ei\r\n", "j\r", "k\n", "l")
    assert lsp_lines("") == ()
    assert lsp_lines("\n\n") == ("\n", "\n")
