"""Decoding files into text and mapping offsets to lines and columns."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from dig_lsp.text.span import Position, Span

BOM = "\ufeff"
# Lines end at \n, \r\n and a lone \r, as the Language Server Protocol counts them (its `EOL`), so a
# line:column here is the one editors show. YAML also breaks lines at U+0085, U+2028 and U+2029; editors
# do not, and neither do we: positions are for people, and offsets (not lines) link us to the parser.
_LONE_CR = re.compile(r"\r(?!\n)")
_LF = re.compile("\n")


@dataclass(frozen=True, slots=True)
class DecodeProblem:
    """Something wrong with a file's bytes, found before YAML sees the text."""

    kind: str  # "invalid-utf8" | "bom"
    message: str
    offset: int


@dataclass(frozen=True)
class SourceFile:
    """A file's decoded text plus a line index.

    digdag reads files as UTF-8 (``YamlConfigLoader.loadFile``); bytes that are not UTF-8
    are replaced (U+FFFD) so the rest of the file can still be analysed, and the first
    bad byte is reported. A leading BOM is stripped from the text the YAML parser sees but
    offsets stay relative to the text without it.
    """

    path: str
    text: str
    problems: tuple[DecodeProblem, ...] = ()
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = self.text
        # the language server indexes a large document's text at every keystroke: a compiled search is the
        # fastest way found (2.3 ms at 30,000 lines, 6.3 ms with str.find in a loop; splitting the text
        # into lines was 3 ms and held a copy of the text as line strings)
        starts = [0, *[match.end() for match in _LF.finditer(text)]]
        if "\r" in text:  # rare: merge in the lone carriage returns
            starts = sorted({*starts, *(match.end() for match in _LONE_CR.finditer(text))})
        object.__setattr__(self, "_line_starts", tuple(starts))

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> SourceFile:
        """Decode ``data`` as UTF-8, recording (not raising on) anything unusual."""
        problems: list[DecodeProblem] = []
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            text = data.decode("utf-8", errors="replace")
            prefix = data[: error.start].decode("utf-8", errors="replace")
            problems.append(
                DecodeProblem(
                    "invalid-utf8",
                    f"byte 0x{data[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
                    len(prefix),
                )
            )
        if text.startswith(BOM):
            text = text[1:]
            problems.append(DecodeProblem("bom", "file starts with a UTF-8 byte order mark", 0))
        return cls(path, text, tuple(problems))

    @property
    def line_count(self) -> int:
        """Number of lines (a trailing newline starts an empty last line)."""
        return len(self._line_starts)

    def position(self, offset: int) -> Position:
        """The 0-based line/column of a code-point offset, clamped to the text."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return Position(line, offset - self._line_starts[line])

    def offset(self, position: Position) -> int:
        """The offset of a line/column, clamped to the line's end and the text's end."""
        if position.line >= len(self._line_starts):
            return len(self.text)
        return min(self.at(Position(position.line, max(0, position.column))), self.line_end(position.line))

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line``, excluding its line break."""
        if line + 1 < len(self._line_starts):
            end = self._line_starts[line + 1] - 1
            if end > 0 and self.text[end - 1 : end] == "\r":
                end -= 1
            return end
        return len(self.text)

    def line_text(self, line: int) -> str:
        """The text of a 0-based line, without its line break ('' past the end)."""
        if not 0 <= line < len(self._line_starts):
            return ""
        return self.text[self._line_starts[line] : self.line_end(line)]

    def offset_of_mark(self, mark: object) -> int:
        """The offset of a YAML parser mark (it carries a code-point ``index``)."""
        index = getattr(mark, "index", None)
        if isinstance(index, int):
            return max(0, min(index, len(self.text)))
        line = int(getattr(mark, "line", 0))
        return self.offset(Position(line, int(getattr(mark, "column", 0))))

    def span(self, start: int, end: int | None = None) -> Span:
        """A span between two offsets of this file."""
        return Span(self.path, self.position(start), self.position(start if end is None else end))

    def at(self, position: Position) -> int:
        """The offset of a position of this file's spans (the inverse of :meth:`position`: a column past
        the line's end, between a CR and its LF, stays there), clamped to the text."""
        starts = self._line_starts
        if position.line >= len(starts):
            return len(self.text)
        return min(starts[max(0, position.line)] + position.column, len(self.text))

    def offsets(self, span: Span) -> tuple[int, int]:
        """The start and end offsets of a span of this file."""
        return self.at(span.start), self.at(span.end)

    def slice(self, span: Span) -> str:
        """The text a span of this file covers."""
        start, end = self.offsets(span)
        return self.text[start:end]

    def line_span(self, line: int) -> Span:
        """The span of a whole line's text."""
        start = self._line_starts[min(max(line, 0), len(self._line_starts) - 1)]
        return self.span(start, self.line_end(line))
