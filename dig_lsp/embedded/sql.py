"""Checking the SQL that ``td>``, ``td_wait>``, ``td_for_each>``, ``pg>``, ``redshift>`` and ``bq>`` run.

The pipeline, per query:

1. find the text (a ``.sql`` file, ``{data: ...}`` or ``query:``) and the source offset of each
   of its characters (``scalar_map.value_offsets`` for values written in the ``.dig``);
2. render its templates (``sql_render``): known values substituted, placeholders elsewhere;
3. parse with sqlglot in the engine's dialect (``td`` ``engine`` presto -> ``trino``, hive ->
   ``hive``; ``pg`` -> ``postgres``; ``redshift``; ``bq`` -> ``bigquery``), plus a few token
   rules sqlglot is lenient about (a comma right before ``FROM``, a doubled keyword); Presto is
   judged by Trino's grammar (``trino_grammar``) and Hive only by what its tokens prove
   (``hive_certain``: sqlglot's Hive dialect both repairs and over-rejects, so its verdict is not
   reported; its parse still serves the function and statement-kind checks);
4. when the parser stops at or next to a template whose value is unknown, the template may
   well be SQL text (a column list, a condition): that is reported as "not checked", never
   as an error; otherwise the error is reported at the original line and column;
5. for Treasure Data queries, calls are checked against the catalogs of ``td_functions`` (Treasure Data's
   UDFs, the engine's built-ins);
6. with ``insert_into``/``create_table`` digdag puts ``INSERT INTO t`` / ``CREATE TABLE t AS``
   (Presto), ``INSERT INTO TABLE t`` / ``INSERT OVERWRITE TABLE t`` (Hive) in front of the query
   (``td/TdOperatorFactory.startJob``, ``insertCommandStatement``; ``jdbc/AbstractJdbcConnection.
   buildInsertStatement/buildCreateTableStatement``), so the query must return rows.

Parse results are cached by (text, dialect).
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from dig_lsp.diagnostics import Related
from dig_lsp.embedded import trino_grammar
from dig_lsp.embedded.hive_certain import Mistake, certain_mistakes
from dig_lsp.embedded.sql_kinds import (
    ARITY,
    NOT_CHECKED,
    SQL_ARITY,
    STATEMENT_KIND,
    SYNTAX,
    TD_OPERATORS,
    UNKNOWN_FUNCTION,
    UNKNOWN_SQL_FUNCTION,
    Query,
    SqlIssue,
)
from dig_lsp.embedded.sql_render import (
    IDENTIFIER_PLACEHOLDER,
    QUOTES,
    Context,
    Placeholder,
    Rendered,
    RenderedTemplate,
    Resolve,
    render,
    scan_sql,
)
from dig_lsp.embedded.td_functions import builtins, is_known, near_miss, td_catalog, td_names
from dig_lsp.embedded.trino_functions import trino_arities
from dig_lsp.embedded.trino_grammar import MAX_DEPTH, TOO_DEEP, judge, quick_stop, rejection, statement_calls
from dig_lsp.embedded.trino_tokens import EOF, IDENTIFIER, statement_texts, tokenize
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import close_matches

# Longer queries are not parsed (sqlglot needs ~1 s per 100,000 characters and dialect).
MAX_QUERY_LENGTH = 100_000
MAX_SUBSCRIPTS = 200  # `[` in one query (see _too_many_subscripts)
_FILE_NAME = re.compile(r"[\w./-]+\.sql")  # a query that is only a file name
_INSERT_LINE = re.compile(r"(\A|\r?\n)--\s*DIGDAG_INSERT_LINE")  # TdOperatorFactory.INSERT_LINE_PATTERN


class _Token(NamedTuple):
    """One token of a query, either parser's (a named tuple, not a frozen dataclass: every token of
    every query is one, ~50,000 in a run over the corpus, and a frozen dataclass takes three times as
    long to make)."""

    kind: str
    text: str
    start: int  # rendered index
    end: int  # exclusive
    line: int
    col: int


@dataclass(frozen=True)
class _Parse:
    statements: tuple[Any, ...]
    error: dict[str, Any] | None
    tokens: tuple[_Token, ...] | None  # None when the text cannot even be tokenized


_TRINO_KINDS = {IDENTIFIER: "VAR", "(": "L_PAREN", ")": "R_PAREN", "[": "L_BRACKET", "]": "R_BRACKET", ",": "COMMA",
                ";": "SEMICOLON"}


# Each entry holds a query's tokens (some 300 KB for a 40-statement query): in the language server every
# keystroke in a query file is a new text, and 1,024 + 256 entries grew the server by 150 MB in 300
# keystrokes. 64 keep every hit of the shared corpus but for 6 of 91 (a file rendered by several tasks
# is asked for again within its project).
_PARSES_KEPT = 64


@lru_cache(maxsize=_PARSES_KEPT)
def _parse_trino(text: str, verify: bool) -> _Parse:
    """Trino's verdict on every statement of ``text``: the first rejection as the error (``index``: the
    token where the parser stopped; ``statement``, its ``offset`` and the grammar's ``stop``), the first
    word of each statement as its statements, and the tokens. Without ``verify`` only the fast
    recogniser runs: a statement it gives up on is an error with ``stop`` None (not a verdict: where it
    gave up is only where to look for a template that may stand for SQL text)."""
    tokens = tokenize(text)
    converted = tuple(_Token(_TRINO_KINDS.get(t.kind, t.kind), text[t.start:t.end], t.start, t.end, 0, 0)
                      for t in tokens)
    firsts: list[str] = []
    for first, last, start, statement in statement_texts(text):
        firsts.append(converted[first].kind)
        index = quick_stop(statement)
        if index is None:
            continue
        stop = judge(statement) if verify else None
        if verify and stop is None:
            continue
        return _Parse(tuple(firsts), {"index": min(first + (stop.index if stop else index), last), "offset": start,
                                      "statement": statement, "stop": stop, "quick": min(first + index, last)},
                      converted)
    return _Parse(tuple(firsts), None, converted)


@lru_cache(maxsize=_PARSES_KEPT)
def parse(text: str, dialect: str) -> _Parse:
    """The statements of ``text``, or its first error (cached by content and dialect): Trino's grammar
    for ``trino``, sqlglot for the others."""
    if dialect == "trino":
        return _parse_trino(text, True)
    import sqlglot
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.errors import ErrorLevel, ParseError, SqlglotError

    # sqlglot logs "Falling back to parsing as a 'Command'" for statements it only skims; that is its
    # own limit, not the user's mistake, and must not reach the user's terminal
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    reader = Dialect.get_or_raise(dialect)
    try:
        raw = reader.tokenize(text)
    except (SqlglotError, ValueError, RecursionError):
        return _Parse((), {"description": "cannot tokenize"}, None)
    tokens = tuple(_Token(t.token_type.name, t.text, t.start, t.end + 1, t.line, t.col) for t in raw)
    try:
        # what `sqlglot.parse(text, read=dialect)` does (`Dialect.parse`: its parser over its tokenizer's
        # tokens), on the tokens already made: the text is tokenized once, not twice
        statements = reader.parser(error_level=ErrorLevel.RAISE).parse(raw, text)
    except ParseError as error:
        if error.errors and all(_is_function_model_error(e) for e in error.errors):
            # only sqlglot's own idea of a function's arity disagrees: the grammar accepted the text
            statements = sqlglot.parse(text, read=dialect, error_level=ErrorLevel.IGNORE)
            return _Parse(tuple(s for s in statements if s is not None), None, tokens)
        first = error.errors[0] if error.errors else {"description": str(error)}
        return _Parse((), dict(first), tokens)
    except (SqlglotError, ValueError, RecursionError) as error:
        return _Parse((), {"description": str(error)}, tokens)
    return _Parse(tuple(s for s in statements if s is not None), None, tokens)


def load_engines() -> None:
    """Import the parsers that judging queries needs (sqlglot with the Hive dialect, the usual other
    engine of Treasure Data; Trino's grammar) ahead of the first query. Why: the CLI calls it before it
    forks its worker processes, which then share one copy instead of each importing its own (some
    0.12 s of CPU per worker, measured in bench/README.md)."""
    from sqlglot.dialects.dialect import Dialect

    Dialect.get_or_raise("hive")
    trino_grammar.load()


def _is_function_model_error(error: dict[str, Any]) -> bool:
    """sqlglot's check of a call against its own function table (``TO_MAP`` takes one argument there,
    two as Hivemall's UDAF): not the engine's grammar, and user-defined functions shadow built-ins, so it
    is no syntax error. Arity the engine is sure of is DL604's business, from the catalogs."""
    description = str(error.get("description", ""))
    return description.startswith("The number of provided arguments")


# --------------------------------------------------------------------------------------------
# Positions


def _span(query: Query, rendered: Rendered, start: int, end: int) -> Span:
    """The source span of rendered ``[start, end)`` (a template part widens to the whole ``${...}``)."""
    end = max(end, start)
    first = rendered.origin[min(start, len(rendered.origin) - 1)]
    last = rendered.origin[min(end - 1, len(rendered.origin) - 1)] + 1 if end > start else first
    for item in rendered.templates:
        if item.start <= start < item.end:
            first = item.template.start
        if item.start < end <= item.end:
            last = item.template.end
    source_start = query.source_offset(first)
    source_end = query.source_offset(last - 1) + 1 if last > first else source_start
    return query.source.span(source_start, max(source_start, source_end))


def _template_span(query: Query, item: RenderedTemplate) -> Span:
    start = query.source_offset(item.template.start)
    end = query.source_offset(item.template.end - 1) + 1
    return query.source.span(start, max(start, end))


def _error_token(tokens: tuple[_Token, ...], error: dict[str, Any]) -> int | None:
    if "index" in error:
        return min(int(error["index"]), len(tokens) - 1) if tokens else None
    line, col = error.get("line"), error.get("col")
    for index, token in enumerate(tokens):
        if token.line == line and token.col == col:
            return index
    return None


# --------------------------------------------------------------------------------------------
# Syntax


_CLAUSES = frozenset({"FROM", "WHERE", "GROUP_BY", "ORDER_BY", "HAVING", "LIMIT", "UNION", "EXCEPT", "INTERSECT"})
_NEVER_DOUBLED = frozenset({"SELECT", "FROM", "WHERE", "GROUP_BY", "ORDER_BY", "HAVING", "LIMIT", "AND", "OR",
                            "ON", "JOIN", "ALIAS", "UNION", "INTERSECT", "EXCEPT", "WHEN", "THEN", "ELSE",
                            "DISTINCT", "WITH", "INTO", "VALUES"})
# tokens a list starts after: a comma right after one has nothing before it (`SELECT , a`, `f(, x)`, `a,, b`)
_LIST_OPENERS = frozenset({"SELECT", "DISTINCT", "L_PAREN", "COMMA"})
_STATEMENT_WORDS = ("SELECT", "WITH", "INSERT", "CREATE", "DELETE", "UPDATE", "DROP")


_TOKEN_REPR = re.compile(r"<Token token_type: ([\w.]+), text: ([^,]*), line: \d+[^>]*>")


def _token_text(match: re.Match[str]) -> str:
    kind, text = match.group(1), match.group(2)
    return "the end of the query" if kind.endswith("SENTINEL") or text == "SENTINEL" else repr(excerpt(text))


def _describe(error: dict[str, Any]) -> str:
    description = str(error.get("description", "syntax error"))
    highlight = str(error.get("highlight", "")).strip()
    missing = re.match(r"Required keyword: '(\w+)' missing for <class '[\w.]*\.(\w+)'>", description)
    if description.startswith("Expecting "):
        return f"unexpected {excerpt(highlight)!r}; expected {description[len('Expecting '):]}"
    if missing:
        return f"incomplete {missing.group(2).upper()}: {excerpt(highlight)!r} is not followed by what it needs"
    if description.startswith("Invalid expression / Unexpected token"):
        return f"unexpected {excerpt(highlight)!r}"
    # sqlglot writes the token it stopped at as a repr (`<Token token_type: TokenType.HASH, text: #, ...>`):
    # users are shown the text they wrote instead
    expected = _EXPECTED.fullmatch(_TOKEN_REPR.sub(_token_text, description))
    if expected is not None:
        return f"expected {expected['what']}, got {expected['got']}"
    return f"unexpected {excerpt(highlight)!r}" if highlight else "the query ends too early"


_EXPECTED = re.compile(r"Expected (?P<what>[a-z][\w ]{0,40}) but got (?P<got>'[^']{0,60}'|the end of the query)")


def _parser_note(error: dict[str, Any]) -> str:
    """sqlglot's own description, for a note (its token reprs, `<Token token_type: TokenType.HASH, text: #,
    ...>`, written as the text they stand for)."""
    return f"the SQL parser: {excerpt(_TOKEN_REPR.sub(_token_text, str(error.get('description', ''))), 120)}"


def _token_rules(tokens: tuple[_Token, ...], dialect: str) -> tuple[int, int, str] | None:
    """The first comma-before-clause or doubled keyword: (start, end, message)."""
    for here, following in itertools.pairwise(tokens):
        if dialect != "bigquery" and following.kind == "COMMA" and here.kind in _LIST_OPENERS:
            return (following.start, following.end,
                    f"a ',' right after {here.text.upper()!r}, with nothing before it")
        if dialect in ("trino", "postgres", "redshift") and here.kind == "COMMA" and following.kind == "R_PAREN":
            # Trino's grammar has no trailing comma in a call or list (`callArgument (',' callArgument)*`);
            # not claimed for Hive, whose UDF calls are parsed by each engine version
            return here.start, here.end, "a trailing ',' before ')'"
        if here.kind == "COMMA" and following.kind in _CLAUSES and dialect != "bigquery":
            return here.start, here.end, f"a trailing ',' before {following.text.upper()!r}"
        if (here.kind == following.kind and here.kind in _NEVER_DOUBLED
                and here.text.upper() == following.text.upper()):
            return following.start, following.end, f"{following.text.upper()!r} twice in a row"
    return None


def _unclosed_paren(tokens: tuple[_Token, ...], error_index: int) -> _Token | None:
    """The innermost '(' left open in the statement holding token ``error_index``."""
    start = error_index
    while start > 0 and tokens[start - 1].kind != "SEMICOLON":
        start -= 1
    stack: list[_Token] = []
    for token in tokens[start:]:
        if token.kind == "SEMICOLON":
            break
        if token.kind == "L_PAREN":
            stack.append(token)
        elif token.kind == "R_PAREN" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _misspelled_statement(tokens: tuple[_Token, ...]) -> tuple[int, int, str] | None:
    """A statement (or subquery) that starts with a misspelled keyword such as ``SELEC``."""
    previous = "SEMICOLON"
    for index, token in enumerate(tokens):
        nxt = tokens[index + 1].kind if index + 1 < len(tokens) else ""
        if token.kind == "VAR" and previous in ("SEMICOLON", "L_PAREN") and nxt != "L_PAREN":
            close = close_matches(token.text.upper(), _STATEMENT_WORDS, n=1, cutoff=0.75)
            if close and close[0] != token.text.upper():
                return token.start, token.end, f"{excerpt(token.text)!r} is not a SQL keyword; did you mean {close[0]}?"
        previous = token.kind
    return None


def _unterminated(text: str) -> int | None:
    """Where an unterminated quote starts (what makes tokenizing fail), if anywhere."""
    state, opened = scan_sql(text, 0, len(text))
    return opened if state in QUOTES else None


@dataclass(frozen=True)
class _Outcome:
    rendered: Rendered
    dialect: str
    parsed: _Parse
    emptied: RenderedTemplate | None = None  # the first template that had to render as nothing


def _best(query: Query, resolve: Resolve) -> _Outcome:
    """Parse with identifier placeholders, then number placeholders, in each dialect; first success wins.
    When both fail next to an unknown template, that template may stand for nothing: it is rendered
    empty and the query parsed again (a few templates at most)."""
    if query.dialects == ("trino",):
        return _best_trino(query, resolve)
    attempts: list[_Outcome] = []
    first = render(query.text, resolve)
    variants = [first]
    if first.unknown():
        variants.append(render(query.text, resolve, Placeholder.NUMBER))
    for rendered in variants:
        for dialect in query.dialects:
            outcome = _Outcome(rendered, dialect, parse(rendered.text, dialect))
            if outcome.parsed.error is None:
                return outcome
            attempts.append(outcome)
    emptied: frozenset[int] = frozenset()
    first_emptied: RenderedTemplate | None = None
    failed = attempts[0]
    for _ in range(_MAX_EMPTIED):
        before = _template_before_error(failed, emptied)
        if before is None:
            break
        emptied |= {before.template.start}
        rendered = render(query.text, resolve, empty=emptied)
        for dialect in query.dialects:
            outcome = _Outcome(rendered, dialect, parse(rendered.text, dialect), first_emptied or before)
            if outcome.parsed.error is None:
                return outcome
        first_emptied = first_emptied or before
        failed = _Outcome(rendered, query.dialects[0], parse(rendered.text, query.dialects[0]))
    return attempts[0]


_MAX_EMPTIED = 4


def _best_trino(query: Query, resolve: Resolve) -> _Outcome:
    """``_best`` for Presto, keeping Trino's judge (ANTLR, slow) to what needs a verdict. The fast
    recogniser reads the query with identifier placeholders; when it gives up next to an unknown
    template, that template may stand for SQL text: a number placeholder, then the template rendered
    as nothing, are tried (fast recogniser only); if none is taken, the query is "not checked" (DL602)
    without a verdict. Anywhere else, the judge decides: an error far from any unknown template is a
    syntax error (DL601)."""
    first = render(query.text, resolve)
    outcome = _Outcome(first, "trino", _parse_trino(first.text, False))
    if outcome.parsed.error is None:
        return outcome
    if _template_near_stop(outcome) is None:
        outcome = _Outcome(first, "trino", _parse_trino(first.text, True))
        if outcome.parsed.error is None or _template_near_stop(outcome) is None:
            return outcome
    failed = outcome
    if first.unknown():
        number = render(query.text, resolve, Placeholder.NUMBER)
        attempt = _Outcome(number, "trino", _parse_trino(number.text, False))
        if attempt.parsed.error is None:
            return attempt
    emptied: frozenset[int] = frozenset()
    first_emptied: RenderedTemplate | None = None
    current = failed
    for _ in range(_MAX_EMPTIED):
        before = _template_before_error(current, emptied)
        if before is None:
            break
        emptied |= {before.template.start}
        rendered = render(query.text, resolve, empty=emptied)
        current = _Outcome(rendered, "trino", _parse_trino(rendered.text, False), first_emptied or before)
        if current.parsed.error is None:
            return current
        first_emptied = first_emptied or before
    return failed


def _template_before_error(outcome: _Outcome, emptied: frozenset[int]) -> RenderedTemplate | None:
    """An unknown template between SQL tokens at the parser's error or within the two tokens before it."""
    tokens, error = outcome.parsed.tokens, outcome.parsed.error
    if tokens is None or error is None:
        return None
    index = _error_token(tokens, error)
    if index is None:
        return None
    for near in (tokens[i] for i in range(index, max(index - 3, -1), -1)):
        item = outcome.rendered.template_at(near.start, near.end)
        if item is not None and item.context is Context.EXPRESSION and item.template.start not in emptied:
            return item
    return None


def _syntax(query: Query, outcome: _Outcome) -> list[SqlIssue]:
    """The syntax error of a query, or why it could not be checked, or nothing."""
    rendered, parsed = outcome.rendered, outcome.parsed
    if parsed.error is None and outcome.emptied is not None:
        return [_not_checked(query, outcome.emptied, "it parses only if the template stands for nothing or "
                             "for SQL text")]
    tokens = parsed.tokens
    if outcome.dialect == "trino":
        return _trino_syntax(query, outcome)
    if tokens is None:
        opened = _unterminated(rendered.text)
        if opened is None or rendered.template_at(opened, opened + 1) is not None:
            return []
        return [SqlIssue(SYNTAX, _span(query, rendered, opened, opened + 1),
                         "unterminated quoted text: this quote is never closed")]
    # Definite mistakes first: no template can make a comma before FROM, a doubled keyword or a
    # statement starting with SELEC valid (their own tokens are literal text).
    found = [rule for rule in (_token_rules(tokens, outcome.dialect),
                               _misspelled_statement(tokens) if parsed.error is not None else None)
             if rule is not None and rendered.template_at(rule[0], rule[1]) is None]
    if not found and parsed.error is not None:
        index = _error_token(tokens, parsed.error)
        if index is None:
            return []
        token = tokens[index]
        near = [tokens[i] for i in (index - 1, index, index + 1) if 0 <= i < len(tokens)]
        blocking = next((t for t in (rendered.template_at(n.start, n.end) for n in near) if t is not None), None)
        if blocking is not None:
            described = _describe(parsed.error).replace(f"'{IDENTIFIER_PLACEHOLDER}'", "the placeholder")
            why = f"with a placeholder for it the parser stops next to it ({described})"
            return [_not_checked(query, blocking, why)]
        message = _describe(parsed.error)
        start, end = token.start, token.end
        if str(parsed.error.get("description", "")).startswith("Expecting )"):
            unclosed = _unclosed_paren(tokens, index)
            if unclosed is not None:
                start, end = unclosed.start, unclosed.end
                message = f"this '(' is never closed; ')' was expected before {excerpt(token.text, 40)!r}"
        found.append((start, end, message))
    if not found:
        return []
    start, end, message = min(found)
    if rendered.template_at(start, end) is not None:
        return []
    span = _span(query, rendered, start, end)
    note = (Related(span, _parser_note(parsed.error)),) if parsed.error is not None and message.startswith(
        ("unexpected", "incomplete", "the query ends")) else ()
    return [SqlIssue(SYNTAX, span, f"SQL syntax error ({_engine(outcome)}): {message}", note)]


def _template_near_stop(outcome: _Outcome) -> RenderedTemplate | None:
    """An unknown template that may be why Trino's grammar rejects the query: at the token where the
    parser stopped or among the three before it (``SELECT ${distinct} t1.time`` stops at the '.'), the
    same around where the fast recogniser gave up (never past the first token no statement can
    continue with), and the two tokens after the stop when the parser only knew that the statement
    should have ended there (it had left a construct that failed further on: ``x IN ${list}``). A
    template further on cannot matter: no value makes a statement of text that none can begin with."""
    tokens, error, rendered = outcome.parsed.tokens or (), outcome.parsed.error, outcome.rendered
    if error is None:
        return None
    index = int(error["index"])
    stop = error["stop"]
    ranges: list[tuple[int, int]] = []
    for position in {index, int(error.get("quick", index))}:
        ranges += [(tokens[i].start, tokens[i].end) for i in range(position - 3, position) if 0 <= i < len(tokens)]
        if position < len(tokens):  # the token itself, not a template that only touches its end
            ranges.append((tokens[position].start, max(tokens[position].start, tokens[position].end - 1)))
        elif tokens:
            ranges.append((tokens[-1].end, len(rendered.text)))
    if stop is not None and (not stop.expected or EOF in stop.expected):
        ranges += [(tokens[i].start, tokens[i].end) for i in (index + 1, index + 2) if 0 <= i < len(tokens)]
    return next((t for t in (rendered.template_at(a, b) for a, b in ranges) if t is not None), None)


def _trino_syntax(query: Query, outcome: _Outcome) -> list[SqlIssue]:
    """Trino's grammar rejected the rendered query: the error, or "not checked" when an unknown
    template is next to where the parser stopped or in what is shown (it may stand for SQL text)."""
    rendered, error = outcome.rendered, outcome.parsed.error
    if error is None:
        return []
    if error["stop"] is None:  # the fast recogniser gave up next to an unknown template: no verdict
        near = _template_near_stop(outcome)
        return [] if near is None else [_not_checked(query, near, "Trino's grammar does not take a name or a "
                                                                  "number there")]
    if error["stop"].post == TOO_DEEP:
        start = query.source_offset(error["offset"])
        return [SqlIssue(NOT_CHECKED, query.source.span(start, start),
                         f"the statement nests parentheses or brackets more than {MAX_DEPTH} levels deep; Trino's "
                         f"grammar was not run on it, so it was not checked")]
    explained = rejection(error["statement"], error["stop"])
    start, end = error["offset"] + explained.start, error["offset"] + explained.end
    blocking = _template_near_stop(outcome) or rendered.template_at(start, end)
    if blocking is not None:
        return [_not_checked(query, blocking, explained.message)]
    if end <= start:
        end = start + 1 if start < len(rendered.text) else start
    message = f"SQL syntax error ({_engine(outcome)}): {explained.message}"
    value = next((t for t in rendered.templates if t.known and t.start <= start < t.end), None)
    name = None if value is None else value.template.expression.strip()
    if value is not None:  # a known value broke the query: say which
        message += f" (in the value of `${{{name}}}`: {excerpt(rendered.text[value.start:value.end])!r})"
    return [SqlIssue(SYNTAX, _span(query, rendered, start, end), message, value_of=name)]


def _hive_syntax(query: Query, rendered: Rendered) -> list[SqlIssue]:
    """Hive: only the mistakes its tokens prove (``hive_certain``); whatever else sqlglot refuses is
    sqlglot's own limit or repair, not Hive's verdict, and is not reported."""
    unknown = [item for item in rendered.templates if not item.known and item.context is not Context.COMMENT]

    def unknown_before(mistake: Mistake) -> bool:
        if mistake.whole_statement:
            return bool(unknown)
        line_start = rendered.text.rfind("\n", 0, mistake.start) + 1
        return any(line_start <= item.end and item.start <= mistake.end for item in unknown)

    found = certain_mistakes(rendered.text, unknown_before)
    if not found:
        return []
    first = found[0]
    span = _span(query, rendered, first.start, first.end)
    message = f"SQL syntax error (Hive): {first.message}"
    value = next((t for t in rendered.templates if t.known and t.start <= first.start < t.end), None)
    name = None if value is None else value.template.expression.strip()
    if value is not None:  # a known value broke the query: say which
        message += f" (in the value of `${{{name}}}`: {excerpt(rendered.text[value.start:value.end])!r})"
    return [SqlIssue(SYNTAX, span, message, value_of=name)]


def _engine(outcome: _Outcome) -> str:
    return {"trino": "Presto", "hive": "Hive", "postgres": "PostgreSQL", "redshift": "Redshift",
            "bigquery": "BigQuery"}.get(outcome.dialect, outcome.dialect)


def _too_long(query: Query) -> SqlIssue:
    """Parsing is linear but slow (a 1 MB query took over 10 s per dialect tried): say so instead."""
    start = query.source_offset(0)
    return SqlIssue(NOT_CHECKED, query.source.span(start, start),
                    f"the query is not checked: it has {len(query.text):,} characters, over the "
                    f"{MAX_QUERY_LENGTH:,} parsed")


def _too_many_subscripts(query: Query) -> SqlIssue:
    """sqlglot re-annotates the tree at each ``[...]`` subscript: parsing grows faster than the square of
    their number (400 took 2.5 s, a 25 KB chain minutes), so past a bound the query is not parsed."""
    start = query.source_offset(0)
    return SqlIssue(NOT_CHECKED, query.source.span(start, start),
                    f"the query is not checked: it has more than {MAX_SUBSCRIPTS} `[` subscripts")


def _not_checked(query: Query, item: RenderedTemplate, why: str) -> SqlIssue:
    expression = excerpt(item.template.expression.strip(), 40)
    span = _template_span(query, item)
    note = Related(span, f"its value is not known statically (a column list, a condition...?); {why}")
    return SqlIssue(NOT_CHECKED, span, f"the query is not checked past `${{{expression}}}`, whose value may be SQL "
                    "text", (note,))


# --------------------------------------------------------------------------------------------
# Treasure Data functions


def _call_arguments(tokens: tuple[_Token, ...], open_index: int) -> tuple[list[tuple[int, int]], int] | None:
    """Top-level argument ranges (token indexes) of the call whose '(' is at ``open_index``."""
    depth, start = 0, open_index + 1
    arguments: list[tuple[int, int]] = []
    for index in range(open_index, len(tokens)):
        kind = tokens[index].kind
        if kind in ("L_PAREN", "L_BRACKET"):
            depth += 1
        elif kind in ("R_PAREN", "R_BRACKET"):
            depth -= 1
            if depth == 0:
                if index > start or arguments:
                    arguments.append((start, index))
                return arguments, index
        elif kind == "COMMA" and depth == 1:
            arguments.append((start, index))
            start = index + 1
    return None


_DEFINES_FUNCTION = re.compile(r"\bCREATE\s+(TEMPORARY\s+)?(MACRO|FUNCTION)\b", re.IGNORECASE)


def _trino_calls(text: str, tokens: tuple[_Token, ...]) -> list[tuple[int, int, int | None]]:
    """(name, '(') token indexes and the number of arguments of the calls in the statements the fast
    recogniser accepts (counted by its derivation of Trino's grammar)."""
    found: list[tuple[int, int, int | None]] = []
    for first, _last, _start, statement in statement_texts(text):
        calls = statement_calls(statement)
        found.extend((first + name, first + paren, count) for name, paren, count in calls or ())
    return [call for call in found if call[1] < len(tokens)]


def _sqlglot_calls(tokens: tuple[_Token, ...]) -> list[tuple[int, int, int | None]]:
    return [(index, index + 1, None) for index, token in enumerate(tokens[:-1])
            if token.kind == "VAR" and tokens[index + 1].kind == "L_PAREN"
            and (index == 0 or tokens[index - 1].kind != "DOT")]


def _functions(query: Query, outcome: _Outcome) -> list[SqlIssue]:
    """Calls of Treasure Data functions (``td_functions``): a near miss of a ``TD_*`` name (DL604), the
    wrong number of arguments where it is certain (DL603); calls of other names that are a near miss of
    the engine's built-ins (Trino 423, or Hive 2.3 with Hivemall) and no known function (DL606)."""
    tokens = outcome.parsed.tokens or ()
    rendered = outcome.rendered
    trino = outcome.dialect == "trino"
    engine = "presto" if trino else "hive"
    calls = _trino_calls(rendered.text, tokens) if trino else _sqlglot_calls(tokens)
    # Hive runs functions a query defines itself; none of those names is judged
    check_builtins = trino or not _DEFINES_FUNCTION.search(rendered.text)
    issues: list[SqlIssue] = []
    for index, paren, count in calls:
        token = tokens[index]
        if paren != index + 1 or rendered.template_at(token.start, token.end) is not None:
            continue  # a qualified name (catalog.schema.f) or a template
        if count is not None and token.kind in ("VAR", token.text.upper()) and token.text.upper() not in td_names():
            # a plain name or a non-reserved keyword the grammar read as a function's name (`if`, `map`, `count`)
            issues += _builtin_arity(query, outcome, index, paren, count)
        if token.kind != "VAR":
            continue  # a quoted name or a keyword
        name = token.text.upper()
        if name.startswith("TD_") and not is_known(name):
            close = near_miss(name, td_names())
            if close:
                span = _span(query, rendered, token.start, token.end)  # only for what is reported
                known = td_catalog().get(close)
                issues.append(SqlIssue(UNKNOWN_FUNCTION, span,
                                       f"unknown Treasure Data function {excerpt(token.text, 40)!r}; did you mean "
                                       f"{close}?", (Related(span, known.signature),) if known else ()))
            continue
        if not name.startswith("TD_") and name not in td_names():
            lower = token.text.lower()
            if check_builtins and lower not in builtins("trino" if trino else "hive"):
                close = near_miss(lower, builtins("trino" if trino else "hive"))
                if close:
                    engine_name = "Trino 423" if trino else "Hive 2.3 (with Hivemall)"
                    span = _span(query, rendered, token.start, token.end)
                    issues.append(SqlIssue(UNKNOWN_SQL_FUNCTION, span,
                                           f"unknown function {excerpt(token.text, 40)!r}; did you mean {close}?",
                                           (Related(span, f"{engine_name} has no function of this name"),)))
            continue
        function = td_catalog().get(name)
        call = _call_arguments(tokens, paren)
        if function is None or call is None or engine not in function.engines:
            continue
        arguments, close_index = call
        if rendered.template_at(tokens[paren].start, tokens[close_index].end) is not None:
            continue  # an unknown template inside the call could be several arguments
        given = len(arguments)
        if function.min_args <= given <= function.max_args:
            continue
        wanted = (str(function.min_args) if function.min_args == function.max_args
                  else f"{function.min_args} to {function.max_args}")
        span = _span(query, rendered, token.start, token.end)
        issues.append(SqlIssue(ARITY, span, f"{function.name} takes {wanted} argument"
                               f"{'' if function.max_args == 1 else 's'}, given {given}",
                               (Related(span, function.signature),)))
    return issues


def _builtin_arity(query: Query, outcome: _Outcome, index: int, paren: int, count: int) -> list[SqlIssue]:
    """A call of a Trino built-in (``trino_functions``) with a number of arguments no documented overload
    takes; ``count`` is what the fast recogniser's derivation of the grammar counted (``count(*)``: 0).
    A call whose parentheses hold an unknown template is not judged: it may stand for several arguments
    or none."""
    tokens, rendered = outcome.parsed.tokens or (), outcome.rendered
    arity = trino_arities().get(tokens[index].text.lower())
    if arity is None or arity.accepts(count):
        return []
    call = _call_arguments(tokens, paren)
    if call is None:
        return []
    start, end = tokens[paren].start, tokens[call[1]].end
    if any(not item.known and item.context is not Context.COMMENT and item.start < end and start < item.end
           for item in rendered.templates):
        return []  # even in quotes: a value with a quote in it could close the literal
    span = _span(query, rendered, tokens[index].start, tokens[index].end)
    name = excerpt(tokens[index].text, 40)
    return [SqlIssue(SQL_ARITY, span, f"{name} takes {arity.describe()}, not {count}",
                     (Related(span, "Trino 423's function reference documents no overload with this many "
                                    "arguments"),))]


# --------------------------------------------------------------------------------------------
# Statement kind


_TRINO_QUERY_STARTS = frozenset({"SELECT", "WITH", "VALUES", "L_PAREN", "TABLE"})  # queryNoWith, `with`


def _statement_kind(query: Query, outcome: _Outcome) -> list[SqlIssue]:
    if query.modifier is None or not outcome.parsed.statements or _INSERT_LINE.search(query.text):
        return []
    first = outcome.parsed.statements[0]
    tokens = outcome.parsed.tokens or ()
    if not tokens:
        return []
    if outcome.dialect == "trino":  # Trino's statements are the first token's kind: sqlglot is not needed
        if first in _TRINO_QUERY_STARTS:
            return []
    else:
        from sqlglot import exp

        if isinstance(first, (exp.Query, exp.Values)):
            return []
    head = tokens[0]
    if outcome.rendered.template_at(head.start, head.end) is not None:
        return []
    prefix = {"insert_into": "INSERT INTO <table>", "create_table": "CREATE TABLE <table> AS"}[query.modifier]
    span = _span(query, outcome.rendered, head.start, head.end)
    return [SqlIssue(STATEMENT_KIND, span, f"with `{query.modifier}` the query must return rows (SELECT, WITH or "
                                           f"VALUES), not {excerpt(head.text.upper(), 20)}",
                     (Related(span, f"digdag runs `{prefix}` followed by this query"),))]


def analyse(query: Query, resolve: Resolve) -> list[SqlIssue]:
    """Every issue of one query (templates resolved with ``resolve``)."""
    if not query.text.strip():
        return []
    if len(query.text) > MAX_QUERY_LENGTH:
        return [_too_long(query)]
    if query.text.count("[") > MAX_SUBSCRIPTS:
        return [_too_many_subscripts(query)]
    if query.offsets is not None and query.operator in TD_OPERATORS and _FILE_NAME.fullmatch(query.text.strip()):
        start = query.source_offset(len(query.text) - len(query.text.lstrip()))
        end = query.source_offset(len(query.text.rstrip()) - 1) + 1
        return [SqlIssue(SYNTAX, query.source.span(start, end),
                         f"{excerpt(query.text.strip())!r} is run as SQL text, not as a file: {query.operator}> "
                         f"runs a file named after the operator (`{query.operator}>: {excerpt(query.text.strip())}`)")]
    outcome = _best(query, resolve)
    if outcome.rendered.unclosed:
        return []
    issues = _hive_syntax(query, render(query.text, resolve)) if query.dialects == ("hive",) else _syntax(
        query, outcome)
    if any(issue.kind == SYNTAX for issue in issues) or outcome.parsed.tokens is None:
        return issues
    if query.operator in TD_OPERATORS:
        issues += _functions(query, outcome)
    if outcome.parsed.error is None:
        issues += _statement_kind(query, outcome)
    return issues
