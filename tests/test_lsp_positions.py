"""The server applies edits where the client means them (pygls' codec clamped one character early)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.workspace import TextDocument

from dig_lsp.lsp.positions import ClampingPositionCodec


def _apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str, encoding: str = "utf-16") -> str:
    document = TextDocument("file:///p/wf.dig", text, version=1, position_codec=ClampingPositionCodec(encoding))
    document.apply_change(types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=new))
    return document.source


@pytest.mark.parametrize(("text", "start", "end", "new", "expected"), [
    ("a: b\nort:", (1, 8), (1, 8), "X", "a: b\nort:X"),  # past the end of the last line
    ("a: b\nort:\n", (1, 8), (1, 8), "X", "a: b\nort:X\n"),  # past the end of a line with its break
    ("a: b\r\nc: d\r\n", (0, 9), (0, 9), "X", "a: bX\r\nc: d\r\n"),  # CRLF: before the break
    ("a: b\n", (7, 2), (9, 0), "X", "a: b\nX"),  # past the last line: the end of the document
    ("a: 😀\nb", (0, 3), (0, 5), "", "a: \nb"),  # a surrogate pair is two UTF-16 units
    ("a: 😀 x\nb", (0, 40), (1, 0), "", "a: 😀 xb"),  # from past the end of a line to the next
])
def test_positions_are_clamped_to_the_end_of_their_line(text: str, start: tuple[int, int], end: tuple[int, int],
                                                         new: str, expected: str) -> None:
    assert _apply(text, start, end, new) == expected


def test_utf8_positions() -> None:
    assert _apply("é: x\n", (0, 2), (0, 3), "", encoding="utf-8") == "é x\n"


def test_the_request_position_is_not_mutated() -> None:
    codec = ClampingPositionCodec("utf-16")
    position = types.Position(0, 99)
    codec.position_from_client_units(["ab"], position)
    assert position == types.Position(0, 99)


@pytest.mark.parametrize("break_", ["\r", "\r\n", "\n"])
def test_reported_lines_are_the_lines_editors_count(tmp_path, break_: str) -> None:  # type: ignore[no-untyped-def]
    """A lone carriage return ends a line for the LSP (its EOL is \\n, \\r\\n or \\r) and for YAML: a
    finding in a file with old Mac line endings is on the line the editor shows, not on line 1."""
    from dig_lsp.config import Settings
    from dig_lsp.text.source import SourceFile
    from tests.conftest import lint_paths

    text = break_.join(["timezone: UTC", "+a:", "  echo>: a", "  sh>: b", ""])
    (tmp_path / "wf.dig").write_bytes(text.encode())
    (found,) = lint_paths([tmp_path], Settings(select=("DL205",)))
    assert (found.span.start.line, found.span.start.column) == (3, 2)
    source = SourceFile("wf.dig", text)
    assert source.line_text(3) == "  sh>: b"
    assert source.line_count == 5
