"""An operator digdag does not have.

## What it does
Reports `name>:` keys (and `_type: name`) that are neither a built-in operator nor a plugin
operator. Operators are accepted without a warning when the workflow declares plugins in
`_export: plugin:` (their names cannot be known from the files) or when they are listed in the
`plugin-operators` setting (dotted names such as `ecs_task.sh` and names ending in `?` such as
`athena.table_exists?` included). Where the `_export`s a task sees are not all known (a caller
that cannot be read, an `!include` or YAML that cannot be read), only a near miss of a built-in
operator is reported. `_type` values containing `${...}` are not checked.

## Why is this bad?
digdag accepts the workflow and fails only when the task runs: `Unknown task type: <name>`
(`core/agent/OperatorManager.java`), usually a typo found at night.

## Example
```yaml
+load:
  td_run>: daily_summary_query
+notify:
  mial>: body.txt
```

## Use instead
```yaml
+notify:
  mail>: body.txt
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.fix_support import key_rename_fix
from dig_lsp.checks.operator_support import export_index, suggest
from dig_lsp.diagnostics import Applicability, Fix, Severity
from dig_lsp.model.catalog import catalog
from dig_lsp.model.operators import HOSTED_OPERATORS, plugin_declared
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import close_matches

CODE = "DL401"
NAME = "unknown-operator"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    known = [spec.name for spec in catalog()]
    plugins = set(ctx.settings.plugin_operators)
    index = export_index(ctx)
    for _, task in ctx.tasks():
        use = task.operator
        if use is None or task.disabled or not use.name or "${" in use.name:
            continue
        if catalog().operator(use.name) is not None or use.name in plugins or use.name in HOSTED_OPERATORS:
            continue
        chain = index.chain(task)
        if plugin_declared(chain):
            continue
        hint = suggest(use.name, known)
        if chain.open_ended and not hint:
            continue  # exports not all known (unknown callers, unread YAML) may declare a plugin
        yield Finding(
            use.key_span,
            f"unknown operator '{excerpt(use.name, 40)}>'"
            f"{hint or '; declare a plugin in `_export: plugin:` or the plugin-operators setting'}",
            fix=_operator_fix(ctx, use.key_span, use.key, known),
        )


def _operator_fix(ctx: CheckContext, span: Span, key: str, known: list[str]) -> Fix | None:
    """Rename the key to the closest operator (unsafe: it changes what the task runs)."""
    close = close_matches(key[:-1], known, n=1, cutoff=0.6) if key.endswith(">") else []
    return key_rename_fix(ctx, span, key, close[0] + ">", Applicability.UNSAFE) if close else None
