"""A required parameter that only a secret can still supply.

## What it does
Reports required operator parameters (e.g. `td>` `database`) that are not set on the task, in any
`_export` or by a caller, but that digdag can also read from a secret (`td.database`). Secrets live
on the server, so the files cannot tell whether it is set.

## Why is this bad?
If the secret is not set where the workflow runs, the task fails with `Parameter 'database' is
required but not set`. Setting the parameter in the workflow makes it independent of the server.

## Example
```yaml
+count:
  td>: queries/count.sql
```

## Use instead
```yaml
_export:
  td:
    database: analytics
+count:
  td>: queries/count.sql
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import export_index, operator_tasks
from dig_lsp.diagnostics import Related, Severity

CODE = "DL404"
NAME = "missing-parameter-unless-secret"
SEVERITY = Severity.INFO


def check(ctx: CheckContext) -> Iterator[Finding]:
    index = export_index(ctx)
    for _, op in operator_tasks(ctx):
        chain = index.chain(op.task)
        use = op.task.operator
        if chain.open_ended or use is None:
            continue
        for parameter in op.spec.required():
            if not parameter.secrets or op.given(parameter.name, chain) is not None:
                continue
            secrets = " or ".join(f"'{s}'" for s in parameter.secrets)
            yield Finding(
                use.key_span,
                f"{op.spec.name}> requires '{parameter.name}', which only the secret {secrets} can supply here",
                (Related(use.key_span, "set that secret where the workflow runs, or set the parameter in `_export`"),),
            )
