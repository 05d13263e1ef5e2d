"""A query that is not valid SQL for the engine that runs it.

## What it does
Parses the SQL of `td>`, `td_wait>`, `td_for_each>` (Presto, or Hive with `engine: hive`, also
from `_export`), `pg>`, `redshift>` and `bq>` (standard SQL) — `.sql` files, `{data: ...}` and
`query:` — after rendering its `${...}` templates: `_export`ed constants and built-ins with a fixed
format (`session_date`...) are substituted, other templates get a placeholder that fits where
they are. The error is reported at the line and column of the original text, with the token that
was not expected and what was. Besides the parser's errors it reports a comma right before
`FROM`/`WHERE`/`GROUP BY`... (outside BigQuery) and a keyword written twice in a row. When the
parser stops next to a template whose value is unknown, nothing is reported here (see `DL602`).

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
from dig_lsp.embedded.sql import SYNTAX

CODE = "DL601"
NAME = "sql-syntax"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, SYNTAX)
