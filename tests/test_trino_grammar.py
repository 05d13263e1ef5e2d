"""Trino's grammar as the judge of Presto queries (``embedded/trino_tokens``, ``trino_fast``, ``trino_grammar``).

* the fast lexer gives the tokens the ANTLR lexer generated from ``SqlBase.g4`` gives, on every query
  of the corpora and on generated text;
* ``schemas/sql/trino.json`` lists the installed grammar's keywords and reserved words;
* the fast recogniser never accepts what the grammar rejects: on the corpora, on mutated corpus
  statements (tokens deleted, doubled, swapped, inserted) and on the mistakes of the issue;
* the verdicts and their wording on the mistakes people make.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dig_lsp.embedded.trino_fast import accepts
from dig_lsp.embedded.trino_grammar import _antlr, grammar_stop, judge, rejection
from dig_lsp.embedded.trino_tokens import Token, statements, tokenize, upper_case
from tests.conftest import FIXTURES, ROOT, shared_path

_TEMPLATE = re.compile(r"\$\{[^{}]*\}")


def _corpus_texts() -> Iterator[str]:
    folders = [FIXTURES / "sql_corpus", ROOT / "examples"]
    for relative in ("corpus/treasure-boxes", "corpus/digdag"):
        folders.append(shared_path(relative))
    for folder in folders:
        for path in sorted(folder.rglob("*.sql")):
            text = path.read_text(encoding="utf-8", errors="replace")
            yield _TEMPLATE.sub("x", text)


@pytest.fixture(scope="module")
def corpus_statements() -> list[str]:
    found: list[str] = []
    for text in _corpus_texts():
        tokens = tokenize(text)
        for first, last in statements(tokens):
            found.append(text[tokens[first].start:tokens[last - 1].end])
    return list(dict.fromkeys(found))


def _antlr_tokens(text: str) -> list[tuple[str, int, int]]:
    from antlr4 import InputStream
    from trino_query_parser.SqlBaseLexer import SqlBaseLexer

    stream = InputStream(text)
    stream.data = [ord(c) for c in upper_case(text)]  # Trino's CaseInsensitiveStream
    lexer = SqlBaseLexer(stream)
    lexer.removeErrorListeners()
    kinds = _antlr().kinds
    return [(kinds.get(t.type, "?"), t.start, t.stop + 1) for t in lexer.getAllTokens() if t.channel == 0]


def _ours(text: str) -> list[tuple[str, int, int]]:
    kinds = _antlr().kinds
    types = _antlr().types
    return [(kinds[types.get(t.kind, types["UNRECOGNIZED"])], t.start, t.end) for t in tokenize(text) if t.kind != ";"]


def test_lexer_matches_antlr_on_the_corpora(corpus_statements: list[str]) -> None:
    for text in _corpus_texts():
        assert _ours(text.replace(";", " ")) == _antlr_tokens(text.replace(";", " "))


_PIECES = ["SELECT", "select", "a", "_b9", "1", "0x1F", "0b2", "1_000", "1.", ".5", "1e5", "1E+", "12ab", "'", "''",
           "'x'", '"', '""', '"q"', "`", "``", "U&'", "u&'x'", "X'", "x'01'", "--", "/*", "*/", "\n", "\r", "\t", " ",
           "-", ">", "<", "=", "!", "|", "{", "}", "-}", "{-", ".", ",", "(", ")", "[", "]", "?", "é", "ß",
           "\u0131", "\ufb00", "\u3000", "“", "#", "\\", "$", "%", "^", ":", "&", "STRING", "utf8"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_lexer_matches_antlr_on_generated_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _ours(text) == _antlr_tokens(text)


def test_keywords_are_the_installed_grammars() -> None:
    from trino_query_parser.SqlBaseParser import SqlBaseParser

    data = json.loads((ROOT / "schemas" / "sql" / "trino.json").read_text(encoding="utf-8"))
    words = {}
    for index, literal in enumerate(SqlBaseParser.literalNames):
        match = re.fullmatch(r"'([A-Z_0-9]+)'", literal)
        if match:
            symbolic = SqlBaseParser.symbolicNames[index]  # '<INVALID>': a literal of a parser rule ('SKIP')
            words[match.group(1)] = match.group(1) if symbolic == "<INVALID>" else symbolic
    assert data["keywords"] == words
    import trino_query_parser

    g4 = (Path(trino_query_parser.__file__).parent / "SqlBase.g4").read_text(encoding="utf-8")  # beside the parser
    rule = re.search(r"^nonReserved\n(.*?);", g4, re.S | re.M)
    assert rule is not None
    non_reserved = set(re.findall(r"\b[A-Z_0-9]+\b", re.sub(r"//.*", "", rule.group(1))))
    assert set(data["reserved"]) == {word for word, name in words.items() if name not in non_reserved}


def test_fast_recogniser_accepts_only_what_the_grammar_accepts(corpus_statements: list[str]) -> None:
    accepted, valid = 0, 0
    for statement in corpus_statements:
        tokens = tokenize(statement)
        if accepts(tokens):
            accepted += 1
            assert grammar_stop(statement, tokens) is None, statement
        valid += grammar_stop(statement, tokens) is None
    assert accepted >= 0.95 * valid  # it is worth having: ANTLR runs on little more than the mistakes


_INSERTED = ["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "AS", "ON", "JOIN", "GROUP", "BY", "ORDER", "LIMIT", "(",
             ")", ",", ".", "=", "+", "*", "CASE", "WHEN", "THEN", "END", "IN", "IS", "NULL", "BETWEEN", "OVER",
             "PARTITION", "DISTINCT", "ALL", "UNION", "WITH", "CAST", "INTERVAL", "'x'", "1", "x", "->", "[", "]",
             "DATE", "ROW", "ARRAY", "TIME", "ZONE", "AT", "FILTER", "ROWS", "DESC", "NULLS", "FIRST", "LIKE",
             "VALUES", "TABLE", "OFFSET", "FETCH", "IF", "<", ">", "?", "TRIM", "EXTRACT", "SUBSTRING", "FOR",
             "USING", "CROSS", "UNNEST", "LATERAL", "TABLESAMPLE", "HAVING", "ROLLUP", "GROUPING", "SETS", "RANGE",
             "PRECEDING", "UNBOUNDED", "CURRENT"]


def test_fast_recogniser_on_mutated_statements(corpus_statements: list[str]) -> None:
    rng = random.Random(15)
    pool = [s for s in corpus_statements if len(tokenize(s)) <= 300]
    accepted = 0
    for _ in range(6000):
        statement = rng.choice(pool)
        texts = [statement[t.start:t.end] for t in tokenize(statement)]
        for _ in range(rng.randint(1, 3)):
            operation, index = rng.randrange(4), rng.randrange(len(texts))
            if operation == 0 and len(texts) > 1:
                del texts[index]
            elif operation == 1:
                texts.insert(index, texts[index])
            elif operation == 2 and index + 1 < len(texts):
                texts[index], texts[index + 1] = texts[index + 1], texts[index]
            else:
                texts.insert(index, rng.choice(_INSERTED))
        mutant = " ".join(texts)
        tokens = tokenize(mutant)
        if accepts(tokens):
            accepted += 1
            assert grammar_stop(mutant, tokens) is None, mutant
    assert accepted > 100


def _two_passes(statement: str, tokens: list[Token]) -> object:
    """Trino's ``SqlParser.invokeParser``: SLL prediction, then full LL only when SLL fails."""
    parser = _antlr()
    first = parser.parse(statement, tokens, parser.sll)
    return first if first is None else parser.parse(statement, tokens, parser.ll)


