"""A misspelled SQL function name.

## What it does
In queries of `td>`, `td_wait>` and `td_for_each>`, a call to a function that neither the engine
has (every function of Trino 423's function list for Presto; Hive 2.3's built-ins and Hivemall's
functions for `engine: hive`) nor Treasure Data adds, and whose name is one or two edits from one
that exists (`caolesce`, `aray_agg`, `date_fromat`), is reported with the likely intended
function. Names with no close match are not reported (a catalog can miss a function), nor are
qualified names, names in a query that defines its own functions (Hive's `CREATE TEMPORARY
FUNCTION`) or calls whose name comes from a `${...}`. The catalogs are data in `schemas/sql/`, with
their sources.

## Why is this bad?
The job is accepted, then fails when the engine compiles the query (`Function 'caolesce' not
registered`), after the tasks before it have run.

## Example
```yaml
+recent:
  td>:
    data: SELECT caolesce(region, 'unknown') AS region FROM logs
```

## Use instead
```yaml
+recent:
  td>:
    data: SELECT coalesce(region, 'unknown') AS region FROM logs
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import UNKNOWN_SQL_FUNCTION

CODE = "DL606"
NAME = "unknown-sql-function"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, UNKNOWN_SQL_FUNCTION)
