"""The SQL checks do each piece of work once, and the shortcuts give what the long way gave (issue 20).

* sqlglot tokenizes a query once per dialect: ``parse`` hands the tokens it keeps to sqlglot's parser,
  and its statements and first error are those of ``sqlglot.parse``;
* a Presto query is scanned once for Trino's tokens: its statements' tokens are the query's, moved, and
  they are what scanning each statement gives;
* a statement's tokens are moved to its own positions only when something asks for them there (the
  fast recogniser, which reads every statement, needs only kinds and lengths);
* the fast recogniser reads a statement once for both of its answers (does Trino surely accept it, and
  which calls it makes);
* a Hive query without ``/*`` is read once for its certain mistakes (the two readings of block comments
  are the same text then);
* a function call's place in the source is worked out only for a call that is reported;
* ``scan_sql``, which jumps between the characters that can change its state, ends in the state (and the
  open quote) that reading every character gives.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dig_lsp.embedded import sql, trino_fast, trino_grammar, trino_tokens
from dig_lsp.embedded.sql_render import QUOTES, scan_sql
from tests.test_trino_grammar import _PIECES

_SQLGLOT_QUERIES = [
    ("SELECT a, b FROM t WHERE x = 1 -- note\n", "hive"),
    ("SELECT a FROM t LATERAL VIEW explode(xs) e AS x; SELECT 1", "hive"),
    ("INSERT OVERWRITE TABLE t SELECT * FROM u", "hive"),
    ("SELECT a, FROM t", "hive"),
    ("SELECT (a FROM t", "postgres"),
    ("SELECT TO_MAP(a, b) FROM t", "hive"),
    ("WITH x AS (SELECT 1) SELECT * FROM x", "redshift"),
    ("SELECT `a b` FROM `p.d.t` /* c */", "bigquery"),
]


def _sqlglot_parse(text: str, dialect: str) -> tuple[tuple[Any, ...], dict[str, Any] | None, int]:
    """What ``sqlglot.parse`` makes of ``text``, as ``parse`` reports it: statements, first error, and how
    many times the text is tokenized (twice when only sqlglot's function table refuses it: parsed again,
    leniently)."""
    import sqlglot
    from sqlglot.errors import ErrorLevel, ParseError

    try:
        strict = sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE)
        return tuple(s for s in strict if s is not None), None, 1
    except ParseError as error:
        if all(e["description"].startswith("The number of provided arguments") for e in error.errors):
            lenient = sqlglot.parse(text, read=dialect, error_level=ErrorLevel.IGNORE)
            return tuple(s for s in lenient if s is not None), None, 2
        return (), dict(error.errors[0]), 1


@pytest.mark.parametrize(("text", "dialect"), _SQLGLOT_QUERIES)
def test_sqlglot_tokenizes_a_query_once(text: str, dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlglot
    from sqlglot.dialects.dialect import Dialect

    calls: list[str] = []
    tokenize = Dialect.tokenize

    def counted(self: Dialect, sql_text: str, dialect: Any = None) -> Any:
        if sql_text == text:  # not the type names a dialect tokenizes when it is first set up
            calls.append(sql_text)
        return tokenize(self, sql_text, dialect)

    sql.parse.cache_clear()
    monkeypatch.setattr(Dialect, "tokenize", counted)
    parsed = sql.parse(text, dialect)
    monkeypatch.undo()
    statements, error, times = _sqlglot_parse(text, dialect)
    assert calls == [text] * times
    assert parsed.error == error
    assert parsed.statements == statements
    assert parsed.tokens == tuple(sql._Token(t.token_type.name, t.text, t.start, t.end + 1, t.line, t.col)
                                  for t in sqlglot.tokenize(text, read=dialect))


def _fresh_scan(text: str) -> list[trino_tokens.Token]:
    return trino_tokens._scan_tokens(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, ";", "; ", " ;\n"]), max_size=30))
def test_statement_tokens_are_the_query_tokens_moved(pieces: list[str]) -> None:
    text = "".join(pieces)
    tokens = _fresh_scan(text)
    found = trino_tokens.statement_texts(text)
    assert [(first, last) for first, last, _, _ in found] == trino_tokens.statements(tokens)
    for first, last, start, statement in found:
        assert start == tokens[first].start
        assert statement == text[start:tokens[last - 1].end]
        assert trino_tokens.tokenize(statement) == _fresh_scan(statement)


def test_a_statements_tokens_are_moved_only_when_asked_for() -> None:
    text = "  -- two statements\nSELECT a, \"\" FROM t;\n SELECT f(b) FROM u WHERE c IN (1, 2)\n"
    trino_tokens._kept.clear()
    trino_grammar._recognised.cache_clear()
    found = trino_tokens.statement_texts(text)
    assert len(found) == 2
    for _first, _last, start, statement in found:
        in_place = list(trino_tokens.tokens_in_place(statement))
        verdict = trino_grammar.quick_stop(statement), trino_grammar.statement_calls(statement)
        assert isinstance(trino_tokens._kept[statement], trino_tokens._Slice)  # not moved for the recogniser
        moved = trino_tokens.tokenize(statement)
        assert moved == _fresh_scan(statement)
        assert in_place == [trino_tokens.Token(t.kind, t.start + start, t.end + start) for t in moved]
        calls = trino_fast.function_calls(moved)
        assert verdict == (trino_fast.give_up(moved), None if calls is None else tuple(calls))


def test_a_presto_query_is_scanned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[str] = []
    scan = trino_tokens._scan_tokens

    def counted(text: str) -> list[trino_tokens.Token]:
        scanned.append(text)
        return scan(text)

    monkeypatch.setattr(trino_tokens, "_scan_tokens", counted)
    text = "  -- a query run once\nSELECT a, f(b) FROM t WHERE c = 1;\n\nSELECT count(*) FROM u\n"
    for cache in (sql._parse_trino, trino_grammar._recognised, trino_grammar.judge):
        cache.cache_clear()
    trino_tokens._kept.clear()
    parsed = sql._parse_trino(text, True)
    assert parsed.error is None
    assert parsed.statements == ("SELECT", "SELECT")
    assert scanned == [text]


@pytest.mark.parametrize("statement", ["SELECT f(a, b), count(*) FROM t WHERE g(c) > 1", "SELECT a FROM t WHERE",
                                       "SELECT * FROM t MATCH_RECOGNIZE (PATTERN (A) DEFINE A AS true)"])
def test_the_fast_recogniser_runs_once_per_statement(statement: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    recognise = trino_fast.recognise

    def counted(tokens: list[trino_tokens.Token]) -> tuple[int | None, list[tuple[int, int, int]] | None]:
        runs.append(len(tokens))
        return recognise(tokens)

    trino_grammar._recognised.cache_clear()
    monkeypatch.setattr(trino_fast, "recognise", counted)
    stop, calls = trino_grammar.quick_stop(statement), trino_grammar.statement_calls(statement)
    monkeypatch.undo()
    tokens = trino_tokens.tokenize(statement)
    assert len(runs) == 1
    assert stop == trino_fast.give_up(tokens)
    assert calls == (None if trino_fast.function_calls(tokens) is None else tuple(trino_fast.function_calls(tokens)))


def _scan_every_character(text: str, start: int, end: int, state: str, opened: int) -> tuple[str, int]:
    """``scan_sql`` as it was written first, one character at a time: the specification."""
    index = start
    while index < end:
        char, pair = text[index], text[index:index + 2]
        if state in QUOTES:
            if char == state and text[index + 1:index + 2] == state:
                index += 1
            elif char == state:
                state = ""
        elif state == "--":
            state = "" if char == "\n" else state
        elif state == "/*":
            if pair == "*/":
                state, index = "", index + 1
        elif pair in ("--", "/*"):
            state, index = pair, index + 1
        elif char in QUOTES:
            state, opened = char, index
        index += 1
    return state, opened


def test_scan_sql_reads_what_every_character_gives() -> None:
    """Every text of up to four of the characters that matter, every range of it, every starting state:
    a two-character mark across the end of the range is rare in random text, so all are tried."""
    alphabet = ["-", "/", "*", "'", '"', "`", "\n"]
    for text in ("".join(chars) for length in range(5) for chars in itertools.product(alphabet, repeat=length)):
        for end in range(len(text) + 1):
            for start in range(end + 1):
                for state in ("", "'", '"', "`", "--", "/*"):
                    expected = _scan_every_character(text, start, end, state, 7)
                    assert scan_sql(text, start, end, state, 7) == expected, (text, start, end, state)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="-/*'\"`\na$ ", max_size=60), st.data(), st.sampled_from(["", "'", '"', "`", "--", "/*"]))
def test_scan_sql_on_longer_text(text: str, data: st.DataObject, state: str) -> None:
    end = data.draw(st.integers(0, len(text)))  # a range of the text, as every caller asks
    start = data.draw(st.integers(0, end))
    assert scan_sql(text, start, end, state, 7) == _scan_every_character(text, start, end, state, 7)


_HIVE = ["SELECT a,, b FROM t WHERE (x", "SELECT , a FROM t -- /* not a block\n", "SELECT a FROM t /* c, */ WHERE x)",
         "SELECT 'a /* b' FROM t", "SELECT SELECT a FROM t /*+ hint */", "SELECT a, FROM t /* unclosed"]


@pytest.mark.parametrize("text", _HIVE)
def test_hive_is_read_twice_only_with_a_block_comment(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from dig_lsp.embedded import hive_certain

    reads: list[bool] = []
    scan = hive_certain._scan

    def counted(scanned: str, block_comments: bool) -> Any:
        reads.append(block_comments)
        return scan(scanned, block_comments)

    monkeypatch.setattr(hive_certain, "_scan", counted)
    found = hive_certain.certain_mistakes(text, lambda mistake: False)
    monkeypatch.undo()
    both = set(hive_certain._findings(text, False))
    assert found == sorted((m for m in hive_certain._findings(text, True) if m in both), key=lambda m: (m.start, m.end))
    assert reads == ([True, False] if "/*" in text else [True])


@pytest.mark.parametrize(("text", "reported"), [
    ("SELECT TD_TIME_RANGE(time, '2024-01-01'), count(*), coalesce(a, b), upper(c) FROM t", 0),
    ("SELECT TD_TIME_RANGEE(time, '2024-01-01'), caolesce(a, b), TD_TIME_FORMAT(time), substr(c) FROM t", 4),
])
def test_a_call_is_located_only_when_reported(text: str, reported: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from dig_lsp.text.source import SourceFile

    located: list[tuple[int, int]] = []
    span = sql._span

    def counted(query: sql.Query, rendered: Any, start: int, end: int) -> Any:
        located.append((start, end))
        return span(query, rendered, start, end)

    monkeypatch.setattr(sql, "_span", counted)
    issues = sql.analyse(sql.Query(text, SourceFile("q.sql", text), None, "td", ("trino",)), lambda name: None)
    assert len(issues) == reported
    assert len(located) == reported
