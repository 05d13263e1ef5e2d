"""The commonest ``${...}``, a name or a chain of names (``td.last_results.count``), read without pyjsparser.

Why: 828 of the 979 distinct templates of the shared corpus have this shape, and running pyjsparser (pure
Python, with a recording subclass and the identifier matching of :mod:`.parse`) over each cost more than
the rest of the template analysis. For these texts the outcome is known without parsing: one
``Identifier`` or ``MemberExpression`` chain, no problem, one free-variable reference spanning the whole
text. :func:`chain_tree` builds exactly the Program pyjsparser builds (same node dicts, same key order),
so the dry run's interpreter walks the same tree; ``tests/test_javascript.py`` compares both readings on
every template of the corpus and on generated chains.

Anything else falls back to the parser: a name pyjsparser treats as a word of the language (its own
keyword and reserved-word lists, the literals ``null``/``true``/``false``, ``eval``/``arguments``), a
non-ASCII name or escape, white space or comments, and chains longer than :data:`MAX_CHAIN_NAMES`
(pyjsparser's tree conversion recurses per link and gives up on a very long one).
"""

from __future__ import annotations

import re
from typing import Any

from pyjsparser.pyjsparserdata import KEYWORDS, RESERVED_WORD

MAX_CHAIN_NAMES = 32

# ASCII identifiers joined by dots, nothing else (ECMA-262 5.1 §7.6: IdentifierStart is a letter, `$` or `_`)
_CHAIN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*", re.ASCII)
# words pyjsparser reads as something other than a plain name in some position: keywords (with its own
# `pyimport`), reserved words of strict mode and the future (pyjsparserdata's isFutureReservedWord), literals
# and the restricted names
_WORDS = frozenset(KEYWORDS) | frozenset(RESERVED_WORD) | {
    "enum", "export", "import", "super", "null", "true", "false", "eval", "arguments"}


def chain_names(text: str) -> tuple[str, ...] | None:
    """The names of ``text`` when it is a plain chain of names (see the module's docstring), else None."""
    if _CHAIN.fullmatch(text) is None:
        return None
    names = tuple(text.split("."))
    if len(names) > MAX_CHAIN_NAMES or any(name in _WORDS for name in names):
        return None
    return names


def chain_tree(names: tuple[str, ...]) -> dict[str, Any]:
    """pyjsparser's Program for ``(a.b.c)``: an ExpressionStatement of nested non-computed MemberExpressions."""
    node: dict[str, Any] = {"type": "Identifier", "name": names[0]}
    for name in names[1:]:
        node = {"type": "MemberExpression", "computed": False, "object": node,
                "property": {"type": "Identifier", "name": name}}
    return {"type": "Program", "body": [{"type": "ExpressionStatement", "expression": node}]}
