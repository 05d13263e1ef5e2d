"""Which variables an ``rb>`` task stores: ``Digdag.env.store(key: value)`` calls with literal keys.

Read as text from the file named by ``require:`` (never loaded or run). Ruby has no parser in
this project's dependencies, so only the literal forms are recognised -- ``key: v``,
``:key => v`` and ``"key" => v`` -- and any other argument makes the set incomplete.
"""

from __future__ import annotations

import re

from dig_lsp.model.python_stores import StoredNames

_CALL = re.compile(r"Digdag\.env\.store\s*\(?(?P<args>[^)\n]*)")
_KEY = re.compile(
    r"""^\s*(?:(?P<word>[A-Za-z_]\w*):(?!:)|:(?P<symbol>[A-Za-z_]\w*)\s*=>|["'](?P<text>[^"']+)["']\s*=>)"""
)


def ruby_stored_names(source: str) -> StoredNames:
    """Names stored by the ``Digdag.env.store`` calls in ``source``."""
    names: list[str] = []
    complete = True
    for call in _CALL.finditer(source):
        for argument in _split(call.group("args").strip().lstrip("{").rstrip("}")):
            match = _KEY.match(argument)
            if match is None:
                complete = False
            else:
                names.append(match.group("word") or match.group("symbol") or match.group("text"))
    return StoredNames(tuple(dict.fromkeys(names)), complete)


def _split(arguments: str) -> list[str]:
    """Top-level comma-separated pieces (commas inside brackets or strings do not split)."""
    pieces: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in arguments:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append("".join(current))
            current = []
            continue
        current.append(char)
    if "".join(current).strip():
        pieces.append("".join(current))
    return pieces
