"""An `_export` that is not a mapping.

## What it does
Reports `_export` values that are a string, number, boolean or list, at the top level and on every task. An empty `_export:` (null) is accepted, as digdag treats it as no parameters. Disabled tasks are skipped.

## Why is this bad?
digdag fails with `Parameter '_export' must be an object`: at the top level when the workflow is loaded (so `digdag check`, `push` and `run` fail), on a task when the attempt's tasks are stored, before it runs. A list of mappings is not merged the way `+task: [...]` is.

## Example
```yaml
+load:
  _export:
    - database: analytics
    - table: events
  td>: queries/load.sql
```

## Use instead
```yaml
+load:
  _export:
    database: analytics
    table: events
  td>: queries/load.sql
```
"""

# Facts: digdag-core/src/main/java/io/digdag/core/archive/WorkflowFile.java (fromConfig:
# `copy.getNestedOrGetEmpty("_export")` for the top level) and digdag-core/.../workflow/TaskConfig.java
# (validate: the same call for every task, from TaskControl.addTasks and WorkflowExecutor's root task).
# digdag-client/.../config/Config.java getNestedOrGetEmpty: a missing or null value is an empty
# object, any other non-object throws "Parameter '<key>' must be an object". The reading is the
# model's (task.export: dig_lsp/digdag/directives.py nested_or_empty).

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity
from dig_lsp.digdag.coerce import json_sample
from dig_lsp.syntax.nodes import Node, Sequence
from dig_lsp.text.quote import excerpt
from dig_lsp.text.span import Position

CODE = "DL214"
NAME = "export-not-mapping"
SEVERITY = Severity.ERROR


def check(ctx: CheckContext) -> Iterator[Finding]:
    """Report each non-mapping, non-null `_export` once."""
    seen: set[tuple[str, Position]] = set()
    for _, task in ctx.tasks():
        for refusal in task.export.refusals:
            node = refusal.node
            if node is not None and (where := (node.span.path, node.span.start)) not in seen:
                seen.add(where)
                yield Finding(node.span, _message(node))


def _message(value: Node) -> str:
    if isinstance(value, Sequence):
        return "`_export` must be one mapping of parameters, not a list (the items are not merged)"
    return (f"`_export` must be a mapping of parameters, not {excerpt(json_sample(value), 40)}; "
            "write `name: value` lines under it")
