"""Trino's lexer, as its grammar defines it, in one fast pass.

The token rules of Trino's ``SqlBase.g4`` (Trino 422, ``trino-query-parser`` 0.422.7; Treasure Data
runs Trino 423) rewritten as regular expressions: whitespace is only space, tab, CR and LF; names are
``[A-Z_][A-Z0-9_]*`` after upper-casing each character (Trino's ``CaseInsensitiveStream``), so a
letter outside A-Z is not part of a name; ``--`` and ``/* */`` comments; ``'...'`` text with ``''``
inside, ``U&'...'``, ``X'...'``; ``"..."`` and ```...``` names; integers (also ``0x``/``0o``/``0b``
and ``_`` between digits), decimals, doubles, and ``DIGIT_IDENTIFIER`` (a digit then name characters);
every other character is one ``UNRECOGNIZED`` token, which no rule of the parser accepts (``;`` is
one too: it is kept as its own kind here, to split statements). As in ANTLR,
the longest match wins and a tie goes to the rule defined first (a keyword over a name, an integer
over a digit identifier). ``tests/test_trino_grammar.py`` compares it with the ANTLR lexer generated
from the grammar on the corpora and on generated text.

The keywords (and which of them are reserved) are data in ``schemas/sql/trino.json``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

IDENTIFIER = "IDENTIFIER"
QUOTED_IDENTIFIER = "QUOTED_IDENTIFIER"
BACKQUOTED_IDENTIFIER = "BACKQUOTED_IDENTIFIER"
DIGIT_IDENTIFIER = "DIGIT_IDENTIFIER"
STRING = "STRING"
UNICODE_STRING = "UNICODE_STRING"
BINARY_LITERAL = "BINARY_LITERAL"
INTEGER_VALUE = "INTEGER_VALUE"
DECIMAL_VALUE = "DECIMAL_VALUE"
DOUBLE_VALUE = "DOUBLE_VALUE"
UNRECOGNIZED = "UNRECOGNIZED"
NEQ = "NEQ"
EOF = "EOF"


class Token(NamedTuple):
    """One token: its kind (a keyword's token name, a punctuation's text, or a class above) and range.

    A named tuple, not a frozen dataclass: every query of a run is cut into them (~43,000 over the
    corpus), and a frozen dataclass takes twice as long to make."""

    kind: str
    start: int
    end: int  # exclusive


@lru_cache(maxsize=1)
def grammar_data() -> dict[str, Any]:
    """``schemas/sql/trino.json``: keywords, reserved words, functions."""
    from dig_lsp.model.catalog import schema_root

    data: dict[str, Any] = json.loads(schema_root().joinpath("sql", "trino.json").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def keywords() -> dict[str, str]:
    """Keyword (upper case) -> its token name (``STRING`` is ``TEXT_STRING``)."""
    words: dict[str, str] = grammar_data()["keywords"]
    return words


@lru_cache(maxsize=1)
def reserved() -> frozenset[str]:
    """Keywords that are not ``nonReserved``: never a name unless quoted."""
    return frozenset(grammar_data()["reserved"])


# One pass: the alternatives below are tried in order at each position; the order and the number
# rule make the result the longest match with ANTLR's tie-break (see _number).
_SCAN = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>--[^\r\n]*\r?\n?|/\*.*?\*/)
  | (?P<ustring>U&'(?:[^']|'')*')
  | (?P<binary>X'[^']*')
  | (?P<word>[A-Z_][A-Z0-9_]*)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<backquoted>`(?:[^`]|``)*`)
  | (?P<number>[0-9]|\.[0-9])
  | (?P<punct>->|=>|<=|>=|<>|!=|\|\||\{-|-\}|[.(),\[\]:|^$={}<>+\-*/%?;])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

_INTEGER = re.compile(r"0X(?:_?[0-9A-F])+|0O(?:_?[0-7])+|0B(?:_?[01])+|[0-9](?:_?[0-9])*")
_DECIMAL = re.compile(r"[0-9](?:_?[0-9])*\.(?:[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*")
_DOUBLE = re.compile(r"[0-9]+(?:\.[0-9]*)?E[+-]?[0-9]+|\.[0-9]+E[+-]?[0-9]+")
_DIGIT_IDENTIFIER = re.compile(r"[0-9][A-Z0-9_]+")


def _number(upper: str, position: int) -> tuple[str, int]:
    """The longest of the number rules at ``position`` (the first defined on a tie): kind, end. Each
    pattern is only ever matched at a number's start (they are not linear when searched)."""
    best, best_end = "", position
    for kind, match in ((INTEGER_VALUE, _INTEGER.match(upper, position)),
                        (DECIMAL_VALUE, _DECIMAL.match(upper, position)),
                        (DOUBLE_VALUE, _DOUBLE.match(upper, position)),
                        (DIGIT_IDENTIFIER, _DIGIT_IDENTIFIER.match(upper, position))):
        if match is not None and match.end() > best_end:
            best, best_end = kind, match.end()
    return best, best_end


