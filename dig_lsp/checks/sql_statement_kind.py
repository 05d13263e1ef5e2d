"""A query that returns no rows used with `insert_into` or `create_table`.

## What it does
With `insert_into`/`create_table`, digdag puts `INSERT INTO <table>` or `DROP TABLE IF EXISTS
<table>; CREATE TABLE <table> AS` (Presto), `INSERT INTO TABLE`/`INSERT OVERWRITE TABLE` (Hive)
in front of the query (`td/TdOperatorFactory.startJob`, `insertCommandStatement`; for `pg>` and
`redshift>` `jdbc/AbstractJdbcConnection.buildInsertStatement`/`buildCreateTableStatement`). The
query must therefore be a `SELECT` (or `WITH ... SELECT`, `VALUES`). Queries with a
`-- DIGDAG_INSERT_LINE` line, where digdag inserts the command instead, are not checked.

## Why is this bad?
The combined statement is invalid SQL (`INSERT INTO t DELETE FROM ...`); `pg>` fails with
`Given query is valid but failed to build INSERT INTO statement`.

## Example
```yaml
+copy:
  pg>:
    data: DELETE FROM staging WHERE day < '${session_date}'
  create_table: staging_copy
```

## Use instead
```yaml
+copy:
  pg>:
    data: SELECT * FROM staging WHERE day >= '${session_date}'
  create_table: staging_copy
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import STATEMENT_KIND

CODE = "DL605"
NAME = "sql-statement-kind"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, STATEMENT_KIND)
