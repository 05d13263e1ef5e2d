"""A query that is not valid SQL for the engine that runs it.

## What it does
Checks the SQL of `td>`, `td_wait>`, `td_for_each>` (Presto, or Hive with `engine: hive`, also
from `_export`), `pg>`, `redshift>` and `bq>` (standard SQL) — `.sql` files, `{data: ...}` and
`query:` — after rendering its `${...}` templates: `_export`ed constants and built-ins with a fixed
format (`session_date`...) are substituted, other templates get a placeholder that fits where
they are. Presto queries are judged by Trino's own grammar (`SqlBase.g4` of Trino 422; Treasure
Data runs Trino 423): an error is reported exactly when Trino's parser rejects the rendered
statement, also for what Trino's parser adds to the grammar (a name starting with a digit, a
`backquoted` name). Hive queries (`engine: hive`) get only what their tokens prove, by Hive's own
lexer rules: unterminated quoted text, a `(` never closed or a `)` with none open, a comma with
nothing on one side in a select, `FROM` or `GROUP BY` list (`SELECT , a`, `a,, b`, `a, FROM`),
and `SELECT`, `FROM`, `WHERE`, `AND`, `OR`... written twice in a row; the list and why each is
certain is in `dig_lsp/embedded/hive_certain.py`. The other engines are parsed with sqlglot in their
dialect, plus a comma right before `FROM`/`WHERE`/`GROUP BY`... (outside BigQuery) and a keyword
written twice in a row.

The error is reported at the line and column of the original text, where it can be fixed: an
unclosed `(` where it was opened, a misspelled keyword at the word with the keyword that makes the
statement parse (`FORM` -> `FROM`), a stray comma on the comma, a reserved word used as a name; when
a known value substituted for a `${...}` broke the query, the message quotes it. When the parser
stops next to a template whose value is unknown (it may stand for a keyword, a condition or
nothing), nothing is reported here (see `DL602`).

## Why is this bad?
digdag renders the query and sends it as is (`util/Workspace.templateCommand`); the job fails
only when it reaches the database, often at night, after the tasks before it have run.

## Example
```yaml
+daily:
  td>:
    data: |
      SELECT region, COUNT(1) AS orders,
      FROM raw_orders
```

## Use instead
```yaml
+daily:
  td>:
    data: |
      SELECT region, COUNT(1) AS orders
      FROM raw_orders
      GROUP BY region
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import SYNTAX

CODE = "DL601"
NAME = "sql-syntax"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, SYNTAX)
