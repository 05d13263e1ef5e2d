"""An operator digdag does not have: a misspelt built-in one.

## What it does
Reports `name>:` keys (and `_type: name`) that are not a built-in operator but a near miss of one
(`ehco>` for `echo>`). Any other name a plugin may provide: digdag loads the plugins a task declares
(`plugin:` or `dependencies:`, exported or on the task itself: `OperatorRegistry.getSpec`) and the
system plugins its server is configured with (`system-plugin.*`), which the files do not show, so
those names are DL414 (info). With `--profile treasure-data` every unknown name is reported here:
Treasure Workflow runs its own set of operators. Operators listed in the `plugin-operators` setting
(dotted names such as `ecs_task.sh` and names ending in `?` such as `athena.table_exists?` included)
and tasks that declare plugins are not reported. Where the `_export`s a task sees are not all known (a
caller that cannot be read, an `!include` or YAML that cannot be read), only a near miss is reported.
`_type` values containing `${...}` are not checked.

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
from dig_lsp.checks.operator_support import unknown_operators
from dig_lsp.diagnostics import Applicability, Fix, Severity
from dig_lsp.model.catalog import catalog
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Span
from dig_lsp.text.suggest import close_matches

CODE = "DL401"
NAME = "unknown-operator"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    known = [spec.name for spec in catalog()]
    hosted = ctx.settings.profile == "treasure-data"
    for unknown in unknown_operators(ctx):
        if not unknown.hint and not hosted:
            continue  # a plugin may provide it: DL414
        use = unknown.use
        yield Finding(
            use.key_span,
            f"unknown operator '{excerpt(use.name, 40)}>'"
            f"{unknown.hint or '; declare a plugin in `_export: plugin:` or the plugin-operators setting'}",
            fix=_operator_fix(ctx, use.key_span, use.key, known),
        )


def _operator_fix(ctx: CheckContext, span: Span, key: str, known: list[str]) -> Fix | None:
    """Rename the key to the closest operator (unsafe: it changes what the task runs)."""
    close = close_matches(key[:-1], known, n=1, cutoff=0.6) if key.endswith(">") else []
    return key_rename_fix(ctx, span, key, close[0] + ">", Applicability.UNSAFE) if close else None
