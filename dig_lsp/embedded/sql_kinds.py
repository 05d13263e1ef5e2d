"""What the SQL checks need to name before any query is judged: the issue kinds, the operators that run
SQL, and the two records (a query, an issue).

Why a module of its own: every SQL check (DL601-DL607) names its kind and ``sql_support`` names the
operators and builds ``Query`` records, and all of them are imported by every run (the registry imports
each check). ``sql`` itself pulls in the renderer, Trino's tokens and grammar tables, the Hive rules and
the Treasure Data catalogs: 13-37 ms of a one-file ``dig-lint`` run (pre-commit's command) that judges no
query. ``sql`` is imported only when a query in a reported file is judged.
"""

from __future__ import annotations

from dataclasses import dataclass

from dig_lsp.diagnostics import Related
from dig_lsp.text.source import SourceFile
from dig_lsp.text.span import Span

SYNTAX = "syntax"
NOT_CHECKED = "not-checked"
ARITY = "arity"
SQL_ARITY = "sql-arity"
UNKNOWN_FUNCTION = "unknown-function"
UNKNOWN_SQL_FUNCTION = "unknown-sql-function"
STATEMENT_KIND = "statement-kind"

TD_OPERATORS = frozenset({"td", "td_wait", "td_for_each"})
SQL_OPERATORS = TD_OPERATORS | {"pg", "redshift", "bq"}


@dataclass(frozen=True)
class Query:
    """One query a task runs: its text, where each character is, and how it is run."""

    text: str
    source: SourceFile
    offsets: tuple[int, ...] | None  # source offset of each text character (+ end); None: the whole file
    operator: str
    dialects: tuple[str, ...]  # sqlglot dialects; an error is reported only if every one fails
    modifier: str | None = None  # "insert_into" / "create_table" when set on the task

    def source_offset(self, index: int) -> int:
        """The source offset of text index ``index``."""
        if self.offsets is None:
            return index
        return self.offsets[min(max(index, 0), len(self.offsets) - 1)]


@dataclass(frozen=True)
class SqlIssue:
    """Something wrong (or unverifiable) in a query, located in the source."""

    kind: str
    span: Span
    message: str
    related: tuple[Related, ...] = ()
    value_of: str | None = None  # the `${name}` whose known value broke the query (the checks say where it is set)
