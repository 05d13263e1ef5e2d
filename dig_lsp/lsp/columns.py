"""Columns in the client's position encoding, and the names LSP gives those encodings: plain Python.

Why a module of its own: the start-up front (:mod:`dig_lsp.lsp.front`) converts the first diagnostics
before lsprotocol is imported, and :mod:`dig_lsp.lsp.convert` builds lsprotocol's objects from the same
columns, so both count the same way.
"""

from __future__ import annotations

SOURCE = "dig-lint"
UTF8 = "utf-8"  # lsprotocol's PositionEncodingKind values (tests/test_lsp_front.py holds them equal)
UTF16 = "utf-16"
UTF32 = "utf-32"


def column_units(line: str, column: int, encoding: str = UTF16) -> int:
    """A code-point column of ``line`` measured in the units of ``encoding``.

    Columns past the end of the line (a span ending at a line break) keep their
    overshoot unchanged: every code point there would be one unit anyway.
    """
    column = max(0, column)
    prefix = line[:column]
    overshoot = column - len(prefix)
    if encoding == UTF32:
        return column
    if encoding == UTF8:
        return len(prefix.encode("utf-8", errors="surrogatepass")) + overshoot
    # UTF-16: characters outside the Basic Multilingual Plane take a surrogate pair.
    return len(prefix) + sum(1 for char in prefix if ord(char) > 0xFFFF) + overshoot


def code_point_column(line: str, units: int, encoding: str = UTF16) -> int:
    """Inverse of :func:`column_units`: a column in ``encoding`` units as a code-point column.

    A column in the middle of a character (half a surrogate pair, inside a UTF-8 sequence)
    moves to the end of that character; columns past the end of the line are clamped to it.
    """
    if encoding == UTF32:
        return max(0, min(units, len(line)))
    consumed = 0
    for index, char in enumerate(line):
        if consumed >= units:
            return index
        if encoding == UTF8:
            consumed += len(char.encode("utf-8", errors="surrogatepass"))
        else:
            consumed += 2 if ord(char) > 0xFFFF else 1
    return len(line)
