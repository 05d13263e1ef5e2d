"""A workflow over Treasure Workflow's size limits (profile `treasure-data`).

## What it does
With the `treasure-data` profile, reports a workflow whose statically known task count exceeds
1,000, and a task whose full name (`+wf+group+task`) is longer than 640 bytes in UTF-8. Tasks
generated at run time (loops, `call>`) are not counted, so the real count can only be higher.

## Why is this bad?
Treasure Workflow rejects such workflows when they are pushed or when the attempt starts; digdag's
own default limit of 1,000 tasks per attempt (`Too many tasks`) applies as well.

## Example
<!-- test: skip: the example abbreviates a name of more than 640 bytes -->
```yaml
+a_group_with_a_very_long_descriptive_name_that_goes_on_and_on:
  +and_a_child_with_an_equally_long_descriptive_name_repeated_many_times:
    echo>: hi
```

## Use instead
<!-- test: profile=treasure-data -->
```yaml
+load:
  +orders:
    echo>: hi
```
"""

from __future__ import annotations

from collections.abc import Iterator

from dig_lsp.checks.base import CheckContext, Finding
from dig_lsp.diagnostics import Severity

CODE = "DL411"
NAME = "treasure-data-limits"
SEVERITY = Severity.ERROR

MAX_TASKS = 1000
MAX_NAME_BYTES = 640


def check(ctx: CheckContext) -> Iterator[Finding]:
    if ctx.settings.profile != "treasure-data":
        return
    for workflow in ctx.workflows:
        count = len(workflow.all_tasks)
        if count > MAX_TASKS:
            yield Finding(workflow.root.key_span, f"workflow {workflow.name} has {count} tasks before any "
                          f"are generated; Treasure Workflow allows at most {MAX_TASKS}")
    for _, task in ctx.tasks():
        size = len(task.full_name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            yield Finding(task.key_span, f"task full name has {size} bytes; Treasure Workflow allows {MAX_NAME_BYTES}, "
                          "so shorten the task or group names")
