"""Applying the client's edits at exactly the positions it means.

pygls converts an edit's range to code points with ``PositionCodec.position_from_client_units``,
which clamps a position past the end of a line to one character *before* the end (it assumes
every line ends with a line break, so the last line of a document without a final newline lost
its last character's slot), and measures a position past the last line in client units instead
of code points. Editors do send such positions (typing at the end of the last line, pastes at
the end), and the server's copy of the document then silently differed from the editor's: every
diagnostic after that point was computed for a text the user never wrote.

The LSP rule is simpler: a character past the end of its line means the end of that line, and a
line past the end of the document means the end of the document.

Lines themselves: pygls splits a document with ``str.splitlines``, which also ends a line at
U+2028, U+2029, U+0085, vertical tab, form feed and U+001C..U+001E. LSP ends lines only at
``\\n``, ``\\r\\n`` and ``\\r`` (the specification's ``EOL``), so with one of those characters in a
document every edit below it landed on the wrong line, and the server analysed a text the editor
did not show. :class:`LspTextDocument` counts lines as LSP does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

_LINE_BREAKS = ("\r\n", "\n", "\r")
_LSP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lsp_lines(text: str) -> tuple[str, ...]:
    """``text`` split into lines the way LSP counts them, each with its line break."""
    return tuple(_LSP_LINE.findall(text))


def _content(line: str) -> str:
    """A line without its line break."""
    for ending in _LINE_BREAKS:
        if line.endswith(ending):
            return line[: -len(ending)]
    return line


class ClampingPositionCodec(PositionCodec):
    """pygls' codec with the LSP's clamping rules (see the module docstring); never mutates its input."""

    def position_from_client_units(self, lines: Sequence[str], position: types.Position) -> ServerTextPosition:
        """The code-point position of a client position, clamped to the document."""
        if not lines:
            return ServerTextPosition(0, 0)
        if position.line >= len(lines):
            return ServerTextPosition(len(lines) - 1, len(lines[-1]))
        content = _content(lines[position.line])
        units = 0
        for index, char in enumerate(content):
            if units >= position.character:
                return ServerTextPosition(position.line, index)
            units += self.impl.code_units_for_char(char)
        return ServerTextPosition(position.line, len(content))


class LspTextDocument(TextDocument):
    """pygls's document with LSP's lines (see the module docstring); every position conversion and
    incremental edit of pygls goes through :attr:`lines`.

    The lines are kept with the text they were split from, and an incremental edit splits again only the
    lines it touches. Why: pygls splits the whole document into lines for every change and writes every
    line out again to apply it, 30 ms of each keystroke on a 30,000-line workflow (more than the
    analysis of the keystroke's task).
    """

    # the text the lines were split from, and the lines: one attribute, so that a reader on another thread
    # never pairs one text with another's lines
    _split: tuple[str, tuple[str, ...]] | None = None

    @property
    def lines(self) -> Sequence[str]:
        """The document's lines, each with its line break (only ``\\n``, ``\\r\\n``, ``\\r`` end one)."""
        split, source = self._split, self.source
        if split is not None and split[0] is source:
            return split[1]
        lines = lsp_lines(source)
        self._split = (source, lines)
        return lines

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        lines = self.lines
        edit = self._position_codec.range_from_client_units(lines, change.range)
        start, end = edit.start, edit.end
        if not lines or (end.line, end.character) < (start.line, start.character):
            super()._apply_incremental_change(change)  # an empty document, or a range backwards: pygls's way
            return
        # the touched lines, edited: from the start of the first to the line break of the last included
        piece = lines[start.line][:start.character] + change.text + lines[end.line][end.character:]
        before, after = lines[:start.line], lines[end.line + 1:]
        if (piece.startswith("\n") and before and before[-1].endswith("\r")) or \
                (piece.endswith("\r") and after and after[0].startswith("\n")):
            super()._apply_incremental_change(change)  # a CR and an LF meet across the edit: one line break
            return
        first = sum(map(len, before))
        last = first + sum(map(len, lines[start.line:end.line + 1]))
        text = self.source
        source = text[:first] + piece + text[last:]
        self._source = source
        self._split = (source, (*before, *lsp_lines(piece), *after))


class LspWorkspace(Workspace):
    """pygls's workspace, opening :class:`LspTextDocument` documents."""

    def _create_text_document(self, doc_uri: str, source: str | None = None, version: int | None = None,
                              language_id: str | None = None) -> TextDocument:
        return LspTextDocument(doc_uri, source=source, version=version, language_id=language_id,
                               sync_kind=self._sync_kind, position_codec=self._position_codec)


def use_clamping_positions(workspace: Workspace) -> None:
    """Give ``workspace`` (and the documents it opens from now on) the correct codec and lines.

    pygls creates the workspace during ``initialize`` with its own codec and hands that codec to
    every document it opens, so this must run before the first ``didOpen``: the server calls it
    from its ``initialize`` handler. pygls constructs the workspace itself, so its class is
    switched to :class:`LspWorkspace` (which adds no state, only the documents it creates).
    """
    encoding = workspace.position_encoding or types.PositionEncodingKind.Utf16
    workspace._position_codec = ClampingPositionCodec(encoding=encoding)
    workspace.__class__ = LspWorkspace