def test_the_ll_pass_alone_is_trinos_verdict(corpus_statements: list[str]) -> None:
    """``_Antlr.stop`` runs only the LL pass: on what ANTLR judges (the corpora's statements the fast
    recogniser does not accept, and mutants of them) its stop is the one of Trino's two passes."""
    rng = random.Random(20)
    judged = [s for s in corpus_statements if not accepts(tokenize(s)) and len(tokenize(s)) <= 300]
    mutants = []
    for statement in rng.sample(judged, min(len(judged), 60)) * 3:
        texts = [statement[t.start:t.end] for t in tokenize(statement)]
        texts.insert(rng.randrange(len(texts)), rng.choice(_INSERTED))
        mutants.append(" ".join(texts))
    accepted = rejected = 0
    for statement in judged + mutants + [query for query, _, _ in VERDICTS] + ACCEPTED:
        tokens = tokenize(statement)
        verdict = _antlr().stop(statement, tokens)
        assert verdict == _two_passes(statement, tokens), statement
        accepted += verdict is None
        rejected += verdict is not None
    assert accepted > 5
    assert rejected > 50


# (query, the text shown, message)
VERDICTS = [
    ("SELECT , a FROM t", ",", "a ',' right after 'SELECT': nothing comes before it in the list"),
    ("SELECT a, FROM t", ",", "a ',' right before 'FROM': the list before it ends with a comma"),
    ("SELECT COUNT(* AS n FROM t", "(", "this '(' is never closed (a ')' is missing before 'AS')"),
    ("SELECT a FROM t WHERE x AND AND y", "AND", "'AND' twice in a row"),
    ("SELEC a FROM t", "SELEC", "'SELEC' is not a SQL keyword; did you mean SELECT?"),
    ("SELECT a FORM t", "FORM", "'FORM' is not a SQL keyword; did you mean FROM?"),
    ("SELECT a FROM t GROUP BYY a", "BYY", "'BYY' is not a SQL keyword; did you mean BY?"),
    ("SELECT a FROM t WHER a = 1", "WHER", "'WHER' is not a SQL keyword; did you mean WHERE?"),
    ("SELECT a FROM t ORDER BY a DESCC", "DESCC", "'DESCC' is not a SQL keyword; did you mean DESC?"),
    ("SELECT a FROM t LIMT 10", "LIMT", "'LIMT' is not a SQL keyword; did you mean LIMIT?"),
    ("SELECT 'abc FROM t", "'", "unterminated quoted text: this quote is never closed"),
    ("SELECT a FROM t)", ")", "this ')' has no matching '('"),
    ("SELECT a FROM t WHERE x IN (1, 2", "(", "this '(' is never closed"),
    ("SELECT id, values FROM t", "values", "'values' is a reserved word in Trino: as a name it must be quoted "
                                           "(\"values\")"),
    ("SELECT left(name, 3) FROM t", "left", "'left' is a reserved word in Trino: as a name it must be quoted "
                                            "(\"left\")"),
    ("SELECT a = b = c FROM t", "=", "unexpected '='; expected a name, ',', 'AS' or 'FROM'"),
    ("SELECT x FROM t WHERE x IS TRUE", "TRUE", "unexpected 'TRUE'; expected 'NULL'"),
    ("SELECT COUNT(* AS n) FROM t", "AS", "unexpected 'AS'; expected ')'"),
    ("SELECT CASE WHEN a THEN 1 FROM t", "FROM", "unexpected 'FROM'; expected 'END'"),
    ("SELECT a FROM t JOIN u", "", "the query ends too early: expected 'ON' or 'USING'"),
    ("SELECT a FROM t\u3000WHERE a = 1", "\u3000", "a full-width space (U+3000); SQL separates words with ASCII "
                                                  "spaces"),
]


