"""Mapping a YAML scalar's value back to the source text it was read from.

A value's characters are not where a naive offset would put them: quotes, escapes
(``\\n``, ``\\"``, ``''``), block indentation and line folding all sit between them. This
aligns the value with its raw source once, so any index into the value (a ``${`` or a
JavaScript syntax error inside it) maps to an exact source offset.
"""

from __future__ import annotations

from functools import lru_cache

from dig_lsp.syntax.nodes import Scalar
from dig_lsp.text.source import SourceFile

_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}


def _escape(raw: str, index: int) -> tuple[str, int]:
    """The text a double-quoted escape at ``raw[index] == '\\'`` stands for, and its length."""
    if index + 1 >= len(raw):
        return "\\", 1
    code = raw[index + 1]
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code], 2
    if code in _HEX_LENGTHS:
        digits = raw[index + 2 : index + 2 + _HEX_LENGTHS[code]]
        try:
            return chr(int(digits, 16)), 2 + len(digits)
        except ValueError:
            return "\\", 1
    if code in "\r\n":
        return "", 2  # an escaped line break joins the lines
    return "\\", 1


def value_offsets(scalar: Scalar, source: SourceFile) -> list[int]:
    """Source offset of every character of ``scalar.value`` (plus one for its end).

    The alignment walks value and raw text together; characters the value does not contain
    (quotes, indentation, block headers) are skipped, a folded line break maps to the space
    it became. If the two ever disagree, the remaining characters map to the span's end.
    """
    value = scalar.value if isinstance(scalar.value, str) else scalar.raw
    start, end = source.offsets(scalar.span)
    return [start + offset for offset in _relative_offsets(value, scalar.style, source.text[start:end])]


@lru_cache(maxsize=8192)
def _relative_offsets(value: str, style: str, raw: str) -> tuple[int, ...]:
    """The alignment relative to the scalar's start; memoised because an editor re-analyses the same
    unchanged values on every keystroke."""
    index = _content_start(style, raw)
    offsets: list[int] = []
    for char in value:
        found = None
        while index < len(raw):
            here = raw[index]
            if style == '"' and here == "\\":
                decoded, length = _escape(raw, index)
                if decoded == char:
                    found, index = index, index + length
                    break
                index += length
                continue
            if style == "'" and here == "'" and raw[index + 1 : index + 2] == "'" and char == "'":
                found, index = index, index + 2
                break
            if here == char or (char == " " and here in "\r\n") or (char == "\n" and here == "\r"):
                found, index = index, index + 1
                if here == "\r" and raw[index : index + 1] == "\n" and char in " \n":
                    index += 1
                break
            index += 1
        offsets.append(found if found is not None else len(raw))
    offsets.append(min(index, len(raw)))
    return tuple(offsets)


def _content_start(style: str, raw: str) -> int:
    if style in ("'", '"'):
        return 1
    if style in ("|", ">"):
        newline = raw.find("\n")
        return len(raw) if newline < 0 else newline + 1
    return 0