def upper_case(text: str) -> str:
    """``text`` upper-cased character by character, keeping its length (``ß`` stays ``ß``, as Java's
    ``Character.toUpperCase`` leaves a character whose upper case is two)."""
    upper = text.upper()
    if len(upper) == len(text):
        return upper
    return "".join(u if len(u := c.upper()) == 1 else c for c in text)


def tokenize(text: str) -> list[Token]:
    """The tokens of the default channel (no whitespace, no comments), without an end-of-file token.

    Scanned once per text: the judge, the function-call and the statement passes each asked for the
    tokens of the same query (five scans of each); the tokens are frozen, the list is the caller's own."""
    return list(_scanned(text))


def tokens_in_place(text: str) -> Sequence[Token]:
    """``text``'s tokens, or, for a statement ``statement_texts`` cut out, its query's tokens for it, not
    moved: the same kinds and lengths, each ``start`` and ``end`` larger by the statement's offset.
    What reads only kinds and lengths (the fast recogniser) need not have them moved."""
    with _kept_lock:
        found = _kept.get(text)
        if isinstance(found, _Slice):
            _kept.move_to_end(text)
            return found.tokens[found.first:found.last]
    return _scanned(text)


@dataclass(frozen=True)
class _Slice:
    """A statement's tokens, kept as its query's tokens and their range, moved when first asked for."""

    tokens: tuple[Token, ...]
    first: int
    last: int
    offset: int

    def moved(self) -> tuple[Token, ...]:
        offset = self.offset
        return tuple(Token(t.kind, t.start - offset, t.end - offset) for t in self.tokens[self.first:self.last])


_KEPT = 16  # texts whose tokens are kept (a query, its statements, their renderings)
_kept: OrderedDict[str, tuple[Token, ...] | _Slice] = OrderedDict()
_kept_lock = threading.Lock()  # the language server analyses on a thread of its own


def _scanned(text: str) -> tuple[Token, ...]:
    with _kept_lock:
        found = _kept.get(text)
        if found is not None:
            _kept.move_to_end(text)
    if isinstance(found, tuple):
        return found
    tokens = found.moved() if found is not None else tuple(_scan_tokens(text))
    _keep(text, tokens)
    return tokens


def _keep(text: str, tokens: tuple[Token, ...] | _Slice) -> None:
    with _kept_lock:
        _kept[text] = tokens
        _kept.move_to_end(text)
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)


def statement_texts(text: str) -> list[tuple[int, int, int, str]]:
    """Each statement of ``text`` (see ``statements``): its token range in ``text``'s tokens, its offset
    and its text (from its first token to its last), whose tokens are then known without a scan.

    They are ``text``'s tokens moved by the offset: every token rule matches from where the previous
    token or the skipped text ended and looks at nothing before, and none can match differently when
    the text after the statement's last token is cut off (the rules have no anchors or lookahead: a
    match in the shorter text is one in the longer, and the longest match ended there); upper-casing is
    character by character. The statement passes (the fast recogniser, the calls, the judge) each ask
    for the statement's tokens: it was scanned again for them. They are moved only when asked for
    (``tokens_in_place`` gives them unmoved: the recogniser, which reads every statement, needs no
    positions)."""
    tokens = _scanned(text)
    found: list[tuple[int, int, int, str]] = []
    for first, last in statements(tokens):
        start = tokens[first].start
        statement = text[start:tokens[last - 1].end]
        found.append((first, last, start, statement))
        with _kept_lock:
            known = statement in _kept
        if not known:
            _keep(statement, _Slice(tokens, first, last, start))
    return found


def _scan_tokens(text: str) -> list[Token]:
    upper = upper_case(text)
    words = keywords()
    tokens: list[Token] = []
    append = tokens.append
    position, length = 0, len(upper)
    while position < length:
        match = _SCAN.match(upper, position)
        assert match is not None  # `other` matches any character
        group = match.lastgroup
        end = match.end()
        if group == "ws" or group == "comment":
            pass
        elif group == "word":
            append(Token(words.get(match.group(), IDENTIFIER), position, end))
        elif group == "punct":
            punct = match.group()
            append(Token(NEQ if punct in ("<>", "!=") else punct, position, end))
        elif group == "number":
            kind, end = _number(upper, position)
            if not kind:  # cannot happen: a digit always starts an integer
                kind, end = UNRECOGNIZED, position + 1
            append(Token(kind, position, end))
        elif group == "string":
            append(Token(STRING, position, end))
        elif group == "quoted":
            append(Token(QUOTED_IDENTIFIER, position, end))
        elif group == "backquoted":
            append(Token(BACKQUOTED_IDENTIFIER, position, end))
        elif group == "ustring":
            append(Token(UNICODE_STRING, position, end))
        elif group == "binary":
            append(Token(BINARY_LITERAL, position, end))
        else:
            append(Token(UNRECOGNIZED, position, end))
        position = end
    return tokens


def statements(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token index ranges of the statements, split at ``;`` (which the grammar has no rule for: Trino
    runs one statement; an empty one, such as after a final ``;``, is left out)."""
    found: list[tuple[int, int]] = []
    start = 0
    for index, token in enumerate(tokens):
        if token.kind == ";":
            if index > start:
                found.append((start, index))
            start = index + 1
    if len(tokens) > start:
        found.append((start, len(tokens)))
    return found
