"""An `_export` of a variable digdag sets itself.

## What it does
Reports `_export` keys named like a built-in variable (`session_time`, `session_date`,
`timezone`, `task_name`, `last_session_time`, ...).

## Why is this bad?
digdag sets those after merging exports, so the exported value never reaches any task
(reference §3, digdag PR #1168); a task reading `${session_date}` still gets the session's date.

## Example
```yaml
_export:
  session_date: "2024-01-01"
```

## Use instead
```yaml
_export:
  target_date: "2024-01-01"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.model.builtins import ALWAYS, SCHEDULED_ONLY, SOMETIMES

CODE = "DL507"
NAME = "builtin-override"
SEVERITY = Severity.WARNING

_BUILT_IN = ALWAYS | SCHEDULED_ONLY | SOMETIMES


def check(ctx: CheckContext) -> Iterator[Finding]:
    for _, task in ctx.tasks():
        for entry in task.export.value.entries:
            if entry.key in _BUILT_IN:
                yield Finding(entry.key_span, f"'{entry.key}' is set by digdag for every task, so this _export is "
                              "ignored; use another name")
