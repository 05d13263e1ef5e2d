"""A query that could not be checked because a template may stand for SQL text.

## What it does
When the SQL parser stops at or next to a `${...}` whose value is not known statically (not an
`_export`ed constant nor a fixed-format built-in), the template may expand to a column list, a
`WHERE` condition or a comment marker, so the query may well be valid. Instead of an error, this
says where checking stopped and why. Hive queries (`engine: hive`) never get it: they are not
parsed for a verdict, only searched for the mistakes their tokens prove (see `DL601`).

## Why is this bad?
It is not a mistake; it tells you the query at that task was not verified. Writing the varying
part as an `_export`ed constant, or keeping templates to values (`'${session_date}'`), lets the
linter check the whole query.

## Example
```yaml
+load:
  td>:
    data: SELECT region FROM t WHERE day > 0 ${more_conditions} GROUP BY region
```

## Use instead
```yaml
_export:
  columns: region, amount
+load:
  td>:
    data: SELECT ${columns} FROM t WHERE TD_TIME_RANGE(time, '${session_date}') GROUP BY 1
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import NOT_CHECKED

CODE = "DL602"
NAME = "sql-not-checked"
SEVERITY = Severity.INFO


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, NOT_CHECKED)