@pytest.mark.parametrize(("query", "shown", "message"), VERDICTS, ids=[v[0] for v in VERDICTS])
def test_verdicts(query: str, shown: str, message: str) -> None:
    stop = judge(query)
    assert stop is not None
    explained = rejection(query, stop)
    assert (query[explained.start:explained.end], explained.message) == (shown, message)


ACCEPTED = [
    "SELECT transform(xs, x -> x + 1), reduce(xs, 0, (s, x) -> s + x, s -> s) FROM t",
    "SELECT TRY_CAST(v AS ROW(a BIGINT, b ARRAY(VARCHAR))) FROM t",
    "SELECT CAST(json_parse(x) AS ARRAY<JSON>), CAST(y AS MAP<VARCHAR, BIGINT>) FROM t",
    "SELECT from_unixtime(time) AT TIME ZONE 'Asia/Tokyo', DATE '2024-01-01', INTERVAL '1' DAY FROM t",
    "SELECT array_agg(x ORDER BY y DESC) FILTER (WHERE y > 0) FROM t GROUP BY ROLLUP (a, b)",
    "SELECT lag(x) IGNORE NULLS OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
    "SELECT a FROM t ORDER BY 1 OFFSET 5 ROWS FETCH FIRST 10 ROWS WITH TIES",
    "SELECT * FROM t CROSS JOIN UNNEST(xs) WITH ORDINALITY AS u(x, i) TABLESAMPLE BERNOULLI (10)",
    "WITH a AS (SELECT 1 x), b (y) AS (SELECT x FROM a) SELECT * FROM a JOIN b ON a.x = b.y",
    "SELECT substring(s FROM 2 FOR 3), substring(s, 2), trim(LEADING 'x' FROM s), position('a' IN s) FROM t",
    "SELECT x FROM t WHERE x NOT BETWEEN 1 AND 2 AND y NOT LIKE 'a%' ESCAPE '\\' AND z IS NOT DISTINCT FROM w",
    "SELECT x FROM t WHERE x = ANY (SELECT y FROM u) AND EXISTS (SELECT 1) AND x IN (SELECT 1)",
    "INSERT INTO t (a, b) SELECT 1, 2",
    "CREATE TABLE IF NOT EXISTS t WITH (format = 'ORC') AS SELECT 1 AS a WITH NO DATA",
    "CREATE TABLE t (a BIGINT NOT NULL COMMENT 'x', b DECIMAL(10, 2))",
    "DELETE FROM t WHERE time < 0",
    "DROP TABLE IF EXISTS t",
    "ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c varchar",
    "SELECT \"values\", t.* FROM t",
]


@pytest.mark.parametrize("query", ACCEPTED)
def test_trino_accepts(query: str) -> None:
    assert judge(query) is None


def test_trailing_semicolon_and_several_statements() -> None:
    tokens = tokenize("SELECT 1; SELECT 2;\n")
    assert statements(tokens) == [(0, 2), (3, 5)]
    assert tokenize("SELECT ';'")[1] == Token("STRING", 7, 10)
