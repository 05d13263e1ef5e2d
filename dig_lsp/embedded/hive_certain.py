"""The mistakes in a Hive query that are certain from its tokens alone.

Hive queries (`td>` with ``engine: hive``) have no faithful parser here: sqlglot both repairs what
Hive refuses and refuses what Hive runs (``LATERAL VIEW``, ``DISTRIBUTE BY``, ``TABLESAMPLE(BUCKET
...)``, ``MAP<string,int>``...). So DL601 reports for Hive only what no Hive grammar accepts, each
read from the tokens of Hive's own lexer rules (``HiveLexer.g`` of apache/hive, read at commit
0049a21f: ``StringLiteral``, ``QuotedIdentifier``, ``COMMENT``; keywords are case-insensitive, the
parser reading an ``ANTLRNoCaseStringStream``):

1. **unterminated quoted text**: a ``'``, ``"`` or `````` that is never closed. ``StringLiteral`` is
   ``'...'`` or ``"..."`` with backslash escapes, a backquoted name ends at a backquote not doubled;
   text the lexer cannot end is no token at all.
2. **a ``)`` with no ``(`` before it, a ``(`` never closed** within a statement. In Hive's grammars
   parentheses only come in pairs (every rule that takes ``LPAREN`` takes its ``RPAREN`` in the same
   alternative), and ``;`` ends a statement.
3. **a comma with nothing on one side** in a statement's own lists: right after ``SELECT`` (in a
   subquery too), right after ``DISTINCT`` or another comma outside parentheses, or right before
   ``FROM``, ``WHERE`` or ``HAVING``. The select, ``FROM`` and ``GROUP BY`` lists are
   ``item (COMMA item)*``, and none of those words can begin an item: they are reserved keywords
   (``IdentifiersParser.g``: every ``KW_*`` is reserved unless ``nonReserved`` or
   ``sql11ReservedKeywordsUsedAsIdentifier`` lists it, and neither lists these; ``LIMIT`` is listed,
   so ``SELECT a, limit FROM t`` is valid Hive), and no expression starts with them. Not claimed: a
   comma next to a parenthesis (``f(a,)``, ``f(, a)``) or doubled inside one: calls are where Hive
   versions and UDFs differ, and one of Treasure Data's own examples writes ``array(a, b,\n)``
   (treasure-boxes, ``machine-learning-box/gender_age_prediction/queries/rf/predict.sql``).
4. **a keyword written twice in a row** where the grammar takes an item after it, and the item
   cannot begin with that keyword: ``SELECT``, ``FROM``, ``WHERE``, ``HAVING``, ``AND``, ``OR``,
   ``ON``, ``JOIN``, ``WHEN``, ``THEN``, ``ELSE`` (all reserved, per the same rule). Not ``NOT NOT x``,
   ``CASE CASE ...``, ``END END`` (nested ``CASE``): those can be valid.

Block comments: the lexer read has only ``--`` comments, and whether the Hive a query meets takes
``/* */`` is not settled here; a finding is kept only when both readings of the text give it. A
placeholder for an unknown ``${...}`` could stand for anything: findings 1 and 2 are kept only when
the query has no unknown template at all (its value could hold a quote or a parenthesis), 3 and 4
when none is earlier on their line or at them (a value could open a quote or a ``--`` comment).
Everything else sqlglot would refuse is not reported.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9_]+")
_LIST_OPENERS = frozenset({"SELECT", "DISTINCT", ","})
_BEFORE_NOTHING = frozenset({"FROM", "WHERE", "HAVING"})
_NEVER_DOUBLED = frozenset({"SELECT", "FROM", "WHERE", "HAVING", "AND", "OR", "ON", "JOIN", "WHEN", "THEN", "ELSE"})


@dataclass(frozen=True)
class Mistake:
    """A certain mistake: rendered ``[start, end)`` and the words for it."""

    start: int
    end: int
    message: str
    whole_statement: bool  # the whole text decides it (else: the two tokens at it)


@dataclass(frozen=True)
class _Token:
    text: str  # upper-cased for words
    start: int
    end: int


def _scan(text: str, block_comments: bool) -> tuple[list[_Token], int | None]:
    """Hive's tokens that matter here (words, punctuation; strings and names skipped), and where an
    unterminated quote starts."""
    tokens: list[_Token] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char.isspace():
            index += 1
        elif text.startswith("--", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
        elif block_comments and text.startswith("/*", index) and not text.startswith("/*+", index):
            close = text.find("*/", index + 2)
            index = length if close < 0 else close + 2
        elif char in "'\"":
            end = index + 1
            while end < length and text[end] != char:
                end += 2 if text[end] == "\\" else 1
            if end >= length:
                return tokens, index
            tokens.append(_Token("STRING", index, end + 1))
            index = end + 1
        elif char == "`":
            end = index + 1
            while True:
                close = text.find("`", end)
                if close < 0:
                    return tokens, index
                if text.startswith("``", close):
                    end = close + 2
                    continue
                break
            tokens.append(_Token("NAME", index, close + 1))
            index = close + 1
        else:
            word = _WORD.match(text, index)
            if word:
                tokens.append(_Token(word.group().upper(), index, word.end()))
                index = word.end()
            else:
                tokens.append(_Token(char, index, index + 1))
                index += 1
    return tokens, None


def _parentheses(tokens: list[_Token]) -> Mistake | None:
    open_: list[_Token] = []
    for token in tokens:
        if token.text == ";":
            if open_:
                break
            continue
        if token.text == "(":
            open_.append(token)
        elif token.text == ")":
            if not open_:
                return Mistake(token.start, token.end, "this ')' has no matching '('", True)
            open_.pop()
    if open_:
        return Mistake(open_[-1].start, open_[-1].end, "this '(' is never closed", True)
    return None


def _pairs(tokens: list[_Token]) -> Mistake | None:
    depth = 0
    for here, following in itertools.pairwise(tokens):
        depth = max(0, depth + {"(": 1, ")": -1}.get(here.text, 0))
        if following.text == "," and here.text in _LIST_OPENERS and (depth == 0 or here.text == "SELECT"):
            return Mistake(following.start, following.end,
                           f"a ',' right after {here.text!r}: nothing comes before it in the list", False)
        if here.text == "," and following.text in _BEFORE_NOTHING:
            return Mistake(here.start, here.end, f"a ',' right before {following.text!r}: the list ends with a comma",
                           False)
        if here.text == following.text and here.text in _NEVER_DOUBLED:
            return Mistake(following.start, following.end, f"{following.text!r} twice in a row", False)
    return None


def _findings(text: str, block_comments: bool) -> list[Mistake]:
    tokens, unterminated = _scan(text, block_comments)
    found = [m for m in (_parentheses(tokens), _pairs(tokens)) if m is not None]
    if unterminated is not None:
        found.append(Mistake(unterminated, unterminated + 1, "unterminated quoted text: this quote is never closed",
                             True))
    return found


def certain_mistakes(text: str, unknown_before: Callable[[Mistake], bool]) -> list[Mistake]:
    """The certain mistakes of the rendered Hive ``text``, first first; ``unknown_before(m)`` says
    whether an unknown template comes before ``m`` where it could change the verdict (see the module
    docstring): such a mistake is left out."""
    with_blocks = _findings(text, True)
    # the two readings differ only where a `/*` starts a block comment: without one, read once
    without = set(_findings(text, False) if "/*" in text else with_blocks)
    return sorted((m for m in with_blocks if m in without and not unknown_before(m)), key=lambda m: (m.start, m.end))
