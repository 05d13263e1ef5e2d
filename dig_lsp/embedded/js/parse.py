"""One run of pyjsparser over digdag's wrapping of a ``${...}`` text, in source coordinates.

pyjsparser's AST has no positions, so the parser is subclassed to record every token it consumes (with
offsets) and the token it complains about; identifiers of the AST are matched in source order with the
consumed identifier tokens to locate them (:func:`locate_identifiers`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pyjsparser import PyJsParser

# pyjsparser token types (pyjsparserdata.token)
BOOLEAN, EOF, IDENTIFIER, KEYWORD, NULL, NUMBER, PUNCTUATOR, STRING, TEMPLATE = 1, 2, 3, 4, 5, 6, 7, 8, 10
NAME_TYPES = frozenset({BOOLEAN, IDENTIFIER, KEYWORD, NULL})


@dataclass(frozen=True)
class Token:
    """A token pyjsparser consumed, in source coordinates (the wrapped text)."""

    kind: int
    value: str
    start: int
    end: int


def snapshot(token: Any) -> Token | None:
    """Copy the fields we need now: pyjsparser later mutates some token dicts (booleans)."""
    if not isinstance(token, dict):
        return None
    kind, start, end = token.get("type"), token.get("start"), token.get("end")
    if not (isinstance(kind, int) and isinstance(start, int) and isinstance(end, int)):
        return None
    value = token.get("value")
    return Token(kind, value if isinstance(value, str) else "", start, end)


class RecordingParser(PyJsParser):  # type: ignore[misc]
    """pyjsparser that remembers the tokens it consumed and the token it rejected."""

    def __init__(self) -> None:
        super().__init__()
        self.consumed: list[Token] = []
        self.rejected: Token | None = None

    def lex(self) -> Any:
        token = super().lex()
        recorded = snapshot(token)
        if recorded is not None:
            self.consumed.append(recorded)
        return token

    def unexpectedTokenError(self, token: Any = None, message: str = "") -> Any:
        self.rejected = snapshot(token)
        return super().unexpectedTokenError(token or {}, message)


@dataclass
class ParserRun:
    """A parser run over the wrapped text, with helpers to convert its offsets to text offsets."""

    text: str
    parser: RecordingParser = field(default_factory=RecordingParser)

    @property
    def end_of_text(self) -> int:
        """Source offset of the closing parenthesis we add (anything there or later is 'end of input')."""
        return len(self.text) + 1

    def to_text(self, offset: int) -> int:
        return min(max(offset - 1, 0), len(self.text))

    def span(self, token: Token) -> tuple[int, int]:
        return self.to_text(token.start), max(self.to_text(token.end), self.to_text(token.start))

    def in_text(self, token: Token) -> bool:
        return 1 <= token.start < self.end_of_text


# TryStatement repeats its `handler` in `handlers` (pyjsparser's finishTryStatement): visit it once.
_ALIAS_FIELDS = frozenset({"type", "handlers", "guardedHandlers"})


def children(node: Any) -> Iterator[Any]:
    """Child nodes in source order (pyjsparser builds each node's fields in source order)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in _ALIAS_FIELDS and isinstance(value, dict | list):
                yield value
    elif isinstance(node, list):
        yield from node


def identifiers(node: Any) -> Iterator[dict[str, Any]]:
    """Every Identifier node, in source order (iteratively: the tree may be deep)."""
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict) and current.get("type") == "Identifier":
            yield current
        stack.extend(reversed(list(children(current))))


def locate_identifiers(tree: Any, run: ParserRun) -> dict[int, int]:
    """Map ``id(identifier node)`` to the index in ``run.parser.consumed`` of its token.

    Every Identifier node comes from one consumed identifier-name token; the token stream also holds
    extra names (keywords, ``get``/``set`` of accessors), so each node takes the next token of its name.
    """
    consumed = run.parser.consumed
    located: dict[int, int] = {}
    cursor = 0
    for node in identifiers(tree):
        name = node.get("name")
        for index in range(cursor, len(consumed)):
            token = consumed[index]
            if token.kind in NAME_TYPES and token.value == name and run.in_text(token):
                located[id(node)] = index
                cursor = index + 1
                break
    return located


def node_span(node: Any, run: ParserRun, locations: dict[int, int]) -> tuple[int, int]:
    """The text covered by the identifiers inside ``node`` (or the whole text if it holds none)."""
    spans = [run.span(run.parser.consumed[locations[id(ident)]])
             for ident in identifiers(node) if id(ident) in locations]
    if not spans:
        return 0, len(run.text)
    return min(start for start, _ in spans), max(end for _, end in spans)
