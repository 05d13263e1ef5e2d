"""The SQL checks do each piece of work once, and the shortcuts give what the long way gave (issue 20).

* sqlglot tokenizes a query once per dialect: ``parse`` hands the tokens it keeps to sqlglot's parser,
  and its statements and first error are those of ``sqlglot.parse``.
"""

from __future__ import annotations

from typing import Any

import pytest

from dig_lsp.embedded import sql

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
