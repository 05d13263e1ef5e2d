"""A misspelled Treasure Data function name.

## What it does
In queries of `td>`, `td_wait>` and `td_for_each>`, a call to a `TD_*` function that Treasure
Data does not have and whose name is one or two edits from a catalogued one (`TD_TIME_RANG`,
`TD_TIMEFORMAT`, `TD_FRIST`) is reported with the likely intended function. The catalog of
Treasure Data's functions for Presto and Hive is `schemas/sql/td.json`, with its sources. Names
with no close match are not reported, since a catalog can miss a function. Other misspelled
functions are `DL606`.

## Why is this bad?
The job is accepted, then fails when Treasure Data compiles the query, after the tasks before
it have run.

## Example
```yaml
+recent:
  td>:
    data: SELECT TD_TIME_FORMATE(time, 'yyyy-MM-dd', 'JST') AS day FROM logs
```

## Use instead
```yaml
+recent:
  td>:
    data: SELECT TD_TIME_FORMAT(time, 'yyyy-MM-dd', 'JST') AS day FROM logs
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import UNKNOWN_FUNCTION

CODE = "DL604"
NAME = "unknown-td-function"
SEVERITY = Severity.WARNING


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, UNKNOWN_FUNCTION)
