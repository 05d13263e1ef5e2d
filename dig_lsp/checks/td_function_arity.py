"""A Treasure Data function called with the wrong number of arguments.

## What it does
In queries of `td>`, `td_wait>` and `td_for_each>`, counts the arguments of calls to Treasure
Data's own functions whose signatures are certain (`TD_TIME_RANGE`, `TD_TIME_ADD`,
`TD_TIME_FORMAT`, `TD_TIME_PARSE`, `TD_DATE_TRUNC`, `TD_SCHEDULED_TIME`, `TD_INTERVAL`,
`TD_TIME_STRING`, the `TD_IP_TO_*` functions, `TD_SESSIONIZE_WINDOW`, `TD_PARSE_AGENT`...), on the
engines their signature was documented for; the catalog, with the source of each signature, is
`schemas/sql/td.json`. Calls with an unknown template among the arguments are skipped: it may
stand for several arguments.

## Why is this bad?
The job is accepted, then fails when Treasure Data compiles the query, after the tasks before
it have run.

## Example
```yaml
+recent:
  td>:
    data: SELECT COUNT(1) FROM logs WHERE TD_TIME_RANGE(time)
```

## Use instead
```yaml
+recent:
  td>:
    data: SELECT COUNT(1) FROM logs WHERE TD_TIME_RANGE(time, '${session_date}', NULL, 'JST')
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.sql_support import findings
from dig_lsp.diagnostics import Severity
from dig_lsp.embedded.sql_kinds import ARITY

CODE = "DL603"
NAME = "td-function-arity"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    yield from findings(ctx, ARITY)
