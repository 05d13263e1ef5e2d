"""A Trino built-in function called with a number of arguments none of its forms takes.

## What it does
In Presto queries of `td>`, `td_wait>` and `td_for_each>` (Treasure Data runs Trino 423), counts
the arguments of each call to a Trino built-in function whose argument counts Trino's function
reference settles (`round` takes 1 or 2, `date_diff` 3, `coalesce` at least 2...), and reports a
call that no documented form of the function takes. The counts come from the grammar's own reading
of the call, so `count(*)`, `count(DISTINCT a)`, `array_agg(x ORDER BY y)`, `FILTER (WHERE ...)`,
`OVER (...)` and lambdas (`transform(a, x -> x + 1)`) are counted as Trino counts them. Not
checked: functions with a syntax of their own (`CAST`, `EXTRACT`, `TRIM`, `POSITION`...),
functions whose counts the reference leaves open, qualified names (`schema.fn(...)`), Treasure
Data's own functions (DL603), calls holding a `${...}` whose value is unknown (it may stand for
several arguments), and statements Trino's grammar is not sure to accept. The catalog, with its
sources, is `schemas/sql/trino_arity.json`.

## Why is this bad?
The job is accepted, then fails when Trino analyses the query (`Unexpected parameters ... for
function round`), after the tasks before it have run.

## Example
```yaml
+daily:
  td>:
    data: SELECT round(price, 2, 0) AS p, date_diff('day', created_at) AS age FROM orders
```

## Use instead
```yaml
+daily:
  td>:
    data: SELECT round(price, 2) AS p, date_diff('day', created_at, now()) AS age FROM orders
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import SQL_ARITY

CODE = "DL607"
NAME = "sql-function-arity"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, SQL_ARITY)
