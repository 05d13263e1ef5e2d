"""An operator that is not built in, for a task that declares no plugin.

## What it does
Reports `name>:` keys (and `_type: name`) that are neither a built-in operator nor a near miss of one
(that is DL401) when no plugin is declared where the task runs: no `plugin:` and no `dependencies:`,
exported or on the task itself (where digdag looks: `OperatorRegistry.getSpec`,
`digdag-core/src/main/java/io/digdag/core/agent/OperatorRegistry.java`). Names listed in the
`plugin-operators` setting, templated names, and tasks whose `_export`s are not all known are not
reported. With `--profile treasure-data` such names are DL401 errors instead.

## Why is this bad?
It cannot be known from the files: a digdag server also loads the system plugins its configuration
names (`system-plugin.repositories` and `system-plugin.dependencies`, `digdag-cli/.../Command.java`),
and their operators count as built in (`OperatorRegistry`). Where no system plugin provides it, the task
fails when it runs: `Unknown task type: <name>`. Declaring the plugin in the workflow makes it run on
any server; listing the operator in `plugin-operators` says the server provides it.

## Example
```yaml
+lock:
  pg_lock>: daily
  _do:
    echo>: locked
```

## Use instead
```yaml
_export:
  plugin:
    repositories: ["https://jitpack.io"]
    dependencies: ["pro.civitaspo:digdag-operator-pg_lock:0.0.4"]
+lock:
  pg_lock>: daily
  _do:
    echo>: locked
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.checks.operator_support import unknown_operators
from dig_lsp.diagnostics import Severity
from dig_lsp.text.quote import excerpt

CODE = "DL414"
NAME = "undeclared-plugin-operator"
SEVERITY = Severity.INFO


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.settings.profile == "treasure-data":
        return  # DL401 reports them: Treasure Workflow runs no system plugins of the user's
    for unknown in unknown_operators(ctx):
        if unknown.hint:
            continue  # a near miss of a built-in operator: DL401
        yield Finding(
            unknown.use.key_span,
            f"'{excerpt(unknown.use.name, 40)}>' is not a built-in operator and this task declares no plugin: "
            "it runs only where the digdag server loads a system plugin that provides it; declare the plugin "
            "in `_export: plugin:`, or list the operator in the plugin-operators setting",
        )
