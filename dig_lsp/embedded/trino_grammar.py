"""Trino's own grammar as the judge of Presto/Trino queries.

A statement is rejected exactly when Trino's parser rejects it: the parser generated from Trino's
``SqlBase.g4`` (``trino-query-parser``, ANTLR 4) runs over the tokens of ``trino_tokens``, as Trino's
``SqlParser.invokeParser`` decides it (Trino tries SLL prediction first and full LL only when SLL
fails; here only the LL pass runs, whose verdict that is: see ``_Antlr.stop``); then what
Trino's ``PostProcessor`` rejects in a parse the grammar accepts (a name starting with a digit, a
backquoted name, ``""``). Most statements never reach ANTLR, which is slow in pure Python: the
recogniser in ``trino_fast`` accepts a strict subset of the grammar in one pass, and only what it
does not accept is judged here. Verdicts are cached by the statement's text.

When a statement is rejected, ``explain`` turns the parser's stop into one sentence at a place the
user can act on: an unclosed ``(`` where it was opened, a misspelled keyword at the word with the
keyword that makes the statement parse further (checked by parsing again), a comma with nothing
before or after it, a word twice in a row, an unterminated quote; otherwise the token the parser
could not take and, when there are few, what it expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from dig_lsp.embedded.trino_tokens import (
    BACKQUOTED_IDENTIFIER,
    DIGIT_IDENTIFIER,
    EOF,
    IDENTIFIER,
    NEQ,
    QUOTED_IDENTIFIER,
    UNRECOGNIZED,
    Token,
    keywords,
    reserved,
    tokenize,
    tokens_in_place,
)
from dig_lsp.text.quote import excerpt

MAX_TOKENS = 20_000  # a statement longer than this is not judged (~1.3 s for ANTLR at this length)
MAX_DEPTH = 100  # '(' and '[' nested deeper: not judged (3,000 levels took ANTLR over a minute)
TOO_DEEP = "deep"


@dataclass(frozen=True)
class Stop:
    """Where the parser stopped in a token list: the index (``len(tokens)`` is the end of the text),
    the token kinds it expected there (empty when it cannot say), and why, when it is not the grammar."""

    index: int
    expected: frozenset[str]
    post: str = ""  # "digit", "backquoted", "empty": Trino's PostProcessor


@dataclass(frozen=True)
class Rejection:
    """A rejected statement: the range of text to show (offsets into the statement) and the sentence."""

    start: int
    end: int
    message: str
    index: int  # token index of the stop


# --------------------------------------------------------------------------------------------
# ANTLR


class _Antlr:
    """The generated parser, imported on first use (the import alone takes ~0.15 s)."""

    def __init__(self) -> None:
        from antlr4 import CommonTokenStream
        from antlr4.atn.PredictionMode import PredictionMode
        from antlr4.error.Errors import NoViableAltException, ParseCancellationException, RecognitionException
        from antlr4.error.ErrorStrategy import BailErrorStrategy
        from antlr4.ListTokenSource import ListTokenSource
        from antlr4.Token import CommonToken

        SqlBaseParser = _parser_module().SqlBaseParser

        self.stream_class = CommonTokenStream
        self.source_class = ListTokenSource
        self.token_class = CommonToken
        self.parser_class = SqlBaseParser
        self.sll, self.ll = PredictionMode.SLL, PredictionMode.LL
        self.bail = BailErrorStrategy
        self.cancelled = ParseCancellationException
        self.recognition = RecognitionException
        self.no_viable = NoViableAltException
        literal = {name.strip("'"): index for index, name in enumerate(SqlBaseParser.literalNames)
                   if name.startswith("'")}
        symbolic = {name: index for index, name in enumerate(SqlBaseParser.symbolicNames) if name != "<INVALID>"}
        self.types: dict[str, int] = {}
        for word, name in keywords().items():
            self.types[name] = symbolic.get(name, literal.get(word, 0))
        for text, index in literal.items():
            if not text.isalnum() and "_" not in text:
                self.types[text] = index
        self.types.update({name: symbolic[name] for name in (
            IDENTIFIER, QUOTED_IDENTIFIER, BACKQUOTED_IDENTIFIER, DIGIT_IDENTIFIER, "STRING", "UNICODE_STRING",
            "BINARY_LITERAL", "INTEGER_VALUE", "DECIMAL_VALUE", "DOUBLE_VALUE", UNRECOGNIZED, NEQ)})
        self.kinds = {index: kind for kind, index in self.types.items()}
        self.kinds[-1] = EOF

    def stop(self, text: str, tokens: list[Token]) -> Stop | None:
        """Where the grammar rejects ``tokens`` (one statement), or None when it accepts them.

        Only Trino's second pass, full LL prediction, is run: an SLL parse that succeeds returns "the same
        parse tree that would be returned with the LL prediction mode" (ANTLR's ``PredictionMode.SLL``
        documentation), and when SLL fails Trino's verdict and stop are LL's. So the LL pass alone gives
        the same answer, and the statements judged here are nearly all mistakes (what the fast recogniser
        does not accept, and the probes of ``explain``), on which the SLL pass was a second parse that
        always failed. On a statement the grammar accepts LL costs a little more than SLL."""
        return self.parse(text, tokens, self.ll)

    def parse(self, text: str, tokens: list[Token], mode: Any) -> Stop | None:
        """One parse of ``tokens`` with the prediction ``mode`` (``self.sll`` or ``self.ll``)."""
        made = []
        for index, token in enumerate(tokens):
            made.append(self._token(text, token, index))
        eof = self.token_class(type=-1, start=len(text), stop=len(text) - 1)
        eof.text, eof.tokenIndex, eof.line, eof.column = "<EOF>", len(tokens), 1, len(text)
        made.append(eof)
        stream = self.stream_class(self.source_class(made))
        parser = self.parser_class(stream)
        parser.removeErrorListeners()
        parser._errHandler = self.bail()
        parser._interp.predictionMode = mode
        try:
            parser.singleStatement()
            return None
        except self.cancelled as cancelled:
            error = cancelled.args[0] if cancelled.args else None
            if not isinstance(error, self.recognition):
                return Stop(0, frozenset())
            offending = error.offendingToken
            index = offending.tokenIndex if offending is not None else len(tokens)
            expected = None
            # a failed prediction's set is that of where the decision started: right only when the
            # parser could not take even the first token
            start = getattr(error, "startToken", None)
            if not isinstance(error, self.no_viable) or (start is not None and start is offending):
                try:
                    expected = error.getExpectedTokens()
                except Exception:
                    expected = None
            kinds = frozenset(self.kinds.get(t, "") for interval in (expected.intervals if expected else [])
                              for t in interval) - {""}
            return Stop(index, kinds)

    def _token(self, text: str, token: Token, index: int) -> Any:
        made = self.token_class(type=self.types.get(token.kind, self.types[UNRECOGNIZED]),
                                start=token.start, stop=token.end - 1)
        made.text, made.tokenIndex, made.line, made.column = text[token.start:token.end], index, 1, token.start
        return made


def _parser_module() -> Any:
    """``trino_query_parser.SqlBaseParser`` without the package's ``__init__``, which also imports the
    generated lexer (whose ATN takes as long to build as the parser's; our own lexer replaces it)."""
    import importlib.util
    import sys

    name = "dig_lsp_trino_sql_base_parser"
    if name in sys.modules:
        return sys.modules[name]
    package = importlib.util.find_spec("trino_query_parser")
    if package is None or not package.submodule_search_locations:
        raise ModuleNotFoundError("trino_query_parser")
    path = f"{next(iter(package.submodule_search_locations))}/SqlBaseParser.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError("trino_query_parser.SqlBaseParser")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def _antlr() -> _Antlr:
    return _Antlr()


def load() -> None:
    """Import the ANTLR runtime and Trino's generated parser now rather than at the first statement that
    needs a verdict (see :func:`dig_lsp.embedded.sql.load_engines`)."""
    _antlr()


def grammar_stop(text: str, tokens: list[Token]) -> Stop | None:
    """The first place Trino rejects one statement's ``tokens``: the grammar, then the PostProcessor
    (which runs while parsing, so the earlier of the two is what Trino reports)."""
    post = next(((i, kind) for i, t in enumerate(tokens) if (kind := _post_processor(t))), None)
    try:
        stop = _antlr().stop(text, tokens)
    except RecursionError:
        return None  # too deeply nested for the pure-Python parser: not judged
    if post is not None and (stop is None or post[0] <= stop.index):
        return Stop(post[0], frozenset(), post[1])
    return stop


def _post_processor(token: Token) -> str:
    """What Trino's ``SqlParser.PostProcessor`` rejects: such a token can only be parsed as a name."""
    if token.kind == DIGIT_IDENTIFIER:
        return "digit"
    if token.kind == BACKQUOTED_IDENTIFIER:
        return "backquoted"
    if token.kind == QUOTED_IDENTIFIER and token.end - token.start == 2:
        return "empty"
    return ""


# --------------------------------------------------------------------------------------------
# The verdict


@lru_cache(maxsize=1024)
def judge(statement: str) -> Stop | None:
    """Trino's verdict on one statement (no ``;``): None when it parses, else where the parser stops."""
    tokens = tokenize(statement)
    if not tokens or len(tokens) > MAX_TOKENS or quick_stop(statement) is None:
        return None
    if nesting(tokens) > MAX_DEPTH:
        return Stop(0, frozenset(), TOO_DEEP)
    return grammar_stop(statement, tokens)


def nesting(tokens: list[Token]) -> int:
    """How deep '(' and '[' nest."""
    depth = deepest = 0
    for token in tokens:
        if token.kind in ("(", "["):
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind in (")", "]"):
            depth -= 1
    return deepest


def quick_stop(statement: str) -> int | None:
    """None when the fast recogniser accepts the statement (so does Trino), else the token index where
    it gave up: not a verdict, only where to look (a template next to it may stand for SQL text)."""
    return _recognised(statement)[0]


def statement_calls(statement: str) -> tuple[tuple[int, int, int], ...] | None:
    """The function calls of a statement the fast recogniser accepts ((name, '(') token indexes and the
    number of arguments)."""
    return _recognised(statement)[1]


@lru_cache(maxsize=1024)
def _recognised(statement: str) -> tuple[int | None, tuple[tuple[int, int, int], ...] | None]:
    """The fast recogniser's one run over a statement: where it gave up, or the calls of the derivation
    it found (the verdict and the calls were two runs)."""
    from dig_lsp.embedded.trino_fast import recognise

    tokens = tokens_in_place(statement)  # kinds and lengths are all it reads
    if not tokens:
        return None, None
    index, calls = recognise(tokens)
    return index, None if calls is None else tuple(calls)


@lru_cache(maxsize=256)
def rejection(statement: str, stop: Stop) -> Rejection:
    """The words for a stop of ``judge`` (they may parse the statement again: asked only when shown)."""
    return explain(statement, tokenize(statement), stop)


# --------------------------------------------------------------------------------------------
# Explaining a rejection


_PUNCTUATION_NAMES = {EOF: "the end of the query"}
_LIST_OPENERS = frozenset({"SELECT", "DISTINCT", "(", ",", "BY"})
_AFTER_LIST = frozenset({"FROM", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "UNION", "EXCEPT", "INTERSECT",
                         "SELECT", "ON", "JOIN", "WINDOW", "OFFSET", "FETCH", ")"})
_CLAUSE_WORDS = ("SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "JOIN", "LEFT", "RIGHT",
                 "INNER", "OUTER", "FULL", "CROSS", "ON", "AND", "OR", "NOT", "AS", "UNION", "ALL", "DISTINCT",
                 "CASE", "WHEN", "THEN", "ELSE", "END", "WITH", "INSERT", "INTO", "VALUES", "CREATE", "TABLE",
                 "DROP", "DELETE", "BETWEEN", "LIKE", "IN", "IS", "NULL", "EXISTS", "OVER", "PARTITION",
                 "INTERVAL", "CAST", "USING", "LATERAL", "UNNEST", "EXCEPT", "INTERSECT", "OFFSET", "ASC",
                 "DESC", "NULLS", "FIRST", "LAST", "ROWS", "RANGE", "PRECEDING", "FOLLOWING", "UNBOUNDED",
                 "CURRENT", "ROW", "WINDOW", "FILTER", "IF", "EXISTS", "REPLACE", "VIEW", "ALTER")
_MAX_RETRIES = 6


def _text(statement: str, token: Token) -> str:
    return statement[token.start:token.end]


def _shown(statement: str, tokens: list[Token], index: int) -> str:
    if index >= len(tokens):
        return "the end of the query"
    return repr(excerpt(_text(statement, tokens[index])))


_NAMES = frozenset({IDENTIFIER, QUOTED_IDENTIFIER, BACKQUOTED_IDENTIFIER, DIGIT_IDENTIFIER})
_VALUES = frozenset({"STRING", "UNICODE_STRING", "INTEGER_VALUE", "DECIMAL_VALUE", "DOUBLE_VALUE"})


def _expected(kinds: frozenset[str]) -> str:
    """What the parser could take, in a few words: ``')' or ','``, ``an expression``, ``a name``; ''
    when the set is too varied to say (or is only the end: the parser left every optional clause
    before failing, which says nothing)."""
    if not kinds or kinds == {EOF}:
        return ""
    base = ""
    rest = set(kinds)
    if kinds & _NAMES:
        base = "an expression" if kinds & _VALUES else "a name"
        non_reserved = {kind for word, kind in keywords().items() if word not in reserved()}
        rest -= _NAMES | _VALUES | non_reserved
        if base == "an expression":
            rest -= {"(", "-", "+", "?", "NULL", "TRUE", "FALSE", "CASE", "CAST", "EXISTS", "NOT", "BINARY_LITERAL",
                     "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "LOCALTIME", "LOCALTIMESTAMP",
                     "CURRENT_USER", "CURRENT_CATALOG", "CURRENT_SCHEMA", "CURRENT_PATH", "EXTRACT", "TRIM",
                     "NORMALIZE", "GROUPING", "LISTAGG", "JSON_EXISTS", "JSON_VALUE", "JSON_QUERY", "JSON_OBJECT",
                     "JSON_ARRAY"}
        if len(rest) > 3:
            return base
    elif len(rest) > 4:
        return ""
    named = sorted({_kind_text(kind) for kind in rest - {EOF}})
    if base:
        named.insert(0, base)
    if EOF in rest:
        named.append("the end of the statement")
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def _kind_text(kind: str) -> str:
    if kind in _VALUES:
        return "a number" if kind != "STRING" and kind != "UNICODE_STRING" else "quoted text"
    return "'<>'" if kind == NEQ else repr(keyword_text(kind))


def keyword_text(kind: str) -> str:
    """A token kind as the user writes it (``TEXT_STRING`` is ``STRING``)."""
    return "STRING" if kind == "TEXT_STRING" else kind


def _unclosed(statement: str, tokens: list[Token], stop: Stop) -> tuple[int, bool] | None:
    """When the statement has a '(' that no ')' closes and a ')' is what it lacks: the innermost such
    '(' before the stop (else the first after it), and whether a ')' right at the stop makes it parse
    further (else it is checked by closing every such '(' at the end)."""
    stack: list[int] = []
    for position, token in enumerate(tokens):
        if token.kind == "(":
            stack.append(position)
        elif token.kind == ")" and stack:
            stack.pop()
    if not stack:
        return None
    index = stop.index
    before = [position for position in stack if position < index]
    opened = before[-1] if before else stack[0]
    at = tokens[index].start if index < len(tokens) else len(statement)
    closing = Token(")", at, at)
    if before:
        again = grammar_stop(statement, [*tokens[:index], closing, *tokens[index:]])
        if again is None or again.index > index + 1:
            return opened, index < len(tokens)
    end = len(statement)
    again = grammar_stop(statement, [*tokens, *(Token(")", end, end) for _ in stack)])
    if again is None or again.index > index:
        return opened, False
    return None


def _unmatched_close(tokens: list[Token], index: int) -> bool:
    depth = 0
    for token in tokens[:index + 1]:
        depth += 1 if token.kind == "(" else -1 if token.kind == ")" else 0
    return depth < 0


def _is_word(token: Token) -> bool:
    return token.kind == IDENTIFIER or (token.kind in keywords().values() and token.kind not in reserved())


def _misspelled(statement: str, tokens: list[Token], stop: Stop) -> tuple[int, str] | None:
    """A name near the stop that is a keyword misspelled: the keyword that, put in its place, lets the
    statement parse past the stop (the parse is run again to be sure)."""
    words = keywords()
    tried = 0
    for index in (stop.index, stop.index - 1, stop.index - 2):
        if not 0 <= index < len(tokens) or tokens[index].kind != IDENTIFIER:
            continue
        written = _text(statement, tokens[index]).upper()
        if len(written) < 2:
            continue
        limit = 1 if len(written) <= 4 else 2
        close = sorted((OSA.distance(written, word), word) for word in _CLAUSE_WORDS
                       if abs(len(word) - len(written)) <= limit and word in words)
        for distance, word in close:
            if distance > limit or distance == 0 or tried >= _MAX_RETRIES:
                continue
            tried += 1
            replaced = list(tokens)
            replaced[index] = Token(words[word], tokens[index].start, tokens[index].end)
            again = grammar_stop(statement, replaced)
            if again is None or again.index > stop.index + 1:
                return index, word
    return None


_PROBES = (")", ",", "END", "THEN", "AS", "FROM", "NULL", IDENTIFIER, "INTEGER_VALUE")


def _probe(statement: str, tokens: list[Token], index: int) -> frozenset[str]:
    """When the parser cannot say what it expected (a failed prediction): the usual tokens that, put at
    the stop (else in place of the token there), let the statement parse past it. Each is a parse:
    asked only for what is shown."""
    at = tokens[index].start if index < len(tokens) else len(statement)
    found = set()
    for kind in _PROBES:
        again = grammar_stop(statement, [*tokens[:index], Token(kind, at, at), *tokens[index:]])
        if again is None or again.index > index + 1:
            found.add(kind)
    if not found and index < len(tokens):
        for kind in _PROBES:
            again = grammar_stop(statement, [*tokens[:index], Token(kind, at, at), *tokens[index + 1:]])
            if again is None or again.index > index:
                found.add(kind)
    return frozenset(found)


_TYPOGRAPHIC = {"\u201c": "\u201d", "\u201d": "\u201d", "\u2018": "\u2019", "\u2019": "\u2019"}


def _unrecognized(character: str) -> str:
    if character == "'":
        return "unterminated quoted text: this quote is never closed"
    if character == '"':
        return "unterminated quoted name: this quote is never closed"
    if character in _TYPOGRAPHIC:
        return (f"{character!r} is a typographic quote; SQL quotes text with ' and names with \"")
    if character == "\u3000":
        return "a full-width space (U+3000); SQL separates words with ASCII spaces"
    if character.isalpha():
        return (f"{character!r} cannot be part of a name unless the name is quoted: Trino's names are "
                "A-Z, 0-9 and _ (write \"名前\" with double quotes)")
    return f"unexpected character {character!r}: it has no meaning in Trino's SQL"


def explain(statement: str, tokens: list[Token], stop: Stop) -> Rejection:
    """One sentence for a rejection, at the place to fix."""
    index = min(stop.index, len(tokens))
    at = tokens[index] if index < len(tokens) else None
    before = tokens[index - 1] if 0 < index <= len(tokens) else None
    end_of_text = tokens[-1].end if tokens else 0

    def rejection(position: int, message: str) -> Rejection:
        token = tokens[position] if position < len(tokens) else None
        start = token.start if token is not None else end_of_text
        end = token.end if token is not None else end_of_text
        return Rejection(start, end, message, index)

    if stop.post == "digit":
        return rejection(index, f"{_shown(statement, tokens, index)}: a name must not start with a digit; "
                                "quote it with double quotes")
    if stop.post == "backquoted":
        return rejection(index, f"{_shown(statement, tokens, index)}: Trino does not accept `backquoted` names; "
                                "quote names with double quotes")
    if stop.post == "empty":
        return rejection(index, "an empty quoted name \"\"")
    if at is not None and at.kind == UNRECOGNIZED:
        return rejection(index, _unrecognized(_text(statement, at)))
    unrecognized = next((i for i in range(index + 1, len(tokens)) if tokens[i].kind == UNRECOGNIZED
                         and _text(statement, tokens[i]) in ("'", '"')), None)
    unclosed = _unclosed(statement, tokens, stop)
    if unclosed is not None:
        opened, missing_before = unclosed
        return rejection(opened, "this '(' is never closed" + (
            f" (a ')' is missing before {_shown(statement, tokens, index)})" if missing_before else ""))
    if at is not None and at.kind == ")" and _unmatched_close(tokens, index):
        return rejection(index, "this ')' has no matching '('")
    if at is not None and at.kind == "," and before is not None and before.kind in _LIST_OPENERS:
        what = keyword_text(before.kind) if before.kind in keywords().values() else before.kind
        return rejection(index, f"a ',' right after {what!r}: nothing comes before it in the list")
    if at is not None and before is not None and before.kind == "," and at.kind in _AFTER_LIST:
        what = keyword_text(at.kind)
        message = ("a ',' right before ')': the list ends with a comma" if at.kind == ")" else
                   f"a ',' right before {what!r}: the list before it ends with a comma")
        return rejection(index - 1, message)
    if (at is not None and before is not None and at.kind == before.kind and at.kind != IDENTIFIER
            and at.kind in keywords().values()):
        return rejection(index, f"{keyword_text(at.kind)!r} twice in a row")
    if (at is not None and before is not None and _is_word(at) and _is_word(before)
            and _text(statement, at).upper() == _text(statement, before).upper()):
        return rejection(index, f"{_shown(statement, tokens, index)} twice in a row")
    if at is not None and at.kind in reserved():
        as_name = [*tokens[:index], Token(IDENTIFIER, at.start, at.end), *tokens[index + 1:]]
        if grammar_stop(statement, as_name) is None:
            return rejection(index, f"{_shown(statement, tokens, index)} is a reserved word in Trino: as a name it "
                                    f"must be quoted (\"{_text(statement, at)}\")")
    misspelled = _misspelled(statement, tokens, stop)
    if misspelled is not None:
        position, word = misspelled
        return rejection(position, f"{_shown(statement, tokens, position)} is not a SQL keyword; did you mean "
                                   f"{word}?")
    if unrecognized is not None:
        return rejection(unrecognized, _unrecognized(_text(statement, tokens[unrecognized])))
    expected = _expected(stop.expected) or _expected(_probe(statement, tokens, index))
    if index == 0 and at is not None and at.kind == IDENTIFIER:
        return rejection(index, f"a statement cannot start with {_shown(statement, tokens, index)}; it starts "
                                "with a keyword such as SELECT, WITH, INSERT or CREATE")
    if at is None:
        return rejection(index, "the query ends too early" + (f": expected {expected}" if expected else ""))
    return rejection(index, f"unexpected {_shown(statement, tokens, index)}"
                            + (f"; expected {expected}" if expected else ""))
